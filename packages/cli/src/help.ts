/**
 * `oras <command> --help` in the layout cobra gives oras: the description (oras keeps its examples
 * there), `Usage:`, `Aliases:`, `Available Commands:`, then one `Flags:` block sorted by name, each
 * flag with its value type and its default as pflag prints them
 * (`--format string   ... (default "text")`).
 */
import { byName, type CommandNode, type FlagSpec } from './command-tree.js';

/**
 * The value name pflag shows after a flag: the first back-quoted word of its description (the
 * quotes dropped from the text), else the name of its type; nothing for a boolean.
 */
function valueName(flag: FlagSpec): { name: string; describe: string } {
  const quoted = /`([^`]+)`/.exec(flag.describe);
  if (quoted) {
    const describe = flag.describe.replace(/`([^`]+)`/, '$1');
    return { name: flag.type === 'boolean' ? '' : (quoted[1] as string), describe };
  }
  const name = { boolean: '', string: 'string', number: 'int', array: 'stringArray' }[flag.type];
  return { name, describe: flag.describe };
}

/**
 * pflag's ` (default ...)` suffix: nothing for a zero value (`false`, `""`, `0`, `[]`), strings
 * quoted, other values as they are. A definition's `defaultDescription` is shown as given.
 */
export function defaultSuffix(flag: FlagSpec): string {
  if (flag.defaultText !== undefined) return flag.defaultText === '' ? '' : ` (default ${flag.defaultText})`;
  const value = flag.default;
  if (value === undefined || value === null || value === false || value === '' || value === 0) return '';
  if (Array.isArray(value)) return value.length === 0 ? '' : ` (default [${value.join(',')}])`;
  if (flag.type === 'string' && typeof value === 'string') return ` (default ${JSON.stringify(value)})`;
  return ` (default ${String(value)})`;
}

/**
 * The `Flags:` lines of a command, as pflag's `FlagUsages` lays them out: the flag column padded
 * to the widest, three spaces, the description; a description of several lines continues under
 * its first. Hidden flags are left out; `-h, --help` is added.
 */
export function renderFlags(flags: readonly FlagSpec[], commandName: string): string[] {
  const shown = [
    ...flags.filter((f) => !f.hidden),
    {
      name: 'help',
      short: 'h',
      aliases: [],
      type: 'boolean',
      describe: `help for ${commandName}`,
      default: undefined,
      hidden: false,
    } satisfies FlagSpec,
  ].sort(byName);
  const rows = shown.map((flag) => {
    const { name, describe } = valueName(flag);
    const head = `${flag.short ? `  -${flag.short}, ` : '      '}--${flag.name}${name ? ` ${name}` : ''}`;
    return { head, text: `${describe}${defaultSuffix(flag)}` };
  });
  const width = Math.max(...rows.map((r) => r.head.length));
  const indent = ' '.repeat(width + 3);
  return rows.map(({ head, text }) =>
    `${head.padEnd(width)}   ${text.split('\n').join(`\n${indent}`)}`.trimEnd(),
  );
}

/** Renders the help of one command. */
export function renderCommandHelp(node: CommandNode): string {
  const path = node.path.join(' ');
  const out: string[] = [];
  const long = node.description || node.summary;
  const intro = [long, node.examples].filter((s) => s.trim() !== '').join('\n\n');
  if (intro) out.push(intro.trimEnd(), '');
  out.push('Usage:');
  if (node.runnable) out.push(`  ${node.usageLine}`);
  if (node.children.length > 0) out.push(`  ${path} [command]`);
  if (node.aliases.length > 0) out.push('', 'Aliases:', `  ${[node.name, ...node.aliases].join(', ')}`);
  if (node.children.length > 0) {
    const width = Math.max(11, ...node.children.map((c) => c.name.length));
    out.push('', 'Available Commands:');
    for (const child of node.children) out.push(`  ${child.name.padEnd(width)} ${child.summary}`.trimEnd());
  }
  out.push('', 'Flags:', ...renderFlags(node.flags, node.name));
  if (node.children.length > 0) {
    out.push('', `Use "${path} [command] --help" for more information about a command.`);
  }
  return `${out.join('\n')}\n`;
}
