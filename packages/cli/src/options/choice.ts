/**
 * A flag value checked against its options, refused in the words pflag and oras use for a flag
 * whose value does not parse: `invalid argument "v9" for "--image-spec" flag: unknown image
 * specification flag: v9`, then `Available options: v1.1, v1.0`.
 */
import { CliError } from '../errors.js';

/** `value` when it is one of `options`; `undefined` when absent; else the error oras gives. */
export function checkChoice<const T extends string>(
  flag: string,
  value: string | undefined,
  options: readonly T[],
  what: string,
): T | undefined {
  if (value === undefined) return undefined;
  if ((options as readonly string[]).includes(value)) return value as T;
  throw new CliError(`invalid argument "${value}" for "--${flag}" flag: unknown ${what} flag: ${value}`, {
    hint: `Available options: ${options.join(', ')}`,
  });
}
