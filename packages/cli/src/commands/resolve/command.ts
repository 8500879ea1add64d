/** `oras resolve` (`digest`): print the digest of a reference. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { platformFlag } from '../../options/platform.js';
import { remoteFlags } from '../../options/remote.js';
import { targetFlags } from '../../options/target.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras resolve`. */
export const command: CommandFactory = (ctx) => ({
  command: 'resolve <name>',
  aliases: ['digest'],
  describe: summaryOf('resolve'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' })
          .usage(
            'oras resolve [flags] <name>{:<tag>|@<digest>}\n\n[Preview] Resolves digest of the target artifact.',
          ),
        {
          'full-reference': {
            alias: 'l',
            type: 'boolean',
            describe: 'print the full artifact reference with digest',
          },
        },
        platformFlag(),
        targetFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras resolve localhost:5000/hello:v1', 'Print the digest of a tag'],
        ['oras resolve -l localhost:5000/hello:v1', 'Print the full reference with the digest'],
        ['oras resolve --platform linux/arm64 localhost:5000/hello:v1', 'Resolve one platform of an index'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runResolve(argv, ctx),
});
