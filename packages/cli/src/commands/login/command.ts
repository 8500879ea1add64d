/** `oras login`: log in to a remote registry. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { remoteFlags } from '../../options/remote.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras login`. */
export const command: CommandFactory = (ctx) => ({
  command: 'login <registry>',
  describe: summaryOf('login'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('registry', { type: 'string', describe: 'the registry host, e.g. localhost:5000' })
          .usage(
            'oras login [flags] <registry>\n\n' +
              'Log in to a remote registry. Without credentials on the command line, prompts for them; ' +
              'an empty username asks for an identity token.',
          ),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras login localhost:5000', 'Log in, typing the username and password at the prompts'],
        [
          'oras login -u username --password-stdin localhost:5000 < password.txt',
          'Log in with a password from stdin',
        ],
        [
          'oras login --identity-token-stdin localhost:5000 < token.txt',
          'Log in with an identity token from stdin',
        ],
        [
          'oras login --registry-config path/to/config.json localhost:5000',
          'Store the credential in another config file',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runLogin(argv, ctx),
});
