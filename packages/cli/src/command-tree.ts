/**
 * The command tree of `oras` as the yargs definitions declare it, read back for what cobra does
 * on its own in oras: checking flags and the number of arguments before a command runs, naming
 * the closest command to a mistyped one, rendering `--help`, and completing nested commands and
 * their flags. A node's definition is built only when the walk reaches it.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
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

interface YargsInternals {
  getInternalMethods(): {
    getCommandInstance(): {
      getCommandHandlers(): Record<string, { original: string; description: unknown; builder: unknown }>;
      aliasMap: Record<string, string>;
    };
    getUsageInstance(): { getDescriptions(): Record<string, string | undefined> };
  };
  getOptions(): {
    key: Record<string, unknown>;
    alias: Record<string, string[]>;
    boolean: string[];
    array: string[];
    number: string[];
    default: Record<string, unknown>;
    defaultDescription: Record<string, string | undefined>;
    hiddenOptions: string[];
  };
}

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

/** Runs a command's builder on a fresh parser and records what it declared. */
function buildNode(
  module: Pick<AnyModule, 'builder'>,
  name: string,
  aliases: readonly string[],
  summary: string,
  parentPath: readonly string[],
  original: string,
): CommandNode {
  const y = yargs([]) as unknown as Argv & Record<string, unknown>;
  const captured: { usage?: string; epilogue?: string } = {};
  const usage = y.usage.bind(y);
  const epilogue = y.epilogue.bind(y);
  Object.assign(y, {
    usage: (msg: string, ...rest: unknown[]) => {
      captured.usage = msg;
      return (usage as (...a: unknown[]) => unknown)(msg, ...rest);
    },
    epilogue: (msg: string) => {
      captured.epilogue = msg;
      return epilogue(msg);
    },
    epilog: (msg: string) => {
      captured.epilogue = msg;
      return epilogue(msg);
    },
  });
  if (typeof module.builder === 'function') (module.builder as (y: Argv) => unknown)(y);
  else if (module.builder && typeof module.builder === 'object') y.options(module.builder);
  const internals = y as unknown as YargsInternals;
  const opts = internals.getOptions();
  const descriptions = internals.getInternalMethods().getUsageInstance().getDescriptions();
  const commands = internals.getInternalMethods().getCommandInstance();
  const handlers = commands.getCommandHandlers();
  const positionals = [...original.matchAll(/[<[]([^\]>.]+)(?:\.\.)?[\]>]/g)].map((m) => m[1] as string);
  const aliasOf = new Set(Object.values(opts.alias).flat());
  const flags: FlagSpec[] = [];
  for (const key of Object.keys(opts.key)) {
    if (positionals.includes(key) || aliasOf.has(key) || key === 'help' || key === 'version') continue;
    const short = (opts.alias[key] ?? []).find((a) => a.length === 1);
    const type = opts.boolean.includes(key)
      ? 'boolean'
      : opts.array.includes(key)
        ? 'array'
        : opts.number.includes(key)
          ? 'number'
          : 'string';
    flags.push({
      name: key,
      short,
      aliases: (opts.alias[key] ?? []).filter((a) => a.length > 1),
      type,
      describe: descriptions[key] ?? '',
      default: opts.default[key],
      defaultText: opts.defaultDescription[key],
      hidden: opts.hiddenOptions.includes(key),
    });
  }
  const path = [...parentPath, name];
  const [usageLine = '', ...rest] = (captured.usage ?? `${path.join(' ')} [flags]`).split('\n');
  const children: ChildEntry[] = Object.entries(handlers).map(([childName, handler]) => ({
    name: childName,
    aliases: Object.entries(commands.aliasMap)
      .filter(([, target]) => target === childName)
      .map(([alias]) => alias),
    summary: typeof handler.description === 'string' ? handler.description : '',
    build: () =>
      buildNode(
        handler as unknown as AnyModule,
        childName,
        Object.entries(commands.aliasMap)
          .filter(([, target]) => target === childName)
          .map(([alias]) => alias),
        typeof handler.description === 'string' ? handler.description : '',
        path,
        handler.original,
      ),
  }));
  children.sort((a, b) => a.name.localeCompare(b.name));
  return {
    name,
    aliases,
    path,
    summary,
    usageLine: usageLine.trim(),
    description: rest.join('\n').trim(),
    examples: (captured.epilogue ?? '').trim(),
    flags: flags.sort((a, b) => a.name.localeCompare(b.name)),
    positionals,
    runnable: children.length === 0,
    children,
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
      return buildNode(module, entry.name, entry.aliases, entry.summary, ['oras'], String(module.command));
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

/** The command name of a yargs command string, exported for the completion. */
export { commandName };
