/**
 * The top-level help of `oras`, rendered from the command table without loading yargs, in the
 * shape of the reference CLI's `oras --help`.
 */
import { COMMANDS } from './command-table.js';

/** The one-line description of `oras` at the head of the top-level help. */
export const ROOT_DESCRIPTION = 'Manage artifacts in OCI registries and OCI image layouts';

/** Renders `oras --help`: usage, every command with its summary, the global flags. */
export function renderRootHelp(): string {
  const rows = [
    ...COMMANDS.map((c) => [c.name, c.summary] as const),
    ['help', 'Help about any command'] as const,
  ];
  // by code unit, as Go sorts: `localeCompare` would load ICU's collator (~15 ms)
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const lines = [
    ROOT_DESCRIPTION,
    '',
    'Usage:',
    '  oras [command]',
    '',
    'Available Commands:',
    ...rows.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`),
    '',
    'Flags:',
    '  -h, --help      help for oras',
    '      --version   version for oras',
    '',
    'Use "oras [command] --help" for more information about a command.',
  ];
  return `${lines.join('\n')}\n`;
}
