/** Flags the manifest, blob, repo, backup and restore commands share (definitions only). */
import type { Options } from 'yargs';
import { CliError } from '../errors.js';
import { commonFlags } from '../options/common.js';
import { remoteFlags } from '../options/remote.js';
import { targetFlags } from '../options/target.js';

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

/**
 * The flag groups `oras manifest index create` and `oras manifest index update` share, after their
 * own: `--artifact-type` (described by `artifactType`), `-a/--annotation`, `-o/--output`,
 * `--pretty`, then the target, remote and common groups.
 */
export function indexFlags(artifactType: string): Record<string, Options>[] {
  return [
    {
      'artifact-type': { type: 'string', describe: artifactType },
      annotation: {
        alias: 'a',
        type: 'string',
        array: true,
        describe: 'index annotations (`key=value`)',
      },
      output: {
        alias: 'o',
        type: 'string',
        describe: 'write the index to a file (or - for stdout) instead of pushing it',
      },
      pretty: { type: 'boolean', describe: 'prettify the index written with --output' },
    },
    targetFlags(),
    remoteFlags(),
    commonFlags(),
  ];
}

/** What a command group (`oras manifest`, `oras blob` ...) does without a known subcommand: fail with a hint. */
export function unknownSubcommand(group: string, given: unknown, subcommands: string): never {
  const hint = `Run '${group} --help' for usage.`;
  if (given === undefined) throw new CliError(`a subcommand is required: ${subcommands}`, { hint });
  throw new CliError(`unknown command "${String(given)}" for "${group}"`, { hint });
}
