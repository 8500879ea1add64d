/**
 * The run path's own reading of a command's flags: what yargs would hand the command's handler,
 * built from the command tree's flag table without loading yargs (its 238 KB and the building of
 * a parser were a third of the CPU time of `oras resolve`).
 *
 * By the time it runs, `parseLine` has accepted every flag and found its value, as cobra would.
 * This reader covers the forms a command line normally has; for anything else (a value that
 * starts with `-`, a value glued to a short flag, a choice not offered, a required flag missing,
 * an empty or quoted `--flag=value`, a boolean's value other than `true`/`false`, a number
 * other than a plain decimal) it answers `undefined` and the caller
 * asks yargs, so such lines give exactly what they gave before. `flag-parser.test.ts` runs a
 * table of command lines through both and compares.
 */
import type { FlagSpec } from './command-tree.js';

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

/** yargs' camel-case expansion of a flag name (`full-reference` gives `fullReference`). */
function camelCase(name: string): string {
  return name.replace(/-(.)/g, (_, c: string) => c.toUpperCase());
}

/** A plain decimal number, the only form of a number flag's value read here. */
const NUMBER = /^\d+(\.\d+)?$/;

/** A flag's value as yargs types it, or `undefined` for a value left to yargs. */
function typed(flag: FlagSpec, value: string): unknown {
  switch (flag.type) {
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : undefined;
    case 'number':
      return NUMBER.test(value) ? Number(value) : undefined;
    default:
      return value;
  }
}

/**
 * Reads the flag words of a command line (`tokens`: the line without the command's words and
 * positional arguments, after {@link joinDashValues}) as yargs reads them for a command with
 * `flags`: each flag under its long name, aliases and their camel case; defaults for flags not
 * given; a list for a flag given twice (a repeatable flag always a list, a boolean the last
 * value); `_` empty and `$0` `oras`. Answers `undefined` for a line it leaves to yargs.
 */
export function readFlags(
  flags: readonly FlagSpec[],
  tokens: readonly string[],
): Record<string, unknown> | undefined {
  const byName = new Map<string, FlagSpec>();
  const byLetter = new Map<string, FlagSpec>();
  for (const flag of flags) {
    byName.set(flag.name, flag);
    for (const alias of flag.aliases) byName.set(alias, flag);
    if (flag.short) byLetter.set(flag.short, flag);
  }
  const given = new Map<FlagSpec, unknown[]>();
  const see = (flag: FlagSpec, value: unknown) => {
    const list = given.get(flag);
    if (list) list.push(value);
    else given.set(flag, [value]);
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as string;
    let flag: FlagSpec | undefined;
    if (tok.startsWith('--')) {
      const eq = tok.indexOf('=');
      flag = byName.get(eq < 0 ? tok.slice(2) : tok.slice(2, eq));
      if (!flag) return undefined;
      if (eq >= 0) {
        // yargs strips quotes from `--flag='value'`, and reads an empty value by the flag's type
        const raw = tok.slice(eq + 1);
        if (raw === '' || raw.startsWith("'") || raw.startsWith('"')) return undefined;
        const value = typed(flag, raw);
        if (value === undefined) return undefined;
        see(flag, value);
        continue;
      }
    } else if (tok.startsWith('-') && tok.length > 1) {
      // a group of one-letter flags (`-dv`): all booleans but perhaps the last
      for (let j = 1; j < tok.length; j++) {
        flag = byLetter.get(tok[j] as string);
        if (!flag || (flag.type !== 'boolean' && j < tok.length - 1)) return undefined;
        if (flag.type === 'boolean' && j < tok.length - 1) see(flag, true);
      }
    } else {
      return undefined;
    }
    if (!flag) return undefined;
    if (flag.type === 'boolean') {
      see(flag, true);
      continue;
    }
    const next = tokens[i + 1];
    // `-o -` gives `-`; yargs reads `--flag -` otherwise (`--output -` is joined before)
    if (next === undefined || (next.startsWith('-') && (next !== '-' || tok.startsWith('--'))))
      return undefined;
    const value = typed(flag, next);
    if (value === undefined) return undefined;
    see(flag, value);
    i++;
  }
  const parsed: Record<string, unknown> = { _: [] };
  for (const flag of flags) {
    const values = given.get(flag);
    if (values === undefined && flag.required) return undefined;
    if (values !== undefined && flag.choices && !values.every((v) => flag.choices?.includes(String(v))))
      return undefined;
    const value =
      values === undefined
        ? flag.default
        : flag.type === 'array' || (values.length > 1 && flag.type !== 'boolean')
          ? values
          : values[values.length - 1];
    if (value === undefined) continue;
    for (const key of [flag.name, ...flag.aliases]) {
      parsed[key] = value;
      if (key.includes('-')) parsed[camelCase(key)] = value;
    }
    if (flag.short) parsed[flag.short] = value;
  }
  parsed.$0 = 'oras';
  return parsed;
}
