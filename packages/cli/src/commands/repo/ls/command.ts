/** `oras repo ls` (`list`): list the repositories of a registry, or of a namespace in it. */
import { ErrorCode, parseReference } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { referenceProblem } from '../../../reference-errors.js';
import { CliError } from '../../../errors.js';
import { type CommonOptions, common } from '../../../options/common.js';
import { flagSet, type ParsedArgs } from '../../../options/flag-set.js';
import { type FormatOptions, formatOptions } from '../../../options/format.js';
import { type RemoteOptions, remoteOptions } from '../../../options/remote.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../define.js';

const ARGS = flagSet({ registry: { type: 'string', describe: '<registry>[/<namespace>]' } });

const FLAGS = flagSet({
  last: { type: 'string', describe: 'start after the repository specified by `last`' },
});

const format = formatOptions();
const remote = remoteOptions();

/** The parsed arguments and flags of `oras repo ls`. */
export interface RepoLsOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `--format`, `--template`. */
  readonly format: FormatOptions;
  /** `<registry>[/<namespace>]`, as typed. */
  readonly registry: string;
  /** The registry host. */
  readonly host: string;
  /** The namespace prefix (`ns/`), or empty for the whole registry. */
  readonly namespace: string;
  /** `--last`: start after this repository. */
  readonly last: string | undefined;
  /** The remote flags. */
  readonly remote: RemoteOptions;
}

/** Splits `<registry>[/<namespace>]` into the registry and the namespace prefix (`ns/`, or empty). */
export function parseRepoPath(arg: string): { registry: string; namespace: string } {
  const slash = arg.indexOf('/');
  const registry = slash < 0 ? arg : arg.slice(0, slash);
  const namespace = slash < 0 ? '' : arg.slice(slash + 1).replace(/\/+$/, '');
  let parsed: ReturnType<typeof parseReference>;
  try {
    parsed = parseReference(`${registry}/${namespace || 'oras'}`);
  } catch (error) {
    const problem = referenceProblem(`${registry}/${namespace || 'oras'}`) ?? (error as Error).message;
    throw new CliError(`could not parse repository path: invalid reference: ${problem}`, {
      code: ErrorCode.InvalidReference,
      cause: error,
      hint: 'Please make sure the provided registry is in the form of <registry>[/<namespace>]',
    });
  }
  if (parsed.tag !== undefined || parsed.digest !== undefined) {
    throw new CliError('could not parse repository path: tags or digests should not be provided');
  }
  return { registry, namespace: namespace === '' ? '' : `${namespace}/` };
}

/** Parses the command line of `oras repo ls`. */
export function parseRepoLs(argv: ParsedArgs, ctx: CliContext): RepoLsOptions {
  const parsedCommon = common.parse(argv, ctx);
  const parsedFormat = format.parse(argv);
  const registry = ARGS.read(argv).registry ?? '';
  const { registry: host, namespace } = parseRepoPath(registry);
  return {
    common: parsedCommon,
    format: parsedFormat,
    registry,
    host,
    namespace,
    last: FLAGS.read(argv).last,
    remote: remote.parse(argv, ctx),
  };
}

/** The definition of `oras repo ls`. */
export const command: CommandFactory = (ctx) => ({
  command: 'ls <registry>',
  aliases: ['list'],
  describe: 'List the repositories under the registry',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras repo ls [flags] <registry>\n\n' + 'List the repositories under the registry',
        ),
        FLAGS.flags(),
        format.flags(),
        remote.flags(),
        common.flags(),
      ),
      [
        ['oras repo ls localhost:5000', 'List the repositories of a registry'],
        ['oras repo ls localhost:5000/example-namespace', 'List the repositories under a namespace'],
        ['oras repo ls --last last_repo localhost:5000', 'List the repositories after last_repo'],
        ['oras repo ls --format json localhost:5000', 'Print the list as JSON'],
        [
          "oras repo ls --format go-template='{{range .repositories}}{{println .}}{{end}}' localhost:5000",
          'Print the repositories through a Go template',
        ],
      ],
    ),
  handler: async (argv) => {
    const options = parseRepoLs(argv, ctx);
    await (await import('./run.js')).runRepoLs(options, ctx);
  },
});
