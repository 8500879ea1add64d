/** `oras manifest index create` (`pack`): make an image index of manifests in one repository. */
import { isDigest } from '@oras/spec';
import type { CliContext } from '../../../../context.js';
import { CliError } from '../../../../errors.js';
import { type CommonOptions, common } from '../../../../options/common.js';
import { flagSet, type ParsedArgs } from '../../../../options/flag-set.js';
import { type TargetOptions, targetOptions } from '../../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../../define.js';
import { type IndexOptions, indexOptions } from '../flags.js';

const ARGS = flagSet({
  name: { type: 'string', describe: '<registry>/<repo>[:<tag>[,<tag>...]]' },
  sources: {
    type: 'string',
    array: true,
    describe: 'tags or digests of manifests in the same repository',
  },
});

const index = indexOptions('artifact type of the index');
const target = targetOptions({ form: '<registry>/<repo>[:<tag>[,<tag>][...]]', allowTags: true });

/** The parsed arguments and flags of `oras manifest index create`. */
export interface IndexCreateOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** Where the index goes, with its tags (no digest). */
  readonly target: TargetOptions;
  /** Tags or digests of the manifests to list. */
  readonly sources: readonly string[];
  /** The index flags. */
  readonly index: IndexOptions;
}

/** Parses the command line of `oras manifest index create`; the index cannot be named by a digest. */
export function parseIndexCreate(argv: ParsedArgs, ctx: CliContext): IndexCreateOptions {
  const parsedCommon = common.parse(argv, ctx);
  const args = ARGS.read(argv);
  const parsedTarget = target.parse(argv, ctx, args.name ?? '');
  const own = parsedTarget.reference;
  if (own !== undefined && isDigest(own))
    throw new CliError(`${parsedTarget.argument}: an index to create cannot be named by a digest`);
  return { common: parsedCommon, target: parsedTarget, sources: args.sources, index: index.parse(argv, ctx) };
}

/** The definition of `oras manifest index create`. */
export const command: CommandFactory = (ctx) => ({
  command: 'create <name> [sources..]',
  aliases: ['pack'],
  describe: '[Experimental] Create and push an index from provided manifests',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras manifest index create [flags] <target>[:<tag[,<tag>][...]] <sources>[{<tag>|<digest>}...]\n\n' +
            '[Experimental] Create and push an index from provided manifests. All manifests should be in the same repository',
        ),
        index.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        [
          'oras manifest index create localhost:5000/hello linux-amd64 linux-arm64',
          'Create an index and push it without a tag',
        ],
        [
          'oras manifest index create localhost:5000/hello:v1 linux-amd64 linux-arm64',
          "Create an index tagged 'v1'",
        ],
        [
          'oras manifest index create localhost:5000/hello:v1,latest linux-amd64 sha256:99e4...',
          'Use tags and digests, push with two tags',
        ],
        [
          'oras manifest index create --artifact-type application/vnd.me.bundle localhost:5000/hello:v1 a b',
          'Set the artifact type',
        ],
        [
          'oras manifest index create -a "org.opencontainers.image.title=hi" localhost:5000/hello:v1 a b',
          'Add an annotation',
        ],
        [
          'oras manifest index create -o index.json localhost:5000/hello linux-amd64',
          'Write the index to a file, push nothing',
        ],
        [
          'oras manifest index create --oci-layout layout-dir:v1 linux-amd64 linux-arm64',
          'Create an index in an OCI image layout',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseIndexCreate(argv, ctx);
    await (await import('./run.js')).runIndexCreate(options, ctx);
  },
});
