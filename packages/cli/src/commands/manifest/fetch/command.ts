/** `oras manifest fetch` (`get`): print or save a manifest, its descriptor, or both as JSON. */
import type { Platform } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { CliError } from '../../../errors.js';
import { type CommonOptions, common } from '../../../options/common.js';
import { DESCRIPTOR_FLAGS, descriptorOptions } from '../../../options/descriptor.js';
import { flagSet, type ParsedArgs, refuseBoth } from '../../../options/flag-set.js';
import { FORMAT_FLAGS, type FormatOptions, formatOptions } from '../../../options/format.js';
import { platformOptions } from '../../../options/platform.js';
import { type TargetOptions, targetOptions } from '../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../define.js';

/** The formats of `manifest fetch`. */
export const MANIFEST_FETCH_FORMATS = [
  { type: 'text', describe: 'Print in text format' },
  { type: 'json', describe: 'Print in prettified JSON format' },
  { type: 'go-template', describe: 'Print using the given Go template' },
] as const;

const ARGS = flagSet({ name: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' } });

const FLAGS = flagSet({
  'media-type': {
    type: 'string',
    array: true,
    describe: 'accepted media types',
  },
  output: {
    alias: 'o',
    type: 'string',
    describe: 'file `path` to write the fetched manifest to, use - for stdout',
  },
});

const descriptor = descriptorOptions();
const platform = platformOptions();
const format = formatOptions(MANIFEST_FETCH_FORMATS);
const target = targetOptions({ form: '<registry>/<repo>{:<tag>|@<digest>}', requireReference: true });

/** The parsed arguments and flags of `oras manifest fetch`. */
export interface ManifestFetchOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `-o/--output`: a file, or `-` for stdout. */
  readonly output: string | undefined;
  /** `--descriptor`: print the descriptor. */
  readonly descriptorOnly: boolean;
  /** `--pretty`, when the manifest or descriptor goes to stdout. */
  readonly pretty: boolean;
  /** `--format`, `--template` (`text`, the raw manifest, when not given). */
  readonly format: FormatOptions;
  /** The manifest, by tag or digest. */
  readonly target: TargetOptions<string>;
  /** `--platform`. */
  readonly platform: Platform | undefined;
  /** `--media-type` values, comma-separated or repeated. */
  readonly mediaTypes: readonly string[];
}

/** Parses the command line of `oras manifest fetch`, refusing the flag combinations oras refuses. */
export function parseManifestFetch(argv: ParsedArgs, ctx: CliContext): ManifestFetchOptions {
  const parsedCommon = common.parse(argv, ctx);
  const flags = FLAGS.read(argv);
  const { output } = flags;
  const described = descriptor.parse(argv, ctx);
  const given = format.given(argv);
  if (output === '-' && (given.format !== undefined || given.template !== undefined)) {
    throw new CliError(
      `\`--output -\` cannot be used with \`--format ${given.format ?? 'go-template'}\` at the same time`,
    );
  }
  if (output === '-' && described.descriptor)
    throw new CliError('`--descriptor` cannot be used with `--output -` at the same time');
  refuseBoth(FORMAT_FLAGS.format, DESCRIPTOR_FLAGS.pretty, given.format !== undefined && described.pretty);
  refuseBoth(
    FORMAT_FLAGS.format,
    DESCRIPTOR_FLAGS.descriptor,
    given.format !== undefined && described.descriptor,
  );
  const parsedFormat = format.parse(argv);
  const parsedTarget = target.parse(argv, ctx, ARGS.read(argv).name ?? '');
  const parsedPlatform = platform.parse(argv, ctx);
  const mediaTypes = flags['media-type']
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (parsedTarget.spec.kind === 'oci-layout' && mediaTypes.length > 0) {
    throw new CliError('`--media-type` cannot be used with `--oci-layout` at the same time');
  }
  return {
    common: parsedCommon,
    output,
    descriptorOnly: described.descriptor,
    pretty: described.pretty && (output === undefined || output === '-'),
    format: parsedFormat,
    target: parsedTarget,
    platform: parsedPlatform,
    mediaTypes,
  };
}

/** The definition of `oras manifest fetch`. */
export const command: CommandFactory = (ctx) => ({
  command: 'fetch <name>',
  aliases: ['get'],
  describe: 'Fetch manifest of the target artifact',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras manifest fetch [flags] <name>{:<tag>|@<digest>}\n\nFetch manifest of the target artifact',
        ),
        FLAGS.flags(),
        descriptor.flags(),
        platform.flags(),
        format.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras manifest fetch localhost:5000/hello:v1', 'Fetch the raw manifest'],
        ['oras manifest fetch --descriptor localhost:5000/hello:v1', 'Fetch the descriptor of a manifest'],
        [
          "oras manifest fetch --media-type 'application/vnd.oci.image.manifest.v1+json' localhost:5000/hello:v1",
          'Fetch a manifest of a given media type',
        ],
        [
          'oras manifest fetch --platform linux/arm/v5 localhost:5000/hello:v1',
          'Fetch the manifest of one platform',
        ],
        ['oras manifest fetch --pretty localhost:5000/hello:v1', 'Fetch a manifest as prettified JSON'],
        ['oras manifest fetch -o manifest.json localhost:5000/hello:v1', 'Save a manifest to a file'],
        [
          'oras manifest fetch --format json localhost:5000/hello:v1',
          'Print the descriptor and content as JSON',
        ],
        ['oras manifest fetch --oci-layout layout-dir:v1', 'Fetch from an OCI image layout folder'],
        ['oras manifest fetch --oci-layout layout.tar:v1', 'Fetch from an OCI layout archive'],
      ],
    ),
  handler: async (argv) => {
    const options = parseManifestFetch(argv, ctx);
    await (await import('./run.js')).runManifestFetch(options, ctx);
  },
});
