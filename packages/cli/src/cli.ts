/**
 * The yargs command tree of `oras`: every command of the command table with its flags, usage and
 * examples, one error path for parse failures and command failures alike.
 */
import yargs from 'yargs';
import { COMMANDS, type CommandEntry, findCommand } from './command-table.js';
import type { CliContext } from './context.js';
import { CliError, EXIT_FAILURE, renderError } from './errors.js';
import { renderRootHelp } from './root-help.js';

/** The width help text wraps at. */
export const HELP_WIDTH = 100;

/** Turns a yargs validation message into oras's lower-case, context-first form. */
export function usageMessage(msg: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
  if (unknown?.[1]) {
    const names = unknown[1].split(', ');
    return `unknown flag: ${names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ')}`;
  }
  const notEnough = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(msg);
  if (notEnough) return `requires at least ${notEnough[2]} argument(s), only received ${notEnough[1]}`;
  const tooMany = /^Too many non-option arguments: got (\d+), maximum of (\d+)$/.exec(msg);
  if (tooMany) return `accepts at most ${tooMany[2]} arg(s), received ${tooMany[1]}`;
  const missing = /^Missing required arguments?: (.*)$/.exec(msg);
  if (missing?.[1])
    return `required flag(s) ${missing[1]
      .split(', ')
      .map((n) => `"${n}"`)
      .join(', ')} not set`;
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}

/** Long flags whose value may be `-` (stdout or stdin). */
const DASH_VALUE_FLAGS = new Set(['--output', '--input']);

/**
 * yargs reads a lone `-` after a long flag as the start of another flag, not as its value, so
 * `--output -` is passed on as `--output=-` (the short `-o -` works as it is).
 */
export function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (DASH_VALUE_FLAGS.has(arg) && argv[i + 1] === '-') {
      out.push(`${arg}=-`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Builds the yargs parser for one run. With `only`, just that command's definition is loaded and
 * registered (the command line names it; the others would only cost start-up time).
 */
export async function buildCli(argv: readonly string[], ctx: CliContext, only?: CommandEntry) {
  const modules = await Promise.all((only ? [only] : COMMANDS).map((c) => c.load()));
  let y = yargs(joinDashValues(argv))
    .scriptName('oras')
    .parserConfiguration({
      'boolean-negation': false,
      'greedy-arrays': false,
      'strip-aliased': false,
      'halt-at-non-option': false,
    })
    .strict()
    .exitProcess(false)
    .version(false)
    .help('help')
    .alias('help', 'h')
    .wrap(Math.min(HELP_WIDTH, ctx.stdout.columns ?? HELP_WIDTH))
    .fail((msg, err) => {
      throw err ?? new CliError(usageMessage(msg ?? 'invalid arguments'));
    });
  for (const mod of modules) y = y.command(mod.command(ctx));
  skipHelpCache(y);
  return y;
}

/** The part of yargs' internals {@link skipHelpCache} reaches. */
interface YargsInternals {
  getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } | undefined;
}

/**
 * yargs renders a command's whole help text before it runs the command's handler, in case the
 * handler asks for it (`showHelp()`); ours never do. That rendering measures every line with
 * `string-width`, whose Unicode tables and segmenter made it the largest single cost of starting
 * a command. Help itself (`--help`, which does not go through the cache) is unaffected.
 */
function skipHelpCache(y: unknown): void {
  const usage = (y as YargsInternals).getInternalMethods?.()?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/** Whether the argument list asks for help. */
function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Runs a command line through yargs; prints any failure as oras does and resolves to the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  if (argv[0] === '__complete') return completeFlags(argv[1], ctx);
  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && wantsHelp(argv)) {
    ctx.stdout.write(renderRootHelp());
    return 0;
  }
  const debug = argv.includes('--debug') || argv.some((a) => /^-[a-zA-Z]*d[a-zA-Z]*$/.test(a));
  try {
    if (first !== undefined && !COMMANDS.some((c) => c.name === first || c.aliases.includes(first))) {
      throw new CliError(`unknown command "${first}" for "oras"`, { hint: "Run 'oras --help' for usage." });
    }
    if (first === undefined)
      throw new CliError('a command is required', { hint: "Run 'oras --help' for usage." });
    const parser = await buildCli(argv, ctx, findCommand(first));
    if (wantsHelp(argv)) {
      const output = await new Promise<string>((resolve, reject) => {
        parser.parse([...argv], {}, (err, _args, text) => (err ? reject(err) : resolve(text)));
      });
      ctx.stdout.write(`${output}\n`);
      return 0;
    }
    await parser.parseAsync();
    return 0;
  } catch (error) {
    ctx.stderr.write(renderError(error, debug));
    return EXIT_FAILURE;
  }
}

/** The yargs option table, as `getOptions()` returns it. */
interface CompletionOptions {
  readonly key: Record<string, unknown>;
  readonly alias: Record<string, string[]>;
  readonly hiddenOptions: string[];
}

/** Positional argument names, which are not flags. */
const POSITIONALS = new Set(['name', 'files', 'from', 'to', 'tags', 'registry', 'shell', 'version']);

/** Prints the flags of a command, space-separated, for the shell completion scripts. */
async function completeFlags(name: string | undefined, ctx: CliContext): Promise<number> {
  const entry = COMMANDS.find((c) => c.name === name || c.aliases.includes(name ?? ''));
  if (!entry) return 0;
  const mod = (await entry.load()).command(ctx);
  const y = yargs([]);
  if (typeof mod.builder === 'function') mod.builder(y);
  const opts = (y as unknown as { getOptions(): CompletionOptions }).getOptions();
  const flags = new Set<string>();
  for (const key of Object.keys(opts.key)) {
    if (opts.hiddenOptions.includes(key) || POSITIONALS.has(key)) continue;
    flags.add(key.length === 1 ? `-${key}` : `--${key}`);
    for (const alias of opts.alias[key] ?? []) flags.add(alias.length === 1 ? `-${alias}` : `--${alias}`);
  }
  flags.add('--help');
  ctx.stdout.write(`${[...flags].sort().join(' ')}\n`);
  return 0;
}
