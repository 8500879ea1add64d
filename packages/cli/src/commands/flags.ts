/**
 * Helpers shared by the command definitions: applying flag groups and reading typed values from
 * parsed arguments.
 */
import type { Argv, Options } from 'yargs';

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

/** The `--concurrency` flag with a command's default. */
export function concurrencyFlag(defaultValue: number): Record<string, Options> {
  return { concurrency: { type: 'number', default: defaultValue, describe: 'concurrency level' } };
}

/** The `--platform` flag. */
export function platformFlag(
  describe = 'request platform in the form of `os[/arch][/variant][:os_version]`',
): Record<string, Options> {
  return { platform: { type: 'string', describe } };
}

/** A string argument (the last one when repeated). */
export function stringArg(argv: Record<string, unknown>, key: string): string | undefined {
  const v = argv[key];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return v === undefined || v === null ? undefined : String(v);
}

/** A repeatable string argument. */
export function listArg(argv: Record<string, unknown>, key: string): string[] {
  const v = argv[key];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}
