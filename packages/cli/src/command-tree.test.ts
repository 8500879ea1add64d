import yargs, { type Argv } from 'yargs';
import { describe, expect, it } from 'vitest';
import { byName, type CommandNode, rootChildren } from './command-tree.js';
import { captureContext } from './test-support/capture.js';

/** The parts of yargs' internals that say what a builder declared. */
interface YargsInternals {
  getInternalMethods(): {
    getCommandInstance(): {
      getCommandHandlers(): Record<string, { original: string; description: unknown }>;
      aliasMap: Record<string, string>;
    };
    getUsageInstance(): { getDescriptions(): Record<string, string | undefined> };
    getValidationInstance(): unknown;
  };
  getOptions(): {
    key: Record<string, unknown>;
    alias: Record<string, string[]>;
    boolean: string[];
    array: string[];
    number: string[];
    choices: Record<string, unknown[]>;
    demandedOptions: Record<string, unknown>;
    default: Record<string, unknown>;
    defaultDescription: Record<string, string | undefined>;
    hiddenOptions: string[];
  };
}

/** What yargs itself reads from a node's definition, in the tree's terms. */
function readWithYargs(node: CommandNode) {
  const y = yargs([]) as unknown as Argv & Record<string, unknown>;
  const captured: { usage?: string; epilogue?: string } = {};
  const usage = y.usage.bind(y) as (...a: unknown[]) => unknown;
  const epilogue = y.epilogue.bind(y);
  Object.assign(y, {
    usage: (msg: string, ...rest: unknown[]) => {
      captured.usage = msg;
      return usage(msg, ...rest);
    },
    epilogue: (msg: string) => {
      captured.epilogue = msg;
      return epilogue(msg);
    },
  });
  (node.definition.builder as (y: Argv) => unknown)(y);
  const internals = y as unknown as YargsInternals;
  const opts = internals.getOptions();
  const descriptions = internals.getInternalMethods().getUsageInstance().getDescriptions();
  const commands = internals.getInternalMethods().getCommandInstance();
  const aliasOf = new Set(Object.values(opts.alias).flat());
  const flags = Object.keys(opts.key)
    .filter(
      (key) => !node.positionals.includes(key) && !aliasOf.has(key) && key !== 'help' && key !== 'version',
    )
    .map((key) => ({
      name: key,
      short: (opts.alias[key] ?? []).find((a) => a.length === 1),
      aliases: (opts.alias[key] ?? []).filter((a) => a.length > 1),
      type: opts.boolean.includes(key)
        ? 'boolean'
        : opts.array.includes(key)
          ? 'array'
          : opts.number.includes(key)
            ? 'number'
            : 'string',
      describe: descriptions[key] ?? '',
      default: opts.default[key],
      defaultText: opts.defaultDescription[key],
      hidden: opts.hiddenOptions.includes(key),
      choices: opts.choices[key]?.map(String),
      required: key in opts.demandedOptions,
    }))
    .sort(byName);
  const children = Object.entries(commands.getCommandHandlers())
    .map(([name, handler]) => ({
      name,
      aliases: Object.entries(commands.aliasMap)
        .filter(([, target]) => target === name)
        .map(([alias]) => alias),
      summary: typeof handler.description === 'string' ? handler.description : '',
    }))
    .sort(byName);
  const [usageLine = '', ...rest] = (captured.usage ?? `${node.path.join(' ')} [flags]`).split('\n');
  return {
    usageLine: usageLine.trim(),
    description: rest.join('\n').trim(),
    examples: (captured.epilogue ?? '').trim(),
    flags,
    children,
  };
}

/** Every node of the tree, depth first. */
async function allNodes(): Promise<CommandNode[]> {
  const out: CommandNode[] = [];
  const walk = async (entries: readonly { build: () => CommandNode | Promise<CommandNode> }[]) => {
    for (const entry of entries) {
      const node = await entry.build();
      out.push(node);
      await walk(node.children);
    }
  };
  await walk(await rootChildren(captureContext()));
  return out;
}

describe('the command tree', () => {
  it('reads every definition without yargs exactly as yargs reads it', async () => {
    const nodes = await allNodes();
    expect(nodes.length).toBeGreaterThan(25);
    for (const node of nodes) {
      const ours = {
        usageLine: node.usageLine,
        description: node.description,
        examples: node.examples,
        flags: node.flags.map((f) => ({ ...f, required: f.required === true })),
        children: node.children.map(({ name, aliases, summary }) => ({ name, aliases, summary })),
      };
      expect({ path: node.path, ...ours }).toEqual({ path: node.path, ...readWithYargs(node) });
    }
  });

  it('gives every runnable command a handler, and no group one', async () => {
    for (const node of await allNodes()) expect(node.handler !== undefined).toBe(node.runnable);
  });
});
