/**
 * `oras __complete <word>... <current>`: what the shell completion scripts ask for. Prints the
 * candidates for the last word, one per line: the sub-commands of the command the words name
 * (`oras manifest fe` gives `fetch` and `fetch-config`), or its flags when the word starts with
 * `-` (`oras manifest fetch --pre` gives `--pretty`). Nothing is printed where a file name or a
 * flag's value goes, and the shell falls back to completing file names.
 */
import { parseLine } from '../../cli.js';
import type { CliContext } from '../../context.js';

/** The candidates for the last of `words`, filtered by what it starts with. */
export async function candidates(words: readonly string[], ctx: CliContext): Promise<string[]> {
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  const line = await parseLine(before, ctx, true);
  const node = line.node;
  const previous = before[before.length - 1];
  if (node && previous?.startsWith('-') && !previous.includes('=')) {
    const name = previous.replace(/^--?/, '');
    const flag = node.flags.find((f) =>
      previous.startsWith('--') ? f.name === name : f.short === name.slice(-1),
    );
    if (flag && flag.type !== 'boolean') return [];
  }
  let all: string[];
  if (current.startsWith('-')) {
    all = ['--help', '-h'];
    for (const flag of node?.flags ?? []) {
      if (flag.hidden) continue;
      all.push(`--${flag.name}`);
      if (flag.short) all.push(`-${flag.short}`);
    }
  } else if (line.args.length > 0) {
    all = [];
  } else if (!node) {
    const { rootChildren } = await import('../../command-tree.js');
    all = [...(await rootChildren(ctx)).map((c) => c.name), 'help'];
  } else {
    all = node.children.map((c) => c.name);
  }
  return [...new Set(all.filter((c) => c.startsWith(current)))].sort();
}

/** Prints the candidates; resolves to the exit code (always 0: completion never fails loudly). */
export async function complete(words: readonly string[], ctx: CliContext): Promise<number> {
  try {
    const list = await candidates(words.length > 0 ? words : [''], ctx);
    if (list.length > 0) ctx.stdout.write(`${list.join('\n')}\n`);
  } catch {
    // a broken command line completes to nothing
  }
  return 0;
}
