/** `oras attach`: attach files to an existing artifact. */
import type { Platform } from '@oras/spec';
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { type CommonOptions, common } from '../../options/common.js';
import { concurrencyOptions } from '../../options/concurrency.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { type FormatOptions, formatOptions } from '../../options/format.js';
import { platformOptions } from '../../options/platform.js';
import { type TargetOptions, targetOptions } from '../../options/target.js';
import { ATTACH_SUBJECT_HINT, withReferenceLead } from '../../reference-errors.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

const ARGS = flagSet({
  name: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' },
  files: { type: 'string', array: true, describe: '<file>[:<mediaType>] ...' },
});

const FLAGS = flagSet({
  'artifact-type': { type: 'string', demandOption: true, describe: 'artifact type' },
  annotation: {
    alias: 'a',
    type: 'string',
    array: true,
    describe: 'manifest annotations',
  },
  'annotation-file': { type: 'string', describe: 'path of the annotation file' },
  'export-manifest': { type: 'string', describe: '`path` of the pushed manifest' },
  config: {
    type: 'string',
    describe: '`path` of image config file',
  },
  'disable-path-validation': { type: 'boolean', describe: 'skip path validation' },
});

const platform = platformOptions(
  '[Preview] attach to an arch-specific subject in the form of `os[/arch][/variant][:os_version]`',
);
const concurrency = concurrencyOptions(5);
const format = formatOptions();
const target = targetOptions({
  form: '<registry>/<repo>{:<tag>|@<digest>}',
  requireReference: true,
  distributionSpec: true,
});

/** The parsed arguments and flags of `oras attach`. */
export interface AttachOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `--format`, `--template`. */
  readonly format: FormatOptions;
  /** The artifact to attach to. */
  readonly target: TargetOptions<string>;
  /** `--artifact-type`. */
  readonly artifactType: string;
  /** `--platform` of the subject. */
  readonly platform: Platform | undefined;
  /** `-a key=value` annotations. */
  readonly annotations: readonly string[];
  /** `--annotation-file`. */
  readonly annotationFile: string | undefined;
  /** `<file>[:<mediaType>]` arguments. */
  readonly files: readonly string[];
  /** `--config <file>[:<mediaType>]`. */
  readonly config: string | undefined;
  /** `--export-manifest`. */
  readonly exportManifest: string | undefined;
  /** `--disable-path-validation`. */
  readonly disablePathValidation: boolean;
  /** `--concurrency`. */
  readonly concurrency: number;
}

/** Parses the command line of `oras attach`. */
export function parseAttach(argv: ParsedArgs, ctx: CliContext): AttachOptions {
  const args = ARGS.read(argv);
  const flags = FLAGS.read(argv);
  let parsedTarget: TargetOptions<string>;
  try {
    parsedTarget = target.parse(argv, ctx, args.name ?? '');
  } catch (error) {
    // without a file, the reference may be a file name: oras asks whether the subject is missing
    throw args.files.length === 0 ? withReferenceLead(error, ATTACH_SUBJECT_HINT) : error;
  }
  return {
    common: common.parse(argv, ctx),
    format: format.parse(argv),
    target: parsedTarget,
    artifactType: flags['artifact-type'] ?? '',
    platform: platform.parse(argv, ctx),
    annotations: flags.annotation,
    annotationFile: flags['annotation-file'],
    files: args.files,
    config: flags.config,
    exportManifest: flags['export-manifest'],
    disablePathValidation: flags['disable-path-validation'] === true,
    concurrency: concurrency.parse(argv, ctx),
  };
}

/** The definition of `oras attach`. */
export const command: CommandFactory = (ctx) => ({
  command: 'attach <name> [files..]',
  describe: summaryOf('attach'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} {<file>[:<layer_media_type>]|--annotation <key>=<value>} [...]\n\n' +
            '[Preview] Attach files to an existing artifact\n\n** This command is in preview and under development. **',
        ),
        FLAGS.flags(),
        platform.flags(),
        concurrency.flags(),
        format.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        [
          'oras attach --artifact-type doc/example localhost:5000/hello:v1 hi.txt',
          'Attach a file to an artifact',
        ],
        [
          'oras attach --artifact-type doc/example -a "k=v" localhost:5000/hello:v1',
          'Attach annotations only',
        ],
        [
          'oras attach --artifact-type sbom/example --platform linux/amd64 localhost:5000/hello:v1 sbom.json',
          'Attach to one platform of an index',
        ],
        [
          'oras attach --oci-layout --artifact-type doc/example layout-dir:v1 hi.txt',
          'Attach in an OCI image layout',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseAttach(argv, ctx);
    await (await import('./run.js')).runAttach(options, ctx);
  },
});
