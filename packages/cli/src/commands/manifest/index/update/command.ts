/** `oras manifest index update`: add, merge and remove entries of an image index. */
import { isDigest } from '@oras/spec';
import type { CliContext } from '../../../../context.js';
import { CliError } from '../../../../errors.js';
import { type CommonOptions, common } from '../../../../options/common.js';
import { flagSet, type ParsedArgs, refuseTogether } from '../../../../options/flag-set.js';
import { type TargetOptions, targetOptions } from '../../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../../define.js';
import { type IndexOptions, indexOptions } from '../flags.js';

const ARGS = flagSet({ name: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' } });

const FLAGS = flagSet({
  add: { type: 'string', array: true, describe: 'manifests (tags or digests) to add to the index' },
  merge: {
    type: 'string',
    array: true,
    describe: 'indexes whose manifests are merged into the index',
  },
  remove: { type: 'string', array: true, describe: 'digests of manifests to remove from the index' },
  tag: { type: 'string', array: true, describe: 'extra tags for the updated index' },
});

const index = indexOptions('artifact type of the index (empty to remove it)', 'updated');
const target = targetOptions({ form: '<registry>/<repo>{:<tag>|@<digest>}', requireReference: true });

/** The parsed arguments and flags of `oras manifest index update`. */
export interface IndexUpdateOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** The index to update, by tag or digest. */
  readonly target: TargetOptions<string>;
  /** `--tag`: extra tags for the updated index. */
  readonly tags: readonly string[];
  /** `--add`: manifests to add. */
  readonly adds: readonly string[];
  /** `--merge`: indexes whose manifests are merged in. */
  readonly merges: readonly string[];
  /** `--remove`: digests of manifests to remove. */
  readonly removes: readonly string[];
  /** The index flags. */
  readonly index: IndexOptions;
}

/** Parses the command line of `oras manifest index update`. */
export function parseIndexUpdate(argv: ParsedArgs, ctx: CliContext): IndexUpdateOptions {
  const parsedCommon = common.parse(argv, ctx);
  const parsedTarget = target.parse(argv, ctx, ARGS.read(argv).name ?? '');
  const flags = FLAGS.read(argv);
  const parsedIndex = index.parse(argv, ctx);
  refuseTogether([
    ['tag', flags.tag.length > 0],
    ['output', parsedIndex.output !== undefined],
  ]);
  for (const r of flags.remove) {
    if (!isDigest(r)) throw new CliError(`remove: ${r} is not a digest`);
  }
  return {
    common: parsedCommon,
    target: parsedTarget,
    tags: flags.tag,
    adds: flags.add,
    merges: flags.merge,
    removes: flags.remove,
    index: parsedIndex,
  };
}

/** The definition of `oras manifest index update`. */
export const command: CommandFactory = (ctx) => ({
  command: 'update <name>',
  describe: '[Experimental] Update an image index',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras manifest index update [flags] <name>{:<tag>|@<digest>} {--add/--merge/--remove} [...]\n\n' +
            '[Experimental] Update an image index and push it. A tag that named the old index names the new one.',
        ),
        FLAGS.flags(),
        index.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras manifest index update localhost:5000/hello:v1 --add linux-s390x', 'Add a manifest'],
        [
          'oras manifest index update localhost:5000/hello:v1 --remove sha256:99e4...',
          'Remove a manifest by digest',
        ],
        [
          'oras manifest index update localhost:5000/hello:v1 --merge v2-index',
          'Merge the manifests of another index',
        ],
        [
          'oras manifest index update localhost:5000/hello:v1 --add arm64 --tag v1.1 --tag latest',
          'Update and tag the result',
        ],
        [
          'oras manifest index update --oci-layout layout-dir:v1 --add linux-amd64',
          'Update an index in an OCI image layout',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseIndexUpdate(argv, ctx);
    await (await import('./run.js')).runIndexUpdate(options, ctx);
  },
});
