/**
 * How a command is defined: a factory of its yargs module, the helpers that apply positionals, flag
 * groups and examples to its builder, and what a command group (`oras blob`, `oras manifest` ...) does
 * without a known subcommand. The definition is light (flags, usage, examples); its handler
 * `await import()`s the implementation, so `--help` loads nothing heavy.
 */
import type { Argv, CommandModule, Options, PositionalOptions } from 'yargs';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import type { FlagSet, ParsedArgs } from '../options/flag-set.js';

/** Builds a command's yargs definition for one run. */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules are typed per command
export type CommandFactory = (ctx: CliContext) => CommandModule<any, any>;

/** Adds positional arguments to a yargs builder, in the order they were declared. */
export function withPositionals<T, D extends Readonly<Record<string, Options>>>(
  y: Argv<T>,
  positionals: FlagSet<D>,
): Argv<T> {
  let out = y;
  for (const [name, definition] of Object.entries(positionals.definitions))
    out = out.positional(name, definition as PositionalOptions) as Argv<T>;
  return out;
}

/** Adds flag groups to a yargs builder; flags without a group go under `Flags:`. */
export function withFlags<T>(y: Argv<T>, ...groups: Record<string, Options>[]): Argv<T> {
  let out = y;
  for (const group of groups) {
    const grouped: Record<string, Options> = {};
    for (const [key, opt] of Object.entries(group))
      grouped[key] = opt.group || opt.hidden ? opt : { ...opt, group: 'Flags:' };
    out = out.options(grouped) as Argv<T>;
  }
  return out;
}

/** Renders examples the way oras's help shows them: `Example - <what>:` then the command line. */
export function renderExamples(examples: readonly (readonly [string, string])[]): string {
  return examples.map(([cmd, what]) => `Example - ${what}:\n  ${cmd}`).join('\n\n');
}

/** Adds examples (`oras ...` command lines with what they do) after the flags. */
export function withExamples<T>(y: Argv<T>, examples: readonly (readonly [string, string])[]): Argv<T> {
  return y.epilogue(renderExamples(examples));
}

/**
 * What a command group (`oras manifest`, `oras blob` ...), defined as `<group> [command]`, does
 * without a known subcommand: fail with a hint.
 */
export function unknownSubcommand(group: string, argv: ParsedArgs, subcommands: string): never {
  const hint = `Run '${group} --help' for usage.`;
  const given = argv.command;
  if (given === undefined) throw new CliError(`a subcommand is required: ${subcommands}`, { hint });
  throw new CliError(`unknown command "${String(given)}" for "${group}"`, { hint });
}
