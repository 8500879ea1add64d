/** `oras logout`: log out from a remote registry. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras logout`. */
export const command: CommandFactory = (ctx) => ({
  command: 'logout <registry>',
  describe: summaryOf('logout'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('registry', { type: 'string', describe: 'the registry host, e.g. localhost:5000' })
          .usage(
            'oras logout [flags] <registry>\n\nLog out from a remote registry: forget its stored credential.',
          ),
        {
          'registry-config': {
            alias: 'c',
            type: 'string',
            array: true,
            describe: '[Preview] registry authentication config path',
          },
        },
        commonFlags(),
      ),
      [
        ['oras logout localhost:5000', 'Log out from a registry'],
        [
          'oras logout --registry-config path/to/config.json localhost:5000',
          'Log out using another config file',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runLogout(argv, ctx),
});
