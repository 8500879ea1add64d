/** `oras tag`: tag a manifest in a registry or an OCI image layout. */
import { ErrorCode, isValidTag } from '@oras/spec';
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { CliError } from '../../errors.js';
import { MissingReferenceError } from '../../reference-errors.js';
import { type CommonOptions, common } from '../../options/common.js';
import { concurrencyOptions } from '../../options/concurrency.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { type TargetOptions, targetOptions } from '../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

const ARGS = flagSet({
  name: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' },
  tags: { type: 'string', array: true, describe: 'new tags' },
});

const concurrency = concurrencyOptions(5);
const target = targetOptions({ form: '<registry>/<repo>{:<tag>|@<digest>}', requireReference: true });

/** The parsed arguments and flags of `oras tag`. */
export interface TagOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** The manifest to tag. */
  readonly target: TargetOptions<string>;
  /** The new tags. */
  readonly tags: readonly string[];
  /** `--concurrency`. */
  readonly concurrency: number;
}

/** Parses the command line of `oras tag`, refusing an invalid tag. */
export function parseTag(argv: ParsedArgs, ctx: CliContext): TagOptions {
  const parsedCommon = common.parse(argv, ctx);
  const args = ARGS.read(argv);
  const raw = args.name ?? '';
  let parsedTarget: TargetOptions<string>;
  try {
    parsedTarget = target.parse(argv, ctx, raw);
  } catch (error) {
    // oras names the artifact it could not tag
    if (
      error instanceof CliError &&
      !(error instanceof MissingReferenceError) &&
      error.code === ErrorCode.InvalidReference
    ) {
      throw new CliError(`unable to add tag for '${raw}': ${error.message}`, {
        code: error.code,
        cause: error,
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      });
    }
    throw error;
  }
  // A registry takes only a tag of the distribution spec's form; an OCI layout, as oras-go's
  // oci.Store, any non-empty name (`index.json` keeps it in `org.opencontainers.image.ref.name`).
  for (const tag of args.tags) {
    if (parsedTarget.spec.kind === 'oci-layout' ? tag === '' : !isValidTag(tag))
      throw new CliError(`invalid tag "${tag}"`, {
        hint: 'a tag is up to 128 letters, digits, "_", "." and "-"',
      });
  }
  return {
    common: parsedCommon,
    target: parsedTarget,
    tags: args.tags,
    concurrency: concurrency.parse(argv, ctx),
  };
}

/** The definition of `oras tag`. */
export const command: CommandFactory = (ctx) => ({
  command: 'tag <name> <tags..>',
  describe: summaryOf('tag'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras tag [flags] <name>{:<tag>|@<digest>} <new_tag> [...]\n\nTag a manifest in a registry or an OCI image layout',
        ),
        concurrency.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras tag localhost:5000/hello:v1 v1.0.1', 'Tag an artifact'],
        ['oras tag localhost:5000/hello@sha256:... v1 latest', 'Tag a digest with several tags'],
        ['oras tag --oci-layout layout-dir:v1 v2', 'Tag in an OCI image layout'],
      ],
    ),
  handler: async (argv) => {
    const options = parseTag(argv, ctx);
    await (await import('./run.js')).runTag(options, ctx);
  },
});
