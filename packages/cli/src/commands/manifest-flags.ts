/** Flags the manifest, blob, repo, backup and restore commands share (definitions only). */
import type { Options } from 'yargs';

/** The `--descriptor` and `--pretty` flags. */
export function descriptorFlags(what = 'the'): Record<string, Options> {
  return {
    descriptor: { type: 'boolean', describe: `print ${what} descriptor` },
    pretty: { type: 'boolean', describe: 'prettify JSON objects printed to stdout' },
  };
}

/** The `-f/--force` flag of the delete commands. */
export function forceFlag(): Record<string, Options> {
  return { force: { alias: 'f', type: 'boolean', describe: 'ignore nonexistent references, never prompt' } };
}
