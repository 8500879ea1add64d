/** `oras manifest delete` (`remove`, `rm`): delete a manifest, asking first. */
import { commonFlags } from '../../../options/common.js';
import { forceFlag } from '../../../options/confirmation.js';
import { descriptorFlags } from '../../../options/descriptor.js';
import { remoteFlags } from '../../../options/remote.js';
import { distributionSpecFlags } from '../../../options/target.js';
import type { CommandFactory } from '../../define.js';
import { withExamples, withFlags } from '../../define.js';

/** The definition of `oras manifest delete`. */
export const command: CommandFactory = (ctx) => ({
  command: 'delete <name>',
  aliases: ['remove', 'rm'],
  describe: 'Delete a manifest from remote registry',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' })
          .usage(
            'oras manifest delete [flags] <name>{:<tag>|@<digest>}\n\n' +
              'Delete a manifest from a remote registry. It asks "[y/N]" first, reading the answer from stdin, unless --force is given.',
          ),
        forceFlag(),
        descriptorFlags('the deleted manifest'),
        distributionSpecFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras manifest delete localhost:5000/hello:v1', "Delete the manifest tagged 'v1' (asks first)"],
        ['oras manifest delete --force localhost:5000/hello:v1', 'Delete without asking'],
        ['echo y | oras manifest delete localhost:5000/hello:v1', 'Answer the prompt from a script'],
        [
          'oras manifest delete --force --descriptor localhost:5000/hello:v1',
          'Delete and print the descriptor',
        ],
        [
          'oras manifest delete localhost:5000/hello@sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9',
          'Delete by digest',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runManifestDelete(argv, ctx),
});
