/** `--descriptor` and `--pretty`: print the descriptor instead of the content, indented or not. */
import type { Options } from 'yargs';

/** The `--descriptor` and `--pretty` flags. */
export function descriptorFlags(what = 'the'): Record<string, Options> {
  return {
    descriptor: { type: 'boolean', describe: `print ${what} descriptor` },
    pretty: { type: 'boolean', describe: 'prettify JSON objects printed to stdout' },
  };
}
