/**
 * The command tree of `oras`, run the way cobra runs oras's: the command path is found first (a
 * mistyped command gets `Did you mean this?`), then the flags are checked (`unknown flag:
 * --plain-htp`), then the number of arguments (oras's `"oras cp" requires exactly 2 argument but
 * got 3` with the usage line), and only then are the flags read and the command run. The flags
 * are read by `./flag-parser.js`, or by yargs (loaded then) for a line it leaves to yargs.
 * `--help` is rendered here in cobra's layout. One error path prints every failure.
 */
import {
  argumentRule,
  type ChildEntry,
  type CommandNode,
  type FlagSpec,
  findChild,
  rootChildren,
} from './command-tree.js';
import { findCommand } from './command-table.js';
import { SHELLS } from './commands/completion/shells.js';
import type { CliContext } from './context.js';
import { CliError, EXIT_FAILURE, type ErrorContext, renderError } from './errors.js';
import { joinDashValues, readFlags } from './flag-parser.js';
import { renderCommandHelp } from './help.js';
import { MissingReferenceError } from './reference-errors.js';

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
  /**
   * The positions in the command line of the words that are neither flags nor their values: the
   * command's name (and its parents') and the positional arguments (`--` and all after it too).
   */
  readonly words: readonly number[];
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
  const words: number[] = [];
  let help = false;
  const path = () => node?.path.join(' ') ?? 'oras';
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i] as string;
    if (tok === '--') {
      args.push(...argv.slice(i + 1));
      for (let j = i; j < argv.length; j++) words.push(j);
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
        words.push(i);
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
    words.push(i);
  }
  return { node, args, flags, help, words };
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

/**
 * The arguments the handler of `node` gets for a checked command line (`line`, read from `argv`):
 * the flags read by {@link readFlags}, or by yargs for a line it leaves to yargs (or always, with
 * `parser: 'yargs'`); the positional arguments as `parseLine` read them. `by` says which read
 * the flags.
 */
export async function commandArguments(
  node: CommandNode,
  line: ParsedLine,
  argv: readonly string[],
  ctx: CliContext,
  parser: 'oras' | 'yargs' = 'oras',
): Promise<{ parsed: Record<string, unknown>; by: 'oras' | 'yargs' }> {
  // the command words and positional arguments are known already: the parser gets only flags
  const words = new Set(line.words);
  const tokens = joinDashValues(argv.filter((_, i) => !words.has(i)));
  const own = parser === 'oras' ? readFlags(node.flags, tokens) : undefined;
  const parsed = own ?? (await (await import('./yargs-run.js')).parseWithYargs(node.definition, tokens, ctx));
  const variadic = /[<[]([^\]>.]+)\.\.[\]>]/.exec(String(node.definition.command))?.[1];
  node.positionals.forEach((key, i) => {
    // yargs gives a variadic positional a list (empty when none is given)
    const value = key === variadic ? line.args.slice(i) : line.args[i];
    if (value === undefined) return;
    parsed[key] = value;
    parsed[key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  });
  return { parsed, by: own ? 'oras' : 'yargs' };
}

/** Runs a command line; prints any failure as oras does and resolves to the exit code. */
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
      const { renderRootHelp } = await import('./root-help.js');
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
    const { handler } = line.node;
    if (handler) {
      await handler((await commandArguments(line.node, line, argv, ctx)).parsed);
      return 0;
    }
    const { buildCli } = await import('./yargs-run.js');
    await (await buildCli(argv, ctx, findCommand(line.node.path[1] ?? ''))).parseAsync();
    return 0;
  } catch (caught) {
    const error = withCommandAdvice(caught, line);
    const context = await withCredentials(errorContextOf(line), line, error, ctx);
    ctx.stderr.write(renderError(error, debug, context));
    return EXIT_FAILURE;
  }
}
