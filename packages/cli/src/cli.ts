/**
 * The yargs command tree of `oras`, run the way cobra runs oras's: the command path is found
 * first (a mistyped command gets `Did you mean this?`), then the flags are checked (`unknown
 * flag: --plain-htp`), then the number of arguments (oras's `"oras cp" requires exactly 2
 * argument but got 3` with the usage line), and only then does yargs parse and run the command.
 * `--help` is rendered here in cobra's layout. One error path prints every failure.
 */
import yargs from 'yargs';
import {
  argumentRule,
  type ChildEntry,
  type CommandNode,
  type FlagSpec,
  findChild,
  rootChildren,
} from './command-tree.js';
import { COMMANDS, type CommandEntry, findCommand } from './command-table.js';
import { SHELLS } from './commands/completion/shells.js';
import type { CliContext } from './context.js';
import { CliError, EXIT_FAILURE, type ErrorContext, renderError } from './errors.js';
import { renderCommandHelp } from './help.js';
import { MissingReferenceError } from './reference-errors.js';
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
    .help(false)
    .wrap(Math.min(HELP_WIDTH, ctx.stdout.columns ?? HELP_WIDTH))
    .fail((msg, err) => {
      throw err ?? new CliError(usageMessage(msg ?? 'invalid arguments'));
    });
  for (const mod of modules) y = y.command(mod.command(ctx));
  skipHelpCache(y);
  return y;
}

/** Flag names and values seen on a command line, by long name. */
export type SeenFlags = Map<string, string[]>;

/** A command line read the way cobra reads it. */
export interface ParsedLine {
  /** The command the words name (`undefined`: the root). */
  readonly node: CommandNode | undefined;
  /** The positional arguments. */
  readonly args: readonly string[];
  /** The flags given, by long name, with their values (`'true'` for a boolean without one). */
  readonly flags: SeenFlags;
  /** Whether `-h`/`--help` was given. */
  readonly help: boolean;
}

/** `unknown command "x" for "oras manifest"` with cobra's suggestions. */
function unknownCommand(typed: string, parentPath: string, candidates: readonly string[]): CliError {
  const suggestions = suggest(typed, candidates);
  const did =
    suggestions.length > 0 ? `\nDid you mean this?\n${suggestions.map((s) => `\t${s}\n`).join('')}\n` : '';
  return new CliError(`unknown command "${typed}" for "${parentPath}"`, {
    hint: `${did}Run '${parentPath} --help' for usage.`,
  });
}

/** The Levenshtein distance of two strings, case-insensitive (as cobra's suggestions). */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[t.length] as number;
}

/** cobra's suggestions: names within 2 edits of what was typed, or starting with it. */
export function suggest(typed: string, candidates: readonly string[]): string[] {
  return candidates.filter(
    (name) => distance(typed, name) <= 2 || name.toLowerCase().startsWith(typed.toLowerCase()),
  );
}

/** The flag a long name or one letter names, if the command has it. */
function lookupFlag(flags: readonly FlagSpec[], name: string, short: boolean): FlagSpec | undefined {
  return flags.find((f) => (short ? f.short === name : f.name === name || f.aliases.includes(name)));
}

/** Records a flag's value. */
function see(flags: SeenFlags, name: string, value: string): void {
  const list = flags.get(name) ?? [];
  list.push(value);
  flags.set(name, list);
}

/**
 * Reads a command line as cobra does: finds the command path (sub-commands may follow flags),
 * checks each flag against the command's flags (`unknown flag: --x`, `unknown shorthand flag:
 * 'x' in -x`, `flag needs an argument: --x`) and collects the positional arguments. With
 * `lenient`, unknown flags and commands are skipped instead (for the shell completion).
 */
export async function parseLine(
  argv: readonly string[],
  ctx: CliContext,
  lenient = false,
): Promise<ParsedLine> {
  let children: readonly ChildEntry[] = await rootChildren(ctx);
  let node: CommandNode | undefined;
  const args: string[] = [];
  const flags: SeenFlags = new Map();
  let help = false;
  const path = () => node?.path.join(' ') ?? 'oras';
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i] as string;
    if (tok === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (tok.startsWith('--') && tok.length > 2) {
      const eq = tok.indexOf('=');
      const name = eq < 0 ? tok.slice(2) : tok.slice(2, eq);
      if (name === 'help') {
        help = true;
        continue;
      }
      const flag = lookupFlag(node?.flags ?? [], name, false);
      if (!flag) {
        if (lenient) continue;
        throw new CliError(`unknown flag: --${name}`);
      }
      if (eq >= 0) see(flags, flag.name, tok.slice(eq + 1));
      else if (flag.type === 'boolean') see(flags, flag.name, 'true');
      else if (i + 1 < argv.length) see(flags, flag.name, argv[++i] as string);
      else if (!lenient) throw new CliError(`flag needs an argument: --${name}`);
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1) {
      const letters = tok.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const letter = letters[j] as string;
        if (letter === 'h') {
          help = true;
          continue;
        }
        const flag = lookupFlag(node?.flags ?? [], letter, true);
        if (!flag) {
          if (lenient) break;
          throw new CliError(`unknown shorthand flag: '${letter}' in ${tok}`);
        }
        const rest = letters.slice(j + 1);
        if (flag.type === 'boolean') {
          if (rest.startsWith('=')) {
            see(flags, flag.name, rest.slice(1));
            break;
          }
          see(flags, flag.name, 'true');
          continue;
        }
        if (rest.length > 0) see(flags, flag.name, rest.startsWith('=') ? rest.slice(1) : rest);
        else if (i + 1 < argv.length) see(flags, flag.name, argv[++i] as string);
        else if (!lenient) throw new CliError(`flag needs an argument: '${letter}' in ${tok}`);
        break;
      }
      continue;
    }
    if (args.length === 0 && children.length > 0) {
      const child = findChild(children, tok);
      if (child) {
        node = await child.build();
        children = node.children;
        continue;
      }
      if (!lenient && node === undefined) {
        throw unknownCommand(tok, path(), [...children.map((c) => c.name), ...(node ? [] : ['help'])]);
      }
      if (!lenient && node !== undefined && !node.runnable) {
        throw unknownCommand(
          tok,
          path(),
          children.map((c) => c.name),
        );
      }
    }
    args.push(tok);
  }
  return { node, args, flags, help };
}

/** The usage of a command, for argument errors: `oras cp [flags] <from> <to>`. */
function usageOf(node: CommandNode): string {
  return node.usageLine;
}

/** Checks the positional arguments against oras's rule for the command. */
export function checkArguments(line: ParsedLine): void {
  const node = line.node;
  if (!node) return;
  const path = node.path.join(' ');
  if (path === 'oras tag' && (line.args[0] === 'list' || line.args[0] === 'ls')) {
    const container = line.flags.has('oci-layout') ? 'an OCI image layout' : 'a repository';
    throw new CliError(`there is no "list" sub-command for "oras tag" command`, {
      usage: usageOf(node),
      hint: `If you want to list available tags in ${container}, use "oras repo tags"`,
    });
  }
  if (path === 'oras completion' && line.args[0] !== undefined && !SHELLS.includes(line.args[0] as never)) {
    throw unknownCommand(line.args[0], path, SHELLS);
  }
  const rule = argumentRule(node);
  if (rule) {
    const ok = rule.kind === 'exactly' ? line.args.length === rule.count : line.args.length >= rule.count;
    if (!ok) {
      const text = `${rule.kind} ${rule.count} argument`;
      throw new CliError(`"${path}" requires ${text} but got ${line.args.length}`, {
        usage: usageOf(node),
        hint: `Please specify ${text} as ${rule.what}. Run "${path} -h" for more options and examples`,
      });
    }
    return;
  }
  if (node.positionals.length === 0 && line.args.length > 0) {
    // cobra.NoArgs: the error alone, without the `--help` line cobra adds to an unknown sub-command
    throw new CliError(`unknown command "${line.args[0]}" for "${path}"`);
  }
}

/** What the error output needs to know about the command line (its targets and credentials). */
export function errorContextOf(line: ParsedLine | undefined): ErrorContext {
  if (!line?.node) return {};
  const has = (name: string) => {
    const v = line.flags.get(name);
    return v !== undefined && v[v.length - 1] !== 'false';
  };
  const label = (prefix: string, raw: string | undefined) =>
    raw === undefined
      ? undefined
      : {
          type:
            has(`${prefix}oci-layout`) || has(`${prefix}oci-layout-path`)
              ? ('oci-layout' as const)
              : ('registry' as const),
          reference: raw.split(',')[0] ?? raw,
        };
  const binary = line.node.flags.some((f) => f.name === 'from-oci-layout');
  return {
    ...(binary ? { from: label('from-', line.args[0]), to: label('to-', line.args[1]) } : {}),
    layout: has('oci-layout') || has('oci-layout-path'),
  };
}

/** Flags that mean a credential is given on the command line, without their side's prefix. */
const CREDENTIAL_FLAGS = ['username', 'password', 'password-stdin', 'identity-token', 'identity-token-stdin'];

/** Adds what an error about credentials needs: the hosts a credential went to and the file. */
async function withCredentials(
  base: ErrorContext,
  line: ParsedLine | undefined,
  error: unknown,
  ctx: CliContext,
): Promise<ErrorContext> {
  const url = findUrl(error);
  const host = url ? safeHost(url) : undefined;
  const flagged = [...(line?.flags.keys() ?? [])].some((name) =>
    CREDENTIAL_FLAGS.includes(name.replace(/^(from|to)-/, '')),
  );
  let configPath: string | undefined;
  const hosts = new Set<string>();
  try {
    const { createCredentialStore, credentialFuncFromStore } = await import('@oras/auth');
    const configs = [
      ...(line?.flags.get('registry-config') ?? []),
      ...(line?.flags.get('from-registry-config') ?? []),
      ...(line?.flags.get('to-registry-config') ?? []),
    ];
    const store = createCredentialStore({
      ...(configs.length > 0 ? { configPaths: configs } : {}),
      env: ctx.env as NodeJS.ProcessEnv,
    });
    if (!flagged) configPath = store.configPath;
    if (host && !flagged) {
      const cred = await credentialFuncFromStore(store)(host);
      if (cred.username || cred.password || cred.refreshToken || cred.accessToken) hosts.add(host);
    }
  } catch {
    // the context only adds words; a broken config file says nothing here
  }
  if (host && flagged) hosts.add(host);
  return { ...base, credentialHosts: hosts, configPath };
}

/** The URL of the first registry answer in a cause chain. */
function findUrl(error: unknown): string | undefined {
  let cur: unknown = error;
  for (let depth = 0; cur && depth < 16; depth++) {
    const { url, statusCode, message } = cur as { url?: unknown; statusCode?: unknown; message?: unknown };
    if (typeof url === 'string' && typeof statusCode === 'number') return url;
    // an auth error keeps the status but names the request only in its message
    const named = typeof message === 'string' ? /^[A-Z]+ (https?:\/\/\S+?): /.exec(message) : null;
    if (named?.[1] && typeof statusCode === 'number') return named[1];
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
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

/**
 * A reference without its tag or digest, with what oras prints around it: the command's usage
 * line and `Please specify a reference ... Run "oras <cmd> -h" ...`. Other errors are unchanged.
 */
function withCommandAdvice(error: unknown, line: ParsedLine | undefined): unknown {
  if (!(error instanceof MissingReferenceError)) return error;
  const node = line?.node;
  return new CliError(error.message, {
    code: error.code,
    cause: error,
    hint: error.advice(node?.path.join(' ')),
    ...(node ? { usage: usageOf(node) } : {}),
  });
}

/** Runs a command line through yargs; prints any failure as oras does and resolves to the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  if (argv[0] === '__complete') {
    const { complete } = await import('./commands/completion/complete.js');
    return complete(argv.slice(1), ctx);
  }
  const debug = argv.includes('--debug') || argv.some((a) => /^-[a-zA-Z]*d[a-zA-Z]*$/.test(a));
  let line: ParsedLine | undefined;
  try {
    line = await parseLine(argv, ctx);
    if (!line.node) {
      ctx.stdout.write(renderRootHelp());
      return 0;
    }
    if (line.help || (!line.node.runnable && line.args.length === 0)) {
      ctx.stdout.write(renderCommandHelp(line.node));
      return 0;
    }
    if (line.node.path.join(' ') === 'oras completion' && line.args.length === 0) {
      ctx.stdout.write(renderCommandHelp(line.node));
      return 0;
    }
    checkArguments(line);
    const parser = await buildCli(argv, ctx, findCommand(line.node.path[1] ?? ''));
    await parser.parseAsync();
    return 0;
  } catch (caught) {
    const error = withCommandAdvice(caught, line);
    const context = await withCredentials(errorContextOf(line), line, error, ctx);
    ctx.stderr.write(renderError(error, debug, context));
    return EXIT_FAILURE;
  }
}
