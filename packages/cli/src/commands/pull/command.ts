/** `oras pull`: pull files from a registry or an OCI image layout. */
import type { Platform } from '@oras/spec';
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { CliError } from '../../errors.js';
import { type CommonOptions, common } from '../../options/common.js';
import { concurrencyOptions } from '../../options/concurrency.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { type FormatOptions, formatOptions } from '../../options/format.js';
import { type FileRef, parseFileRef } from '../../options/packer.js';
import { platformOptions } from '../../options/platform.js';
import { parseByteSize } from '../../options/size.js';
import { type TargetOptions, targetOptions } from '../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

const ARGS = flagSet({
  name: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>} or a layout path' },
});

const FLAGS = flagSet({
  output: { alias: 'o', type: 'string', default: '.', describe: 'output directory' },
  'keep-old-files': {
    alias: 'k',
    type: 'boolean',
    describe: 'do not replace existing files when pulling, treat them as errors',
  },
  'allow-path-traversal': {
    alias: 'T',
    type: 'boolean',
    describe: 'allow storing files out of the output directory',
  },
  'max-unpack-size': {
    type: 'string',
    describe:
      'the most bytes a directory layer may unpack to: a number of bytes or a size such as 10GiB (default 16GiB; all layers of a pull together: 64GiB, or this size when larger)',
  },
  'include-subject': {
    type: 'boolean',
    describe: 'recursively pull the subject of artifacts',
  },
  config: { type: 'string', describe: 'output manifest config file' },
  'allow-all': { alias: 'a', type: 'boolean', hidden: true, describe: '(legacy) pull all layers' },
  'media-type': {
    alias: 't',
    type: 'string',
    array: true,
    hidden: true,
    describe: '(legacy) pull only layers of these media types',
  },
});

const platform = platformOptions();
const concurrency = concurrencyOptions(3);
const format = formatOptions();
const target = targetOptions({ form: '<registry>/<repo>{:<tag>|@<digest>}', requireReference: true });

/** The parsed arguments and flags of `oras pull`. */
export interface PullOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `-o/--output`: the output directory, or `-` for the single layer to stdout. */
  readonly output: string;
  /** `--format`, `--template` (refused with `-o -`). */
  readonly format: FormatOptions;
  /** The artifact. */
  readonly target: TargetOptions<string>;
  /** `--platform`. */
  readonly platform: Platform | undefined;
  /** `-k/--keep-old-files`. */
  readonly keepOldFiles: boolean;
  /** `-T/--allow-path-traversal`. */
  readonly allowPathTraversal: boolean;
  /** `--max-unpack-size` in bytes, if given. */
  readonly maxUnpackBytes: number | undefined;
  /** `--include-subject`. */
  readonly includeSubject: boolean;
  /** `--config path[:mediaType]`: where to save the config. */
  readonly config: FileRef | undefined;
  /** `-t/--media-type` (legacy): only layers of these media types. */
  readonly mediaTypes: readonly string[];
  /** `--concurrency`. */
  readonly concurrency: number;
}

/** Parses the command line of `oras pull`; with `-o -` only what streaming to stdout uses. */
export function parsePull(argv: ParsedArgs, ctx: CliContext): PullOptions {
  const parsedCommon = common.parse(argv, ctx);
  const flags = FLAGS.read(argv);
  const toStdout = flags.output === '-';
  if (toStdout) {
    const given = format.given(argv);
    if (given.format !== undefined || given.template !== undefined) {
      throw new CliError('`--output -` cannot be used with `--format` at the same time');
    }
  }
  const parsedFormat: FormatOptions = toStdout ? { type: 'text' } : format.parse(argv);
  const parsedTarget = target.parse(argv, ctx, ARGS.read(argv).name ?? '');
  const parsedPlatform = platform.parse(argv, ctx);
  const config = toStdout || flags.config === undefined ? undefined : flags.config;
  const maxUnpackSize = toStdout ? undefined : flags['max-unpack-size'];
  return {
    common: parsedCommon,
    output: flags.output,
    format: parsedFormat,
    target: parsedTarget,
    platform: parsedPlatform,
    keepOldFiles: flags['keep-old-files'] === true,
    allowPathTraversal: flags['allow-path-traversal'] === true,
    includeSubject: flags['include-subject'] === true,
    mediaTypes: flags['media-type'],
    config: config === undefined ? undefined : parseFileRef(config, { disablePathValidation: true }),
    concurrency: concurrency.parse(argv, ctx),
    maxUnpackBytes:
      maxUnpackSize === undefined ? undefined : parseByteSize(maxUnpackSize, '--max-unpack-size'),
  };
}

/** The definition of `oras pull`. */
export const command: CommandFactory = (ctx) => ({
  command: 'pull <name>',
  describe: summaryOf('pull'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras pull [flags] <name>{:<tag>|@<digest>}\n\n' +
            'Pull files from a registry or an OCI image layout',
        ),
        FLAGS.flags(),
        platform.flags(),
        concurrency.flags(),
        format.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras pull localhost:5000/hello:v1', 'Pull the files of an artifact into the current directory'],
        ['oras pull localhost:5000/hello:v1 -o out', 'Pull into a directory'],
        ['oras pull localhost:5000/hello@sha256:...', 'Pull by digest'],
        [
          'oras pull --platform linux/arm64 localhost:5000/hello:v1',
          'Pull the files of one platform of an index',
        ],
        ['oras pull --oci-layout layout-dir:v1', 'Pull from an OCI image layout'],
        ['oras pull --format json localhost:5000/hello:v1', 'Print the pulled files as JSON'],
      ],
    ),
  handler: async (argv) => {
    const options = parsePull(argv, ctx);
    // `-o -`: the single layer of the artifact to stdout
    if (options.output === '-') await (await import('./to-stdout.js')).pullToStdout(options, ctx);
    else await (await import('./run.js')).runPull(options, ctx);
  },
});
