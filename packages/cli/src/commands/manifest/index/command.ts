/** `oras manifest index`: create and update image indexes. */

import type { CommandFactory } from '../../define.js';
import { unknownSubcommand } from '../../define.js';
import { command as createCommand } from './create/command.js';
import { command as updateCommand } from './update/command.js';

/** The definition of `oras manifest index` and its subcommands. */
export const command: CommandFactory = (ctx) => ({
  command: 'index [command]',
  describe: '[Experimental] Index operations',
  builder: (y) =>
    y.usage('oras manifest index [command]').command(createCommand(ctx)).command(updateCommand(ctx)),
  handler: (argv) => unknownSubcommand('oras manifest index', argv, 'create or update'),
});
