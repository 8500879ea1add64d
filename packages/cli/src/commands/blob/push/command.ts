/** `oras blob push`: push a blob from a file or stdin. */
import type { CliContext } from '../../../context.js';
import { CliError } from '../../../errors.js';
import { type CommonOptions, common } from '../../../options/common.js';
import { type DescriptorOptions, descriptorOptions } from '../../../options/descriptor.js';
import { fileOrStdin, flagSet, type ParsedArgs } from '../../../options/flag-set.js';
import { type TargetOptions, targetOptions } from '../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../define.js';

const ARGS = flagSet({
  name: { type: 'string', describe: '<registry>/<repo>[@<digest>]' },
  file: { type: 'string', describe: 'the blob file, or - for stdin' },
});

const FLAGS = flagSet({
  size: { type: 'number', describe: 'provide the blob size', defaultDescription: '-1' },
  'media-type': {
    type: 'string',
    default: 'application/vnd.oci.image.layer.v1.tar',
    describe: 'specify the returned media type in the descriptor if --descriptor is used',
  },
});

const descriptor = descriptorOptions();
const target = targetOptions({ form: '<registry>/<repo>[@<digest>]' });

/** The parsed arguments and flags of `oras blob push`. */
export interface BlobPushOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** The blob file, or `-` for stdin. */
  readonly file: string;
  /** `--size`, or -1 when not given. */
  readonly size: number;
  /** `--media-type` of the printed descriptor. */
  readonly mediaType: string;
  /** `--descriptor`, `--pretty`. */
  readonly descriptor: DescriptorOptions;
  /** Where to push, `<registry>/<repo>[@<digest>]`. */
  readonly target: TargetOptions;
}

/** Parses the command line of `oras blob push`. */
export function parseBlobPush(argv: ParsedArgs, ctx: CliContext): BlobPushOptions {
  const parsedCommon = common.parse(argv, ctx);
  const args = ARGS.read(argv);
  const flags = FLAGS.read(argv);
  const file = fileOrStdin(args.file);
  const size = flags.size === undefined ? -1 : flags.size;
  if (!Number.isInteger(size) || size < -1) throw new CliError(`invalid --size ${String(flags.size)}`);
  if (file === '-' && target.secretFromStdin(argv)) {
    throw new CliError(
      '`-` read file from input and `--password-stdin` read password from input cannot be both used',
    );
  }
  if (file === '-' && size < 0)
    throw new CliError('`--size` must be provided if the blob is read from stdin');
  return {
    common: parsedCommon,
    file,
    size,
    mediaType: flags['media-type'] || 'application/vnd.oci.image.layer.v1.tar',
    descriptor: descriptor.parse(argv, ctx),
    target: target.parse(argv, ctx, args.name ?? ''),
  };
}

/** The definition of `oras blob push`. */
export const command: CommandFactory = (ctx) => ({
  command: 'push <name> <file>',
  describe: 'Push a blob to a registry or an OCI image layout',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras blob push [flags] <name>[@digest] <file>\n\n' +
            'Push a blob to a registry or an OCI image layout',
        ),
        FLAGS.flags(),
        descriptor.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras blob push localhost:5000/hello hi.txt', "Push the blob 'hi.txt'"],
        ['oras blob push localhost:5000/hello@sha256:9a20... hi.txt', 'Push a blob, checking its digest'],
        ['oras blob push --size 12 localhost:5000/hello - < hi.txt', 'Push a blob of known size from stdin'],
        [
          'oras blob push --size 12 localhost:5000/hello@sha256:9a20... - < hi.txt',
          'Push from stdin with size and digest',
        ],
        ['oras blob push --descriptor --pretty localhost:5000/hello hi.txt', 'Push and print the descriptor'],
        ['oras blob push --oci-layout layout-dir hi.txt', 'Push into an OCI image layout folder'],
      ],
    ),
  handler: async (argv) => {
    const options = parseBlobPush(argv, ctx);
    await (await import('./run.js')).runBlobPush(options, ctx);
  },
});
