/** `oras login`: log in to a remote registry. */
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { type CommonOptions, common } from '../../options/common.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { type RemoteOptions, remoteOptions } from '../../options/remote.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

const ARGS = flagSet({
  registry: { type: 'string', describe: 'the registry host, e.g. localhost:5000' },
});

const remote = remoteOptions();

/** The parsed arguments and flags of `oras login`. */
export interface LoginOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** The remote flags (credentials, TLS, the config to store into). */
  readonly remote: RemoteOptions;
  /** The registry argument, as typed. */
  readonly registry: string;
}

/** Parses the command line of `oras login`. */
export function parseLogin(argv: ParsedArgs, ctx: CliContext): LoginOptions {
  return {
    common: common.parse(argv, ctx),
    remote: remote.parse(argv, ctx),
    registry: ARGS.read(argv).registry ?? '',
  };
}

/** The definition of `oras login`. */
export const command: CommandFactory = (ctx) => ({
  command: 'login <registry>',
  describe: summaryOf('login'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage('oras login [flags] <registry>\n\n' + 'Log in to a remote registry'),
        remote.flags(),
        common.flags(),
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
  handler: async (argv) => {
    const options = parseLogin(argv, ctx);
    await (await import('./run.js')).runLogin(options, ctx);
  },
});
