/** `oras cp` (`copy`): copy artifacts from one target to another. */
import type { Platform } from '@oras/spec';
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { type CommonOptions, common } from '../../options/common.js';
import { concurrencyOptions } from '../../options/concurrency.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { type FormatOptions, formatOptions } from '../../options/format.js';
import { platformOptions } from '../../options/platform.js';
import { sharedResolve } from '../../options/remote.js';
import { type TargetOptions, targetOptions } from '../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

const ARGS = flagSet({
  from: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' },
  to: { type: 'string', describe: '<registry>/<repo>[:<tag>[,<tag>...]]' },
});

const FLAGS = flagSet({
  recursive: {
    alias: 'r',
    type: 'boolean',
    describe: '[Preview] recursively copy the artifact and its referrer artifacts',
  },
});

const platform = platformOptions();
const concurrency = concurrencyOptions(3);
const format = formatOptions();
const source = targetOptions({
  prefix: 'from-',
  form: '<registry>/<repo>{:<tag>|@<digest>}',
  requireReference: true,
  distributionSpec: true,
});
const destination = targetOptions({
  prefix: 'to-',
  allowTags: true,
  form: '<registry>/<repo>[:<tag>[,<tag>][...]]',
  distributionSpec: true,
});

/** The parsed arguments and flags of `oras cp`. */
export interface CopyOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `--format`, `--template`. */
  readonly format: FormatOptions;
  /** The source, with the `--from-*` flags. */
  readonly from: TargetOptions<string>;
  /** The destination and its tags, with the `--to-*` flags. */
  readonly to: TargetOptions;
  /** `--platform`: copy one platform of an index. */
  readonly platform: Platform | undefined;
  /** `-r/--recursive`: copy the referrers too. */
  readonly recursive: boolean;
  /** `--concurrency`. */
  readonly concurrency: number;
}

/** Parses the command line of `oras cp`. */
export function parseCopy(argv: ParsedArgs, ctx: CliContext): CopyOptions {
  const args = ARGS.read(argv);
  return {
    common: common.parse(argv, ctx),
    format: format.parse(argv),
    from: source.parse(argv, ctx, args.from ?? ''),
    to: destination.parse(argv, ctx, args.to ?? ''),
    platform: platform.parse(argv, ctx),
    recursive: FLAGS.read(argv).recursive === true,
    concurrency: concurrency.parse(argv, ctx),
  };
}

/** The definition of `oras cp`. */
export const command: CommandFactory = (ctx) => ({
  command: 'cp <from> <to>',
  aliases: ['copy'],
  describe: summaryOf('cp'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]\n\n' +
            'Copy artifacts from one target to another. When copying an image index, all of its manifests will be copied',
        ),
        FLAGS.flags(),
        platform.flags(),
        concurrency.flags(),
        format.flags(),
        source.flags(),
        destination.flags(),
        sharedResolve.flags(),
        common.flags(),
      ),
      [
        [
          'oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1',
          'Copy an artifact between registries',
        ],
        [
          'oras cp -r localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1',
          'Copy it with its referrers',
        ],
        [
          'oras cp localhost:5000/net-monitor:v1 localhost:6000/copy:v1,v2,latest',
          'Copy and tag it several times',
        ],
        [
          'oras cp --to-oci-layout localhost:5000/net-monitor:v1 layout-dir:v1',
          'Copy into an OCI image layout',
        ],
        [
          'oras cp --from-oci-layout layout-dir:v1 localhost:5000/net-monitor:v1',
          'Copy from an OCI image layout',
        ],
        [
          'oras cp --platform linux/arm64 localhost:5000/hello:v1 localhost:6000/hello:arm64',
          'Copy one platform of an index',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseCopy(argv, ctx);
    await (await import('./run.js')).runCopy(options, ctx);
  },
});
