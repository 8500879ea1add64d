/** `oras manifest delete` (`remove`, `rm`): delete a manifest, asking first. */
import type { CliContext } from '../../../context.js';
import { type CommonOptions, common } from '../../../options/common.js';
import { type DeleteOptions, deleteOptions } from '../../../options/confirmation.js';
import { flagSet, type ParsedArgs } from '../../../options/flag-set.js';
import { type TargetOptions, targetOptions } from '../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../define.js';

const ARGS = flagSet({ name: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' } });

const deletion = deleteOptions();
const target = targetOptions({
  form: '<registry>/<repo>{:<tag>|@<digest>}',
  requireReference: true,
  layout: true,
  distributionSpec: true,
});

/** The parsed arguments and flags of `oras manifest delete`. */
export interface ManifestDeleteOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `--force`, `--descriptor`, `--pretty`. */
  readonly deletion: DeleteOptions;
  /** The manifest, by tag or digest. */
  readonly target: TargetOptions<string>;
}

/** Parses the command line of `oras manifest delete`. */
export function parseManifestDelete(argv: ParsedArgs, ctx: CliContext): ManifestDeleteOptions {
  return {
    common: common.parse(argv, ctx),
    deletion: deletion.parse(argv, ctx),
    target: target.parse(argv, ctx, ARGS.read(argv).name ?? ''),
  };
}

/** The definition of `oras manifest delete`. */
export const command: CommandFactory = (ctx) => ({
  command: 'delete <name>',
  aliases: ['remove', 'rm'],
  describe: 'Delete a manifest from remote registry',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras manifest delete [flags] <name>{:<tag>|@<digest>}\n\n' +
            'Delete a manifest from remote registry',
        ),
        deletion.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras manifest delete localhost:5000/hello:v1', "Delete the manifest tagged 'v1' (asks first)"],
        ['oras manifest delete --force localhost:5000/hello:v1', 'Delete without asking'],
        ['echo y | oras manifest delete localhost:5000/hello:v1', 'Answer the prompt from a script'],
        [
          'oras manifest delete --force --descriptor localhost:5000/hello:v1',
          'Delete and print the descriptor',
        ],
        [
          'oras manifest delete localhost:5000/hello@sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9',
          'Delete by digest',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseManifestDelete(argv, ctx);
    await (await import('./run.js')).runManifestDelete(options, ctx);
  },
});
