/** `--concurrency`: how many blobs or tags move at once. */
import { flagSet, type OptionGroup } from './flag-set.js';

/** The `--concurrency` flag with a command's default; it parses to at least 1. */
export function concurrencyOptions(defaultValue: number): OptionGroup<number> {
  const FLAGS = flagSet({
    concurrency: { type: 'number', default: defaultValue, describe: 'concurrency level' },
  });
  return {
    flags: () => FLAGS.flags(),
    parse: (argv) => Math.max(1, FLAGS.read(argv).concurrency),
  };
}
