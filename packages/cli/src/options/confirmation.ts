/** `-f/--force`: delete without asking. */
import type { Options } from 'yargs';

/** The `-f/--force` flag of the delete commands. */
export function forceFlag(): Record<string, Options> {
  return { force: { alias: 'f', type: 'boolean', describe: 'ignore nonexistent references, never prompt' } };
}
