/** `oras version`: show the version information. */
import { summaryOf } from '../../command-table.js';
import { renderVersion } from '../../version-info.js';
import type { CommandFactory } from '../define.js';

/** The definition of `oras version`. */
export const command: CommandFactory = (ctx) => ({
  command: 'version',
  describe: summaryOf('version'),
  builder: (y) =>
    y.usage('oras version\n\nShow the oras version information').example('oras version', 'Print the version'),
  handler: () => {
    ctx.stdout.write(renderVersion());
  },
});
