/** `--concurrency`: how many blobs or tags move at once. */
import type { Options } from 'yargs';

/** The `--concurrency` flag with a command's default. */
export function concurrencyFlag(defaultValue: number): Record<string, Options> {
  return { concurrency: { type: 'number', default: defaultValue, describe: 'concurrency level' } };
}
