/** `oras blob delete` (`remove`, `rm`): delete a blob, asking first. */
import type { CliContext } from '../../../context.js';
import { type CommonOptions, common } from '../../../options/common.js';
import { type DeleteOptions, deleteOptions } from '../../../options/confirmation.js';
import { flagSet, type ParsedArgs } from '../../../options/flag-set.js';
import { type TargetOptions, targetOptions } from '../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../define.js';

const ARGS = flagSet({ name: { type: 'string', describe: '<registry>/<repo>@<digest>' } });

const deletion = deleteOptions();
const target = targetOptions({ form: '<registry>/<repo>@<digest>', layout: true });

/** The parsed arguments and flags of `oras blob delete`. */
export interface BlobDeleteOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `--force`, `--descriptor`, `--pretty`. */
  readonly deletion: DeleteOptions;
  /** The blob, `<registry>/<repo>@<digest>`. */
  readonly target: TargetOptions;
}

/** Parses the command line of `oras blob delete`. */
export function parseBlobDelete(argv: ParsedArgs, ctx: CliContext): BlobDeleteOptions {
  return {
    common: common.parse(argv, ctx),
    deletion: deletion.parse(argv, ctx),
    target: target.parse(argv, ctx, ARGS.read(argv).name ?? ''),
  };
}

/** The definition of `oras blob delete`. */
export const command: CommandFactory = (ctx) => ({
  command: 'delete <name>',
  aliases: ['remove', 'rm'],
  describe: 'Delete a blob from a remote registry',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras blob delete [flags] <name>@<digest>\n\n' + 'Delete a blob from a remote registry',
        ),
        deletion.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras blob delete localhost:5000/hello@sha256:9a20...', 'Delete a blob (asks first)'],
        [
          'oras blob delete --force localhost:5000/hello@sha256:9a20...',
          'Delete without asking; a missing blob is no error',
        ],
        [
          'oras blob delete --force --descriptor localhost:5000/hello@sha256:9a20...',
          'Delete and print the descriptor',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseBlobDelete(argv, ctx);
    await (await import('./run.js')).runBlobDelete(options, ctx);
  },
});
