/** Flags the manifest, blob, repo, backup and restore commands share (definitions only). */
import type { Options } from 'yargs';
import { CliError } from '../errors.js';

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

/** What a command group (`oras manifest`, `oras blob` ...) does without a known subcommand: fail with a hint. */
export function unknownSubcommand(group: string, given: unknown, subcommands: string): never {
  const hint = `Run '${group} --help' for usage.`;
  if (given === undefined) throw new CliError(`a subcommand is required: ${subcommands}`, { hint });
  throw new CliError(`unknown command "${String(given)}" for "${group}"`, { hint });
}
