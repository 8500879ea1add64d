/** `oras restore`: push the tagged artifacts of an OCI image layout (a backup) to a repository. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { concurrencyFlag } from '../../options/concurrency.js';
import { remoteFlags } from '../../options/remote.js';
import { distributionSpecFlags } from '../../options/target.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras restore`. */
export const command: CommandFactory = (ctx) => ({
  command: 'restore <name>',
  describe: summaryOf('restore'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repository>[:<tag>[,<tag>...]]' })
          .usage(
            'oras restore [flags] --input <path> <registry>/<repository>[:<ref1>[,<ref2>...]]\n\n' +
              '[Experimental] Restore artifacts to a registry from an OCI image layout, which can be either a directory or a tar archive. ' +
              'Without tags, every tag of the layout is restored, with its referrers unless --exclude-referrers.',
          ),
        {
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
        },
        concurrencyFlag(5),
        distributionSpecFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras restore --input hello.tar localhost:5000/hello:v1', 'Restore one artifact from a tar archive'],
        ['oras restore --input hello localhost:5000/hello', 'Restore every tag from a directory'],
        ['oras restore --input hello --dry-run localhost:5000/hello', 'Show what would be restored'],
        ['oras restore --input hello --exclude-referrers localhost:5000/hello', 'Restore without referrers'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runRestore(argv, ctx),
});
