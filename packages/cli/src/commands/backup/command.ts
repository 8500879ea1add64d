/** `oras backup`: copy tagged artifacts (and their referrers) of a repository into an OCI image layout. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { concurrencyFlag } from '../../options/concurrency.js';
import { remoteFlags } from '../../options/remote.js';
import { distributionSpecFlags } from '../../options/target.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras backup`. */
export const command: CommandFactory = (ctx) => ({
  command: 'backup <name>',
  describe: summaryOf('backup'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repository>[:<tag>[,<tag>...]]' })
          .usage(
            'oras backup [flags] --output <path> <registry>/<repository>[:<ref1>[,<ref2>...]]\n\n' +
              '[Experimental] Back up artifacts from a registry into an OCI image layout, saved either as a directory or a tar archive. ' +
              'An output path ending in ".tar" makes a tar archive; anything else a directory. Without tags, every tag is backed up.',
          ),
        {
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
        },
        concurrencyFlag(3),
        distributionSpecFlags(),
        remoteFlags(),
        commonFlags(),
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
  handler: async (argv) => (await import('./run.js')).runBackup(argv, ctx),
});
