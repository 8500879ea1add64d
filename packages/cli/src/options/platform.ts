/** `--platform` (and `--artifact-platform`): `os[/arch][/variant][:os_version]`. */
import { type Platform, parsePlatform } from '@oras/spec';
import { CliError } from '../errors.js';
import { flagSet, type OptionGroup } from './flag-set.js';

/** Parses the value of a platform flag (`flag` names it in the error), if given. */
export function platformFlagValue(text: string | undefined, flag: string): Platform | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return parsePlatform(text);
  } catch (error) {
    throw new CliError(`invalid --${flag} "${text}": ${(error as Error).message}`, {
      cause: error,
      hint: 'use the form os[/arch][/variant][:os_version], e.g. linux/amd64',
    });
  }
}

/** The `--platform` flag, described as the command uses it. */
export function platformOptions(
  describe = 'request platform in the form of `os[/arch][/variant][:os_version]`',
): OptionGroup<Platform | undefined> {
  const FLAGS = flagSet({ platform: { type: 'string', describe } });
  return {
    flags: () => FLAGS.flags(),
    parse: (argv) => platformFlagValue(FLAGS.read(argv).platform, 'platform'),
  };
}
