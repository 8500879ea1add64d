/** `oras push`: push files to a registry or an OCI image layout. */
import { checkChoice } from '../../options/choice.js';
import type { Platform } from '@oras/spec';
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { type CommonOptions, common } from '../../options/common.js';
import { concurrencyOptions } from '../../options/concurrency.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { type FormatOptions, formatOptions } from '../../options/format.js';
import { platformFlagValue } from '../../options/platform.js';
import { type TargetOptions, targetOptions } from '../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

const ARGS = flagSet({
  name: { type: 'string', describe: '<registry>/<repo>[:<tag>[,<tag>...]] or a layout path' },
  files: { type: 'string', array: true, describe: '<file>[:<mediaType>] ...' },
});

/** The values of `--image-spec`, in oras's order. */
const IMAGE_SPECS = ['v1.1', 'v1.0'] as const;

const FLAGS = flagSet({
  'artifact-type': { type: 'string', describe: 'artifact type' },
  config: {
    alias: 'manifest-config',
    type: 'string',
    describe: '`path` of image config file',
  },
  annotation: {
    alias: 'a',
    type: 'string',
    array: true,
    describe: 'manifest annotations',
  },
  'annotation-file': {
    alias: 'manifest-annotations',
    type: 'string',
    describe: 'path of the annotation file',
  },
  'export-manifest': {
    alias: 'manifest-export',
    type: 'string',
    describe: '`path` of the pushed manifest',
  },
  'image-spec': {
    type: 'string',
    describe: `[Preview] specify manifest type for building artifact. Options: ${IMAGE_SPECS.join(', ')} (default v1.1, overridden to v1.0 if --config is used without --artifact-type)`,
  },
  'artifact-platform': {
    type: 'string',
    describe: '[Experimental] set artifact platform in the form of `os[/arch][/variant][:os_version]`',
  },
  'disable-path-validation': { type: 'boolean', describe: 'skip path validation' },
});

const concurrency = concurrencyOptions(5);
const format = formatOptions();
const target = targetOptions({ allowTags: true, form: '<registry>/<repo>[:<tag>[,<tag>][...]]' });

/** The parsed arguments and flags of `oras push`. */
export interface PushOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `--format`, `--template`. */
  readonly format: FormatOptions;
  /** Where to push, with its tags. */
  readonly target: TargetOptions;
  /** `<file>[:<mediaType>]` arguments. */
  readonly files: readonly string[];
  /** `--artifact-type` (empty when not given). */
  readonly artifactType: string;
  /** `--config <file>[:<mediaType>]`. */
  readonly config: string | undefined;
  /** `-a key=value` annotations. */
  readonly annotations: readonly string[];
  /** `--annotation-file`. */
  readonly annotationFile: string | undefined;
  /** `--export-manifest`. */
  readonly exportManifest: string | undefined;
  /** `--image-spec`. */
  readonly imageSpec: 'v1.0' | 'v1.1' | undefined;
  /** `--artifact-platform`. */
  readonly artifactPlatform: Platform | undefined;
  /** `--disable-path-validation`. */
  readonly disablePathValidation: boolean;
  /** `--concurrency`. */
  readonly concurrency: number;
}

/** Parses the command line of `oras push`. */
export function parsePush(argv: ParsedArgs, ctx: CliContext): PushOptions {
  const args = ARGS.read(argv);
  const flags = FLAGS.read(argv);
  return {
    common: common.parse(argv, ctx),
    format: format.parse(argv),
    target: target.parse(argv, ctx, args.name ?? ''),
    files: args.files,
    artifactType: flags['artifact-type'] ?? '',
    config: flags.config,
    annotations: flags.annotation,
    annotationFile: flags['annotation-file'],
    exportManifest: flags['export-manifest'],
    imageSpec: checkChoice('image-spec', flags['image-spec'], IMAGE_SPECS, 'image specification'),
    artifactPlatform: platformFlagValue(flags['artifact-platform'], 'artifact-platform'),
    disablePathValidation: flags['disable-path-validation'] === true,
    concurrency: concurrency.parse(argv, ctx),
  };
}

/** The definition of `oras push`. */
export const command: CommandFactory = (ctx) => ({
  command: 'push <name> [files..]',
  describe: summaryOf('push'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras push [flags] <name>[:<tag>[,<tag>][...]] <file>[:<type>] [...]\n\n' +
            'Push files to a registry or an OCI image layout',
        ),
        FLAGS.flags(),
        concurrency.flags(),
        format.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        [
          'oras push localhost:5000/hello:v1 hi.txt',
          'Push a file to a repository with the default media type',
        ],
        ['oras push localhost:5000/hello:v1 hi.txt:application/vnd.me.hi', 'Push a file with a media type'],
        ['oras push localhost:5000/hello:v1,v2,latest hi.txt', 'Push a file and tag it v1, v2 and latest'],
        ['oras push localhost:5000/hello:v1 ./docs', 'Push a directory as a tar+gzip layer'],
        [
          'oras push --artifact-type application/vnd.me.config localhost:5000/hello:v1 hi.txt',
          'Set the artifact type',
        ],
        [
          'oras push --config config.json:application/vnd.me.config localhost:5000/hello:v1 hi.txt',
          'Push with a config',
        ],
        ['oras push -a "key=value" localhost:5000/hello:v1 hi.txt', 'Add a manifest annotation'],
        ['oras push --oci-layout layout-dir:v1 hi.txt', 'Push into an OCI image layout'],
        ['oras push --format json localhost:5000/hello:v1 hi.txt', 'Print the result as JSON'],
      ],
    ),
  handler: async (argv) => {
    const options = parsePush(argv, ctx);
    await (await import('./run.js')).runPush(options, ctx);
  },
});
