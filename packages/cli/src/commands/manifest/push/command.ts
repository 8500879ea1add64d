/** `oras manifest push`: push a manifest from a file or stdin, with tags. */
import type { CliContext } from '../../../context.js';
import { CliError } from '../../../errors.js';
import { type CommonOptions, common } from '../../../options/common.js';
import { concurrencyOptions } from '../../../options/concurrency.js';
import { type DescriptorOptions, descriptorOptions } from '../../../options/descriptor.js';
import { fileOrStdin, flagSet, type ParsedArgs } from '../../../options/flag-set.js';
import { type TargetOptions, targetOptions } from '../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../define.js';

const ARGS = flagSet({
  name: { type: 'string', describe: '<registry>/<repo>[:<tag>[,<tag>...]|@<digest>]' },
  file: { type: 'string', describe: 'the manifest file, or - for stdin' },
});

const FLAGS = flagSet({
  'media-type': {
    type: 'string',
    describe: 'media type of manifest',
  },
});

const descriptor = descriptorOptions();
const concurrency = concurrencyOptions(5);
const target = targetOptions({
  form: '<registry>/<repo>[:<tag>[,<tag>][...]|@<digest>]',
  allowTags: true,
  distributionSpec: true,
});

/** The parsed arguments and flags of `oras manifest push`. */
export interface ManifestPushOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** The manifest file, or `-` for stdin. */
  readonly file: string;
  /** Where to push, with its tags. */
  readonly target: TargetOptions;
  /** `--descriptor`, `--pretty`. */
  readonly descriptor: DescriptorOptions;
  /** `--concurrency` of tagging. */
  readonly concurrency: number;
  /** `--media-type` (default: the `mediaType` of the JSON). */
  readonly mediaType: string | undefined;
}

/** Parses the command line of `oras manifest push`. */
export function parseManifestPush(argv: ParsedArgs, ctx: CliContext): ManifestPushOptions {
  const parsedCommon = common.parse(argv, ctx);
  const args = ARGS.read(argv);
  const file = fileOrStdin(args.file);
  if (file === '-' && target.secretFromStdin(argv)) {
    throw new CliError(
      '`-` read file from input and `--password-stdin` read password from input cannot be both used',
    );
  }
  return {
    common: parsedCommon,
    file,
    target: target.parse(argv, ctx, args.name ?? ''),
    descriptor: descriptor.parse(argv, ctx),
    concurrency: concurrency.parse(argv, ctx),
    mediaType: FLAGS.read(argv)['media-type'],
  };
}

/** The usage line of `oras manifest push`, also printed after its own errors. */
export const MANIFEST_PUSH_USAGE = 'oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>';

/** The definition of `oras manifest push`. */
export const command: CommandFactory = (ctx) => ({
  command: 'push <name> <file>',
  describe: 'Push a manifest to a registry or an OCI image layout',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          `${MANIFEST_PUSH_USAGE}\n\nPush a manifest to a registry or an OCI image layout`,
        ),
        FLAGS.flags(),
        descriptor.flags(),
        concurrency.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras manifest push localhost:5000/hello:v1 manifest.json', 'Push a manifest and tag it v1'],
        ['oras manifest push localhost:5000/hello:v1 - < manifest.json', 'Push a manifest read from stdin'],
        [
          'oras manifest push --descriptor localhost:5000/hello:v1 manifest.json',
          'Push and print the descriptor',
        ],
        [
          'oras manifest push --media-type application/vnd.docker.distribution.manifest.v2+json localhost:5000/hello:v1 manifest.json',
          'Push a manifest with a given media type',
        ],
        [
          'oras manifest push localhost:5000/hello:tag1,tag2,tag3 manifest.json',
          'Push a manifest with three tags',
        ],
        [
          'oras manifest push --oci-layout layout-dir:v1 manifest.json',
          'Push into an OCI image layout folder',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseManifestPush(argv, ctx);
    await (await import('./run.js')).runManifestPush(options, ctx);
  },
});
