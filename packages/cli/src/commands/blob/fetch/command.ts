/** `oras blob fetch` (`get`): save a blob to a file or stdout, or print its descriptor. */
import type { CliContext } from '../../../context.js';
import { CliError } from '../../../errors.js';
import { type CommonOptions, common } from '../../../options/common.js';
import { type DescriptorOptions, descriptorOptions } from '../../../options/descriptor.js';
import { flagSet, type ParsedArgs } from '../../../options/flag-set.js';
import { type TargetOptions, targetOptions } from '../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../define.js';

const ARGS = flagSet({ name: { type: 'string', describe: '<registry>/<repo>@<digest>' } });

const FLAGS = flagSet({
  output: { alias: 'o', type: 'string', describe: 'output file `path`, use - for stdout' },
});

const descriptor = descriptorOptions();
const target = targetOptions({ form: '<registry>/<repo>@<digest>' });

/** The parsed arguments and flags of `oras blob fetch`. */
export interface BlobFetchOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `-o/--output`: a file, or `-` for stdout. */
  readonly output: string | undefined;
  /** `--descriptor`, `--pretty`. */
  readonly descriptor: DescriptorOptions;
  /** The blob, `<registry>/<repo>@<digest>` or `<layout>@<digest>`. */
  readonly target: TargetOptions;
}

/** Parses the command line of `oras blob fetch`; it needs `--output` or `--descriptor`, not both for stdout. */
export function parseBlobFetch(argv: ParsedArgs, ctx: CliContext): BlobFetchOptions {
  const parsedCommon = common.parse(argv, ctx);
  const { output } = FLAGS.read(argv);
  const described = descriptor.parse(argv, ctx);
  if (output === undefined && !described.descriptor)
    throw new CliError('either `--output` or `--descriptor` must be provided');
  if (output === '-' && described.descriptor)
    throw new CliError('`--descriptor` cannot be used with `--output -` at the same time');
  return {
    common: parsedCommon,
    output,
    descriptor: described,
    target: target.parse(argv, ctx, ARGS.read(argv).name ?? ''),
  };
}

/** The definition of `oras blob fetch`. */
export const command: CommandFactory = (ctx) => ({
  command: 'fetch <name>',
  aliases: ['get'],
  describe: 'Fetch a blob from a registry or an OCI image layout',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras blob fetch [flags] {--output <file> | --descriptor} <name>@<digest>\n\n' +
            'Fetch a blob from a registry or an OCI image layout',
        ),
        FLAGS.flags(),
        descriptor.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras blob fetch -o blob.tar localhost:5000/hello@sha256:9a20...', 'Save a blob to a file'],
        ['oras blob fetch -o - localhost:5000/hello@sha256:9a20... | tar x', 'Write a blob to stdout'],
        [
          'oras blob fetch --descriptor localhost:5000/hello@sha256:9a20...',
          'Print the descriptor of a blob',
        ],
        [
          'oras blob fetch -o blob.tar --descriptor localhost:5000/hello@sha256:9a20...',
          'Save a blob and print its descriptor',
        ],
        [
          'oras blob fetch --oci-layout -o blob.tar layout-dir@sha256:9a20...',
          'Fetch from an OCI image layout folder',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseBlobFetch(argv, ctx);
    await (await import('./run.js')).runBlobFetch(options, ctx);
  },
});
