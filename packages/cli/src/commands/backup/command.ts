/** `oras backup`: copy tagged artifacts (and their referrers) of a repository into an OCI image layout. */
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
  output: {
    alias: 'o',
    type: 'string',
    demandOption: true,
    describe: 'path to the target output, either a tar archive (*.tar) or a directory',
  },
  'include-referrers': {
    type: 'boolean',
    describe: 'back up the artifact with its referrers (e.g., attestations, SBOMs)',
  },
});

const concurrency = concurrencyOptions(3);
const distributionSpec = distributionSpecOptions();
const remote = remoteOptions();

/** The parsed arguments and flags of `oras backup`. */
export interface BackupOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `<registry>/<repository>[:<tag>[,<tag>...]]`, as typed. */
  readonly name: string;
  /** `-o/--output`: a directory, or a tar file (`*.tar`). */
  readonly output: string;
  /** `--include-referrers`. */
  readonly includeReferrers: boolean;
  /** `--concurrency`. */
  readonly concurrency: number;
  /** The referrers capability `--distribution-spec` forces. */
  readonly referrersCapability: boolean | undefined;
  /** The remote flags. */
  readonly remote: RemoteOptions;
}

/** Parses the command line of `oras backup`. */
export function parseBackup(argv: ParsedArgs, ctx: CliContext): BackupOptions {
  const flags = FLAGS.read(argv);
  return {
    common: common.parse(argv, ctx),
    name: ARGS.read(argv).name ?? '',
    output: flags.output ?? '',
    includeReferrers: flags['include-referrers'] === true,
    concurrency: concurrency.parse(argv, ctx),
    referrersCapability: distributionSpec.parse(argv, ctx),
    remote: remote.parse(argv, ctx),
  };
}

/** The definition of `oras backup`. */
export const command: CommandFactory = (ctx) => ({
  command: 'backup <name>',
  describe: summaryOf('backup'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras backup [flags] --output <path> <registry>/<repository>[:<ref1>[,<ref2>...]]\n\n' +
            '[Experimental] Back up artifacts from a registry into an OCI image layout, saved either as a directory or a tar archive.\n' +
            'The output format is determined by the file extension of the specified output path: if it ends with ".tar", the output will be a tar archive; otherwise, it will be a directory.',
        ),
        FLAGS.flags(),
        concurrency.flags(),
        distributionSpec.flags(),
        remote.flags(),
        common.flags(),
      ),
      [
        ['oras backup --output hello localhost:5000/hello:v1', 'Back up one artifact to a directory'],
        ['oras backup --output hello.tar localhost:5000/hello:v1', 'Back up to a tar archive'],
        [
          'oras backup --output hello --include-referrers localhost:5000/hello:v1',
          'Back up an artifact with its referrers',
        ],
        ['oras backup --output hello localhost:5000/hello:v1,v2,v3', 'Back up several tags'],
        ['oras backup --output hello localhost:5000/hello', 'Back up every tag of a repository'],
      ],
    ),
  handler: async (argv) => {
    const options = parseBackup(argv, ctx);
    await (await import('./run.js')).runBackup(options, ctx);
  },
});
