/**
 * What still needs yargs, loaded only when a command line needs it: reading the flags of a line
 * that our own reader (`./flag-parser.js`) leaves to yargs, with the messages yargs gives for
 * them (`invalid values: ...`, `required flag(s) "artifact-type" not set`), and the full yargs
 * parser of every command (`buildCli`).
 */
import yargs, { type Argv } from 'yargs';
import { COMMANDS, type CommandEntry } from './command-table.js';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';
import { joinDashValues } from './flag-parser.js';

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

/** The part of yargs' internals {@link skipHelpCache} reaches. */
interface YargsInternals {
  getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } | undefined;
}

/**
 * yargs renders a command's whole help text before it runs the command's handler, in case the
 * handler asks for it (`showHelp()`); ours never do. That rendering measures every line with
 * `string-width`, whose Unicode tables and segmenter made it the largest single cost of starting
 * a command. Help itself (`--help`, rendered by `./help.js`) is unaffected.
 */
function skipHelpCache(y: unknown): void {
  const usage = (y as YargsInternals).getInternalMethods?.()?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/** Sets a yargs parser up as every run of `oras` parses: cobra-like, strict, errors thrown. */
function configureParser<T>(y: Argv<T>, ctx: CliContext): Argv<T> {
  const out = y
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
    .help(false)
    .wrap(Math.min(HELP_WIDTH, ctx.stdout.columns ?? HELP_WIDTH))
    .fail((msg, err) => {
      throw err ?? new CliError(usageMessage(msg ?? 'invalid arguments'));
    });
  skipHelpCache(out);
  return out;
}

/**
 * Reads the flag words of a command line (the line without its command words and positional
 * arguments) with yargs, on a parser built from the command's definition.
 */
export async function parseWithYargs(
  definition: { readonly builder?: unknown },
  tokens: readonly string[],
  ctx: CliContext,
): Promise<Record<string, unknown>> {
  const y = yargs([]) as unknown as Argv;
  if (typeof definition.builder === 'function') (definition.builder as (y: Argv) => unknown)(y);
  else if (definition.builder && typeof definition.builder === 'object')
    y.options(definition.builder as Record<string, never>);
  return (await configureParser(y, ctx).parseAsync([...tokens])) as Record<string, unknown>;
}

/**
 * Builds the yargs parser of `oras` for one run: every command, or with `only` just that one.
 * Only a command without a handler of its own runs through it.
 */
export async function buildCli(argv: readonly string[], ctx: CliContext, only?: CommandEntry) {
  const modules = await Promise.all((only ? [only] : COMMANDS).map((c) => c.load()));
  let y = configureParser(yargs(joinDashValues(argv)), ctx);
  for (const mod of modules) y = y.command(mod.command(ctx));
  skipHelpCache(y);
  return y;
}
