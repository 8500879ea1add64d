/** `oras repo ls` (`list`): list the repositories of a registry, or of a namespace in it. */
import { commonFlags } from '../../../options/common.js';
import { formatFlags } from '../../../options/format.js';
import { remoteFlags } from '../../../options/remote.js';
import type { CommandFactory } from '../../define.js';
import { withExamples, withFlags } from '../../define.js';

/** The definition of `oras repo ls`. */
export const command: CommandFactory = (ctx) => ({
  command: 'ls <registry>',
  aliases: ['list'],
  describe: 'List the repositories under the registry',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('registry', { type: 'string', describe: '<registry>[/<namespace>]' })
          .usage(
            'oras repo ls [flags] <registry>[/<namespace>]\n\n' +
              'List the repositories under the registry (the catalog API, all pages).',
          ),
        { last: { type: 'string', describe: 'start after the repository specified by `last`' } },
        formatFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras repo ls localhost:5000', 'List the repositories of a registry'],
        ['oras repo ls localhost:5000/example-namespace', 'List the repositories under a namespace'],
        ['oras repo ls --last last_repo localhost:5000', 'List the repositories after last_repo'],
        ['oras repo ls --format json localhost:5000', 'Print the list as JSON'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runRepoLs(argv, ctx),
});
