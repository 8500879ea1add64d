/** `oras logout`: log out from a remote registry. */
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { common } from '../../options/common.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

const ARGS = flagSet({
  registry: { type: 'string', describe: 'the registry host, e.g. localhost:5000' },
});

const FLAGS = flagSet({
  'registry-config': {
    alias: 'c',
    type: 'string',
    array: true,
    describe: '`path` of the authentication file for registry',
  },
});

/** The parsed arguments and flags of `oras logout`. */
export interface LogoutOptions {
  /** The registry to forget. */
  readonly registry: string;
  /** `--registry-config` paths. */
  readonly registryConfig: readonly string[];
}

/** Parses the command line of `oras logout`. */
export function parseLogout(argv: ParsedArgs, ctx: CliContext): LogoutOptions {
  common.parse(argv, ctx);
  return { registry: ARGS.read(argv).registry ?? '', registryConfig: FLAGS.read(argv)['registry-config'] };
}

/** The definition of `oras logout`. */
export const command: CommandFactory = (ctx) => ({
  command: 'logout <registry>',
  describe: summaryOf('logout'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage('oras logout [flags] <registry>\n\nLog out from a remote registry'),
        FLAGS.flags(),
        common.flags(),
      ),
      [
        ['oras logout localhost:5000', 'Log out from a registry'],
        [
          'oras logout --registry-config path/to/config.json localhost:5000',
          'Log out using another config file',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseLogout(argv, ctx);
    await (await import('./run.js')).runLogout(options, ctx);
  },
});
