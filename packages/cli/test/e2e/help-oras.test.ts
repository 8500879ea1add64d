/**
 * `oras <command> --help` checked against oras 1.3, command by command (the table in
 * `help-oras-flags.ts`, recorded from oras's sources): the usage line, aliases, sub-commands, the
 * Preview/Experimental marks of commands and flags, and every flag with its shorthand, value
 * type and default as pflag prints them. Hidden flags are hidden and still accepted; pflag knows
 * no `--no-<flag>`, so neither do we.
 */
import { describe, expect, it } from 'vitest';
import { oras } from '../../src/test-support/oras-process.js';
import { type Mark, ORAS_COMMANDS, OUR_EXTRA_SHORTHANDS, OUR_EXTRAS } from './help-oras-flags.js';

/** One line of a `Flags:` block, read back. */
interface ShownFlag {
  readonly short: string | undefined;
  readonly type: string | undefined;
  readonly text: string;
  readonly mark: Mark | undefined;
  readonly default: string | undefined;
}

/** What a help text shows. */
interface ShownHelp {
  readonly intro: string;
  readonly usage: string[];
  readonly aliases: string[];
  readonly children: Map<string, string>;
  readonly flags: Map<string, ShownFlag>;
}

/** The lines of a block, from its title to the next blank line. */
function block(lines: readonly string[], title: string): string[] {
  const start = lines.indexOf(title);
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

function markOf(text: string): Mark | undefined {
  return /^\[(Preview|Experimental|Deprecated)\]/.exec(text)?.[1] as Mark | undefined;
}

/** Reads a help text back into its parts. */
function readHelp(out: string): ShownHelp {
  const lines = out.split('\n');
  const flags = new Map<string, ShownFlag>();
  let last: { name: string; text: string[]; head: Omit<ShownFlag, 'text' | 'mark' | 'default'> } | undefined;
  const flush = () => {
    if (!last) return;
    const text = last.text.join('\n');
    const def = /\(default (.*)\)$/.exec(text)?.[1];
    flags.set(last.name, { ...last.head, text, mark: markOf(text), default: def });
  };
  for (const line of block(lines, 'Flags:')) {
    const m = /^ {2}(?:-(\S), | {4})--([a-z0-9-]+)(?: (\S+))? {3,}(.*)$/.exec(line);
    if (m) {
      flush();
      last = { name: m[2] as string, text: [m[4] as string], head: { short: m[1], type: m[3] } };
    } else if (last && /^ {8,}\S/.test(line)) {
      last.text.push(line.trim());
    } else {
      throw new Error(`unreadable flag line: ${JSON.stringify(line)}`);
    }
  }
  flush();
  const children = new Map<string, string>();
  for (const line of block(lines, 'Available Commands:')) {
    const m = /^ {2}(\S+) +(.*)$/.exec(line);
    if (m) children.set(m[1] as string, m[2] as string);
  }
  return {
    intro: lines.slice(0, lines.indexOf('Usage:')).join('\n'),
    usage: block(lines, 'Usage:').map((l) => l.trim()),
    aliases: block(lines, 'Aliases:').flatMap((l) => l.trim().split(', ')),
    children,
    flags,
  };
}

for (const [path, expected] of Object.entries(ORAS_COMMANDS)) {
  const words = path.split(' ').slice(1);
  describe(`${path} --help`, () => {
    let shown: ShownHelp;
    const help = async () => {
      if (!shown) {
        const res = await oras([...words, '--help']);
        expect(res.stderr).toBe('');
        expect(res.code).toBe(0);
        shown = readHelp(res.stdout);
      }
      return shown;
    };

    it('has the usage line, aliases, sub-commands and mark of oras', async () => {
      const h = await help();
      if (expected.usage) expect(h.usage[0]).toBe(expected.usage);
      if (expected.children) {
        expect(h.usage).toContain(`${path} [command]`);
        expect([...h.children.keys()]).toEqual(expected.children);
      }
      expect(h.aliases.slice(1)).toEqual(expected.aliases ?? []);
      expect(markOf(h.intro)).toBe(expected.mark);
      expect(h.flags.get('help')).toMatchObject({ short: 'h', text: `help for ${words.at(-1)}` });
    });

    it("shows every flag of oras's with its shorthand, value type, mark and default", async () => {
      const h = await help();
      for (const [name, flag] of Object.entries(expected.flags)) {
        if (flag.hidden) {
          expect(h.flags.has(name), `--${name} is hidden`).toBe(false);
          continue;
        }
        const ours = h.flags.get(name);
        expect(ours, `--${name}`).toBeDefined();
        if (!ours) continue;
        const short = flag.short ?? (ours.short === OUR_EXTRA_SHORTHANDS[name] ? ours.short : undefined);
        expect(ours.short, `shorthand of --${name}`).toBe(short);
        if (flag.type !== 'any') expect(ours.type, `value of --${name}`).toBe(flag.type);
        if (flag.mark !== 'any') expect(ours.mark, `mark of --${name}`).toBe(flag.mark);
        expect(ours.default, `default of --${name}`).toBe(flag.default);
      }
    });

    it("shows no flag that is neither oras's nor a documented extra", async () => {
      const h = await help();
      const allowed = new Set([
        'help',
        ...Object.keys(expected.flags),
        ...(OUR_EXTRAS['*'] ?? []),
        ...(OUR_EXTRAS[path] ?? []),
      ]);
      expect([...h.flags.keys()].filter((name) => !allowed.has(name))).toEqual([]);
    });

    const hidden = Object.entries(expected.flags).filter(([, f]) => f.hidden);
    if (hidden.length > 0) {
      it('still accepts the flags it hides', async () => {
        for (const [name] of hidden) {
          const res = await oras([...words, `--${name}=false`, '--help']);
          expect(res.code, `--${name}`).toBe(0);
        }
      });
    }
  });
}

describe('boolean flags, as pflag takes them', () => {
  it('refuses --no-<flag> with "unknown flag", as oras does', async () => {
    for (const args of [
      ['push', '--no-verbose', 'localhost:5000/x:v1'],
      ['discover', '--no-verbose', 'localhost:5000/x:v1'],
      ['pull', '--no-plain-http', 'localhost:5000/x:v1'],
    ]) {
      const res = await oras(args);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe(`Error: unknown flag: ${args[1]}\n`);
    }
  });

  it('takes --flag=false and --flag=true', async () => {
    const off = await oras(['discover', '--verbose=false', '--help']);
    expect(off.code).toBe(0);
    const on = await oras(['pull', '--plain-http=true', '--help']);
    expect(on.code).toBe(0);
  });
});
