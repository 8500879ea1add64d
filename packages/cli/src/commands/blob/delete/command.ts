/** `oras blob delete` (`remove`, `rm`): delete a blob, asking first. */
import { commonFlags } from '../../../options/common.js';
import { forceFlag } from '../../../options/confirmation.js';
import { descriptorFlags } from '../../../options/descriptor.js';
import { remoteFlags } from '../../../options/remote.js';
import type { CommandFactory } from '../../define.js';
import { withExamples, withFlags } from '../../define.js';

/** The definition of `oras blob delete`. */
export const command: CommandFactory = (ctx) => ({
  command: 'delete <name>',
  aliases: ['remove', 'rm'],
  describe: 'Delete a blob from a remote registry',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>@<digest>' })
          .usage(
            'oras blob delete [flags] <name>@<digest>\n\n' +
              'Delete a blob from a remote registry. It asks "[y/N]" first, reading the answer from stdin, unless --force is given.',
          ),
        forceFlag(),
        descriptorFlags('the deleted blob'),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras blob delete localhost:5000/hello@sha256:9a20...', 'Delete a blob (asks first)'],
        [
          'oras blob delete --force localhost:5000/hello@sha256:9a20...',
          'Delete without asking; a missing blob is no error',
        ],
        [
          'oras blob delete --force --descriptor localhost:5000/hello@sha256:9a20...',
          'Delete and print the descriptor',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runBlobDelete(argv, ctx),
});
