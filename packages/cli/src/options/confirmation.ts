/**
 * The flags of the delete commands: `-f/--force` (delete without asking; a missing target is then
 * no error) with `--descriptor` and `--pretty`.
 */
import { CliError } from '../errors.js';
import { type DescriptorOptions, descriptorOptions } from './descriptor.js';
import { flagSet, type OptionGroup } from './flag-set.js';

/** The parsed flags of a delete command. */
export interface DeleteOptions extends DescriptorOptions {
  /** Delete without asking; a missing target is then no error (`--force`). */
  readonly force: boolean;
}

const FORCE = flagSet({
  force: { alias: 'f', type: 'boolean', describe: 'ignore nonexistent references, never prompt' },
});

/**
 * `-f/--force`, `--descriptor` and `--pretty`; `--descriptor` without `--force` is refused, as
 * oras refuses it.
 */
export function deleteOptions(): OptionGroup<DeleteOptions> {
  const descriptor = descriptorOptions();
  return {
    flags: () => ({ ...FORCE.flags(), ...descriptor.flags() }),
    parse(argv, ctx) {
      const options = { force: FORCE.read(argv).force === true, ...descriptor.parse(argv, ctx) };
      if (options.descriptor && !options.force)
        throw new CliError('must apply --force to confirm the deletion if the descriptor is outputted');
      return options;
    },
  };
}
