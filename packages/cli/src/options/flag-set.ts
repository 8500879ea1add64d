/**
 * A set of flags (or positional arguments) declared once: their yargs definitions, keyed by name,
 * and a reader that returns every value typed by its definition. A name that is not in the set
 * does not compile, so each flag is read where it is declared and nowhere else by string.
 */
import type { Options } from 'yargs';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';

/** The arguments yargs hands a command's handler. */
export type ParsedArgs = Readonly<Record<string, unknown>>;

/**
 * The value a flag definition reads as: a list for `array`, a choice for `choices`, else its
 * type; `undefined` when the flag was not given and has no default.
 */
export type FlagValue<D> = D extends { readonly array: true }
  ? string[]
  : D extends { readonly choices: readonly (infer C)[] }
    ? C | (D extends { readonly default: unknown } ? never : undefined)
    : D extends { readonly type: 'boolean' }
      ? boolean | undefined
      : D extends { readonly type: 'number' }
        ? number | (D extends { readonly default: number } ? never : undefined)
        : string | (D extends { readonly default: string } ? never : undefined);

/** The values of a flag set, by flag name. */
export type FlagValues<D> = { readonly [K in keyof D]: FlagValue<D[K]> };

/** Flags declared once, read typed. */
export interface FlagSet<D extends Readonly<Record<string, Options>>> {
  /** The yargs definitions, by name without the set's prefix, in the order they were declared. */
  readonly definitions: D;
  /** The yargs definitions by flag name (with the prefix), for a builder. */
  flags(): Record<string, Options>;
  /** Reads every flag of the set from parsed arguments. */
  read(argv: ParsedArgs): FlagValues<D>;
}

/** The last of repeated values (yargs gives an array when a single-valued flag is repeated). */
function last(v: unknown): unknown {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Reads one value as its definition says; an absent flag reads as its default. */
function readValue(definition: Options, given: unknown): unknown {
  const v = given === undefined ? definition.default : given;
  if (definition.array) {
    if (v === undefined || v === null) return [];
    return (Array.isArray(v) ? v : [v]).map(String);
  }
  const value = last(v);
  if (value === undefined || value === null) return undefined;
  if (definition.type === 'boolean') return typeof value === 'boolean' ? value : undefined;
  if (definition.type === 'number') return Number(value);
  return String(value);
}

/**
 * Declares a set of flags (or positionals): their names are the keys of `definitions`, each with
 * `prefix` before it on the command line (`from-`, `to-` for the two ends of `cp`).
 */
export function flagSet<const D extends Readonly<Record<string, Options>>>(
  definitions: D,
  prefix = '',
): FlagSet<D> {
  return {
    definitions,
    flags() {
      const flags: Record<string, Options> = {};
      for (const [name, definition] of Object.entries(definitions)) flags[`${prefix}${name}`] = definition;
      return flags;
    },
    read(argv) {
      const values: Record<string, unknown> = {};
      for (const [name, definition] of Object.entries(definitions))
        values[name] = readValue(definition, argv[`${prefix}${name}`]);
      return values as FlagValues<D>;
    },
  };
}

/** A group of flags that parses itself: oras's option groups (common, remote, target, format ...). */
export interface OptionGroup<T> {
  /** The yargs definitions of the group's flags. */
  flags(): Record<string, Options>;
  /** Reads and checks the group's flags. Throws {@link CliError} for a bad value or combination. */
  parse(argv: ParsedArgs, ctx: CliContext): T;
}

/** Throws the usage error oras gives for two flags that cannot be used together. */
export function refuseBoth(a: string, b: string, bothSet: boolean): void {
  if (bothSet) {
    throw new CliError(
      `if any flags in the group [${a} ${b}] are set none of the others can be; [${a} ${b}] were all set`,
    );
  }
}

/**
 * Throws oras's `CheckMutuallyExclusiveFlags` error when two or more of `flags` (names without
 * `--`, in the order oras lists them, each with whether it was given) are given:
 * `--tag, --output cannot be used at the same time`.
 */
export function refuseTogether(flags: readonly (readonly [name: string, given: boolean])[]): void {
  const given = flags.filter(([, set]) => set).map(([name]) => `--${name}`);
  if (given.length >= 2) throw new CliError(`${given.join(', ')} cannot be used at the same time`);
}

/** A file argument where `-` means stdin; yargs reads a lone `-` positional as an empty string. */
export function fileOrStdin(value: string | undefined): string {
  return value === '' || value === undefined ? '-' : value;
}
