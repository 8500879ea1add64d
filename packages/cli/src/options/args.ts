/** Reading values from parsed arguments by key. */
import { CliError } from '../errors.js';

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

/**
 * A file argument where `-` means stdin. yargs parses a lone `-` positional as `true`, so that is
 * turned back into `-`.
 */
export function fileArg(argv: Record<string, unknown>, key: string): string {
  const v = argv[key];
  return v === true || v === '' ? '-' : String(v);
}

/** Throws the usage error oras gives for two flags that cannot be used together. */
export function exclusive(argv: Record<string, unknown>, a: string, b: string): void {
  if (argv[a] !== undefined && argv[b] !== undefined && argv[a] !== false && argv[b] !== false) {
    throw new CliError(
      `if any flags in the group [${a} ${b}] are set none of the others can be; [${a} ${b}] were all set`,
    );
  }
}
