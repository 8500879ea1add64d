/**
 * The command tree of `oras` as the yargs definitions declare it, read back for what cobra does
 * on its own in oras: checking flags and the number of arguments before a command runs, naming
 * the closest command to a mistyped one, rendering `--help`, and completing nested commands and
 * their flags. A node's definition is built only when the walk reaches it, and read without
 * yargs: its builder runs on a recorder of what it declares.
 */
import type { CommandModule, Options, PositionalOptions } from 'yargs';
import { COMMANDS } from './command-table.js';
import type { CliContext } from './context.js';

/** One flag of a command. */
export interface FlagSpec {
  /** The long name, without dashes. */
  readonly name: string;
  /** The one-letter alias, if any. */
  readonly short: string | undefined;
  /** Other long names (the early ORAS syntax: `--manifest-config` for `--config`). */
  readonly aliases: readonly string[];
  /** What the flag takes: nothing (`boolean`), a value, a number, or a repeatable value. */
  readonly type: 'boolean' | 'string' | 'number' | 'array';
  /** The description. */
  readonly describe: string;
  /** The default, when the definition has one. */
  readonly default: unknown;
  /**
   * The default as help shows it, when it differs from the parsed default (yargs'
   * `defaultDescription`): oras's `(default -1)` for a flag whose absence we read as unset.
   */
  readonly defaultText?: string | undefined;
  /** Hidden from help and completion (still accepted). */
  readonly hidden: boolean;
  /** The values the flag accepts, when the definition restricts them (yargs' `choices`). */
  readonly choices?: readonly string[] | undefined;
  /** Whether the command refuses to run without the flag (yargs' `demandOption`). */
  readonly required?: boolean | undefined;
}

/** How many arguments a command takes and what it says when they do not fit. */
export interface ArgumentRule {
  /** `exactly` or `at least` `count` arguments. */
  readonly kind: 'exactly' | 'at least';
  /** The number. */
  readonly count: number;
  /** What the arguments are, in oras's words (`the source and destination for copying`). */
  readonly what: string;
}

/** One command of the tree, with what its definition declares. */
export interface CommandNode {
  /** The name as typed. */
  readonly name: string;
  /** Other names. */
  readonly aliases: readonly string[];
  /** The command path, e.g. `['oras', 'manifest', 'fetch']`. */
  readonly path: readonly string[];
  /** The one-line summary. */
  readonly summary: string;
  /** The usage line (oras's `Use`, with the command path), e.g. `oras cp [flags] <from> <to>`. */
  readonly usageLine: string;
  /** The long description (the text after the usage line), if any. */
  readonly description: string;
  /** The examples (the epilogue), if any. */
  readonly examples: string;
  /** The flags, `--help` not included. */
  readonly flags: readonly FlagSpec[];
  /** The names of the positional arguments (not flags). */
  readonly positionals: readonly string[];
  /** Whether the command runs something itself (a command group only shows help). */
  readonly runnable: boolean;
  /** The sub-commands. */
  readonly children: readonly ChildEntry[];
  /** The definition the node was read from (what a yargs parser is built from). @internal */
  readonly definition: CommandModule<unknown, unknown>;
  /**
   * Runs a runnable command with its parsed arguments, keyed as yargs keys them (flags by long
   * name, alias and camel case; positionals by name). `undefined` for a command group. @internal
   */
  readonly handler?: ((parsed: Record<string, unknown>) => Promise<void>) | undefined;
}

/** A sub-command before its definition is built. */
export interface ChildEntry {
  /** The name. */
  readonly name: string;
  /** Other names. */
  readonly aliases: readonly string[];
  /** The one-line summary. */
  readonly summary: string;
  /** Builds the child's node. */
  readonly build: () => CommandNode | Promise<CommandNode>;
}

type AnyModule = CommandModule<unknown, unknown>;

/**
 * oras's argument rules, by command path (cobra `Args` through oras's `CheckArgs`): what the
 * command takes, for `"oras cp" requires exactly 2 argument but got 3`.
 */
export const ARGUMENT_RULES: Readonly<Record<string, ArgumentRule>> = {
  'oras attach': { kind: 'at least', count: 1, what: 'the destination artifact for attaching.' },
  'oras backup': { kind: 'exactly', count: 1, what: 'the artifact reference you want to back up' },
  'oras blob delete': { kind: 'exactly', count: 1, what: 'the target blob to delete' },
  'oras blob fetch': { kind: 'exactly', count: 1, what: 'the target blob to fetch' },
  'oras blob push': {
    kind: 'exactly',
    count: 2,
    what: 'the destination to push to and the file to read blob content from',
  },
  'oras cp': { kind: 'exactly', count: 2, what: 'the source and destination for copying' },
  'oras discover': { kind: 'exactly', count: 1, what: 'the target artifact to discover referrers from' },
  'oras login': { kind: 'exactly', count: 1, what: 'the registry to log in to' },
  'oras logout': { kind: 'exactly', count: 1, what: 'the registry you want to log out' },
  'oras manifest delete': { kind: 'exactly', count: 1, what: 'the manifest to delete' },
  'oras manifest fetch': { kind: 'exactly', count: 1, what: 'the manifest to fetch' },
  'oras manifest fetch-config': { kind: 'exactly', count: 1, what: 'the manifest config to fetch' },
  'oras manifest push': {
    kind: 'exactly',
    count: 2,
    what: 'the destination to push to and the file to read manifest content from',
  },
  'oras manifest index create': { kind: 'at least', count: 1, what: 'the destination index to create.' },
  'oras manifest index update': { kind: 'exactly', count: 1, what: 'the target index to update' },
  'oras pull': { kind: 'exactly', count: 1, what: 'the artifact reference you want to pull' },
  'oras push': { kind: 'at least', count: 1, what: 'the destination for pushing' },
  'oras repo ls': { kind: 'exactly', count: 1, what: 'the target registry to list repositories from' },
  'oras repo tags': { kind: 'exactly', count: 1, what: 'the target repository to list tags from' },
  'oras resolve': { kind: 'exactly', count: 1, what: 'the target artifact reference to resolve' },
  'oras restore': { kind: 'exactly', count: 1, what: 'the target repository to restore to' },
  'oras tag': { kind: 'at least', count: 1, what: 'the artifact to be retagged and the tags to be added' },
};

/** The first word of a yargs command string (`cp <from> <to>` gives `cp`). */
function commandName(original: string): string {
  return original.split(/\s+/)[0] ?? original;
}

/** What a command's builder declared: its options (positionals included), usage, examples, sub-commands. */
interface Declared {
  readonly options: Map<string, Options>;
  usage?: string;
  epilogue?: string;
  readonly commands: AnyModule[];
}

/**
 * Runs a command's builder on a recorder that keeps what it declares, instead of on a yargs
 * parser: reading the tree (for the checks, help, completion and the run's own flag parser)
 * then needs no yargs. The recorder has the part of yargs' builder API our definitions use; a
 * definition that calls anything else fails here, and the test that compares this reading with
 * yargs' own (`command-tree.test.ts`) fails with it.
 */
function declared(module: Pick<AnyModule, 'builder'>): Declared {
  const out: Declared = { options: new Map(), commands: [] };
  const option = (key: string, opt: Options) => {
    // yargs merges a key declared twice; the later definition wins where both say something
    out.options.set(key, { ...out.options.get(key), ...opt });
  };
  const recorder = {
    usage(msg: string) {
      out.usage = msg;
      return recorder;
    },
    epilogue(msg: string) {
      out.epilogue = msg;
      return recorder;
    },
    epilog(msg: string) {
      out.epilogue = msg;
      return recorder;
    },
    example() {
      return recorder;
    },
    options(key: string | Record<string, Options>, opt?: Options) {
      if (typeof key === 'string') option(key, opt ?? {});
      else for (const [k, o] of Object.entries(key)) option(k, o);
      return recorder;
    },
    option(key: string | Record<string, Options>, opt?: Options) {
      return recorder.options(key, opt);
    },
    positional(key: string, opt: PositionalOptions) {
      option(key, opt as Options);
      return recorder;
    },
    command(module: AnyModule) {
      if (typeof module !== 'object' || module === null)
        throw new Error('command tree: a command module expected');
      out.commands.push(module);
      return recorder;
    },
  };
  if (typeof module.builder === 'function') (module.builder as (y: unknown) => unknown)(recorder);
  else if (module.builder && typeof module.builder === 'object') recorder.options(module.builder);
  return out;
}

/** The names an option's `alias` gives. */
function aliasesOf(opt: Pick<Options, 'alias'>): string[] {
  const alias: string | readonly string[] | undefined = opt.alias;
  return alias === undefined ? [] : typeof alias === 'string' ? [alias] : [...alias];
}

/** A declared option as a flag of the tree, typed as yargs types it. */
function flagOf(name: string, opt: Options): FlagSpec {
  const aliases = aliasesOf(opt);
  const type =
    opt.boolean || opt.type === 'boolean'
      ? 'boolean'
      : opt.array || opt.type === 'array'
        ? 'array'
        : opt.number || opt.type === 'number'
          ? 'number'
          : 'string';
  return {
    name,
    short: aliases.find((a) => a.length === 1),
    aliases: aliases.filter((a) => a.length > 1),
    type,
    describe: opt.describe ?? opt.description ?? opt.desc ?? '',
    default: opt.default,
    defaultText: opt.defaultDescription || undefined,
    hidden: opt.hidden === true,
    choices: opt.choices === undefined ? undefined : (opt.choices as readonly unknown[]).map(String),
    required: Boolean(opt.demandOption),
  };
}

/**
 * Orders names by UTF-16 code unit, as Go orders strings (for our lower-case names, the order
 * `localeCompare` gives). `localeCompare` would load ICU's collator: ~15 ms of CPU at start-up.
 */
export function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The names of a command string's positional arguments (`cp <from> <to>` gives `from`, `to`). */
function positionalsOf(original: string): string[] {
  return [...original.matchAll(/[<[]([^\]>.]+)(?:\.\.)?[\]>]/g)].map((m) => m[1] as string);
}

/** Reads a command's definition into a node of the tree. */
function buildNode(
  module: AnyModule,
  name: string,
  aliases: readonly string[],
  summary: string,
  parentPath: readonly string[],
): CommandNode {
  const original = String(module.command);
  const definition = declared(module);
  const positionals = positionalsOf(original);
  const aliasOf = new Set([...definition.options.values()].flatMap(aliasesOf));
  const flags: FlagSpec[] = [];
  for (const [key, opt] of definition.options) {
    if (positionals.includes(key) || aliasOf.has(key) || key === 'help' || key === 'version') continue;
    flags.push(flagOf(key, opt));
  }
  const path = [...parentPath, name];
  const [usageLine = '', ...rest] = (definition.usage ?? `${path.join(' ')} [flags]`).split('\n');
  const children: ChildEntry[] = definition.commands.map((child) => {
    const childName = commandName(String(child.command));
    const childAliases = aliasesOf({ alias: child.aliases });
    const childSummary = typeof child.describe === 'string' ? child.describe : '';
    return {
      name: childName,
      aliases: childAliases,
      summary: childSummary,
      build: () => buildNode(child, childName, childAliases, childSummary, path),
    };
  });
  children.sort(byName);
  const handler = module.handler;
  return {
    name,
    aliases,
    path,
    summary,
    usageLine: usageLine.trim(),
    description: rest.join('\n').trim(),
    examples: (definition.epilogue ?? '').trim(),
    flags: flags.sort(byName),
    positionals,
    runnable: children.length === 0,
    children,
    definition: module,
    handler:
      children.length > 0 || typeof handler !== 'function'
        ? undefined
        : async (parsed) => {
            await handler(parsed as never);
          },
  };
}

/** The top-level commands, each built on demand. */
export async function rootChildren(ctx: CliContext): Promise<ChildEntry[]> {
  // Only the command a line names is loaded (start-up time): the table has the names and summaries.
  return COMMANDS.map((entry) => ({
    name: entry.name,
    aliases: entry.aliases,
    summary: entry.summary,
    build: async () => {
      const module = (await entry.load()).command(ctx) as AnyModule;
      return buildNode(module, entry.name, entry.aliases, entry.summary, ['oras']);
    },
  }));
}

/** The child called `name` (or by an alias), if any. */
export function findChild(children: readonly ChildEntry[], name: string): ChildEntry | undefined {
  return children.find((c) => c.name === name || c.aliases.includes(name));
}

/** The rule of a command's arguments, if oras has one. */
export function argumentRule(node: CommandNode): ArgumentRule | undefined {
  return ARGUMENT_RULES[node.path.join(' ')];
}
