/** `--descriptor` and `--pretty`: print the descriptor instead of the content, indented or not. */
import { flagSet, type OptionGroup } from './flag-set.js';

/** The flag names, for the messages that name them. */
export const DESCRIPTOR_FLAGS = { descriptor: 'descriptor', pretty: 'pretty' } as const;

/** The parsed `--descriptor` and `--pretty`. */
export interface DescriptorOptions {
  /** `--descriptor`: print the descriptor. */
  readonly descriptor: boolean;
  /** `--pretty`: indent JSON printed to stdout. */
  readonly pretty: boolean;
}

/** The `--descriptor` and `--pretty` flags, in oras's words. */
export function descriptorOptions(): OptionGroup<DescriptorOptions> {
  const FLAGS = flagSet({
    [DESCRIPTOR_FLAGS.descriptor]: { type: 'boolean', describe: 'output the descriptor' },
    [DESCRIPTOR_FLAGS.pretty]: { type: 'boolean', describe: 'prettify JSON objects printed to stdout' },
  });
  return {
    flags: () => FLAGS.flags(),
    parse(argv) {
      const flags = FLAGS.read(argv);
      return { descriptor: flags.descriptor === true, pretty: flags.pretty === true };
    },
  };
}
