/** `oras restore`: push the tagged artifacts of an OCI image layout (a backup) to a repository. */
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { type CommonOptions, common } from '../../options/common.js';
import { concurrencyOptions } from '../../options/concurrency.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { type RemoteOptions, remoteOptions } from '../../options/remote.js';
import { distributionSpecOptions } from '../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

const ARGS = flagSet({
  name: { type: 'string', describe: '<registry>/<repository>[:<tag>[,<tag>...]]' },
});

const FLAGS = flagSet({
  input: {
    type: 'string',
    demandOption: true,
    describe: 'path to the OCI layout, either a tar archive (*.tar) or a directory',
  },
  'exclude-referrers': { type: 'boolean', describe: 'restore artifacts excluding their referrers' },
  'dry-run': {
    type: 'boolean',
    describe: 'simulate the restore process without actually uploading any artifacts',
  },
});

const concurrency = concurrencyOptions(5);
const distributionSpec = distributionSpecOptions();
const remote = remoteOptions();

/** The parsed arguments and flags of `oras restore`. */
export interface RestoreOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `<registry>/<repository>[:<tag>[,<tag>...]]`, as typed. */
  readonly name: string;
  /** `--input`: a layout directory or tar file. */
  readonly input: string;
  /** `--exclude-referrers`. */
  readonly excludeReferrers: boolean;
  /** `--dry-run`. */
  readonly dryRun: boolean;
  /** `--concurrency`. */
  readonly concurrency: number;
  /** The referrers capability `--distribution-spec` forces. */
  readonly referrersCapability: boolean | undefined;
  /** The remote flags. */
  readonly remote: RemoteOptions;
}

/** Parses the command line of `oras restore`. */
export function parseRestore(argv: ParsedArgs, ctx: CliContext): RestoreOptions {
  const flags = FLAGS.read(argv);
  return {
    common: common.parse(argv, ctx),
    name: ARGS.read(argv).name ?? '',
    input: flags.input ?? '',
    excludeReferrers: flags['exclude-referrers'] === true,
    dryRun: flags['dry-run'] === true,
    concurrency: concurrency.parse(argv, ctx),
    referrersCapability: distributionSpec.parse(argv, ctx),
    remote: remote.parse(argv, ctx),
  };
}

/** The definition of `oras restore`. */
export const command: CommandFactory = (ctx) => ({
  command: 'restore <name>',
  describe: summaryOf('restore'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras restore [flags] --input <path> <registry>/<repository>[:<ref1>[,<ref2>...]]\n\n' +
            '[Experimental] Restore artifacts to a registry from an OCI image layout, which can be a directory or a tar archive.\n' +
            'If the input path ends with ".tar", it is recognized as a tar archive; otherwise, it is recognized as a directory.',
        ),
        FLAGS.flags(),
        concurrency.flags(),
        distributionSpec.flags(),
        remote.flags(),
        common.flags(),
      ),
      [
        ['oras restore --input hello.tar localhost:5000/hello:v1', 'Restore one artifact from a tar archive'],
        ['oras restore --input hello localhost:5000/hello', 'Restore every tag from a directory'],
        ['oras restore --input hello --dry-run localhost:5000/hello', 'Show what would be restored'],
        ['oras restore --input hello --exclude-referrers localhost:5000/hello', 'Restore without referrers'],
      ],
    ),
  handler: async (argv) => {
    const options = parseRestore(argv, ctx);
    await (await import('./run.js')).runRestore(options, ctx);
  },
});
