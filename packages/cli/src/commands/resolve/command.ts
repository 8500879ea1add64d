/** `oras resolve` (`digest`): print the digest of a reference. */
import type { Platform } from '@oras/spec';
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { type CommonOptions, common } from '../../options/common.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { platformOptions } from '../../options/platform.js';
import { type TargetOptions, targetOptions } from '../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

const ARGS = flagSet({ name: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' } });

const FLAGS = flagSet({
  'full-reference': {
    alias: 'l',
    type: 'boolean',
    describe: 'print the full artifact reference with digest',
  },
});

const platform = platformOptions();
const target = targetOptions({ form: '<registry>/<repo>{:<tag>|@<digest>}', requireReference: true });

/** The parsed arguments and flags of `oras resolve`. */
export interface ResolveOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** The reference to resolve. */
  readonly target: TargetOptions<string>;
  /** `--platform`. */
  readonly platform: Platform | undefined;
  /** `-l/--full-reference`: print `name@digest`. */
  readonly fullReference: boolean;
}

/** Parses the command line of `oras resolve`. */
export function parseResolve(argv: ParsedArgs, ctx: CliContext): ResolveOptions {
  return {
    common: common.parse(argv, ctx),
    target: target.parse(argv, ctx, ARGS.read(argv).name ?? ''),
    platform: platform.parse(argv, ctx),
    fullReference: FLAGS.read(argv)['full-reference'] === true,
  };
}

/** The definition of `oras resolve`. */
export const command: CommandFactory = (ctx) => ({
  command: 'resolve <name>',
  aliases: ['digest'],
  describe: summaryOf('resolve'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras resolve [flags] <name>{:<tag>|@<digest>}\n\n[Experimental] Resolves digest of the target artifact',
        ),
        FLAGS.flags(),
        platform.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras resolve localhost:5000/hello:v1', 'Print the digest of a tag'],
        ['oras resolve -l localhost:5000/hello:v1', 'Print the full reference with the digest'],
        ['oras resolve --platform linux/arm64 localhost:5000/hello:v1', 'Resolve one platform of an index'],
      ],
    ),
  handler: async (argv) => {
    const options = parseResolve(argv, ctx);
    await (await import('./run.js')).runResolve(options, ctx);
  },
});
