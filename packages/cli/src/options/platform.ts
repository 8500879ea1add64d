/** `--platform` (and `--artifact-platform`): `os[/arch][/variant][:os_version]`. */
import { type Platform, parsePlatform } from '@oras/spec';
import type { Options } from 'yargs';
import { CliError } from '../errors.js';
import { stringArg } from './args.js';

/** The `--platform` flag. */
export function platformFlag(
  describe = 'request platform in the form of `os[/arch][/variant][:os_version]`',
): Record<string, Options> {
  return { platform: { type: 'string', describe } };
}

/** The parsed `--platform` (or another platform flag), if given. */
export function platformArg(argv: Record<string, unknown>, key = 'platform'): Platform | undefined {
  const text = stringArg(argv, key);
  if (text === undefined || text === '') return undefined;
  try {
    return parsePlatform(text);
  } catch (error) {
    throw new CliError(`invalid --${key} "${text}": ${(error as Error).message}`, {
      cause: error,
      hint: 'use the form os[/arch][/variant][:os_version], e.g. linux/amd64',
    });
  }
}
