/** `oras blob`: the blob commands (fetch, push, delete). */
import { summaryOf } from '../../command-table.js';
import type { CommandFactory } from '../define.js';
import { unknownSubcommand } from '../define.js';
import { command as deleteCommand } from './delete/command.js';
import { command as fetchCommand } from './fetch/command.js';
import { command as pushCommand } from './push/command.js';

/** The definition of `oras blob` and its subcommands. */
export const command: CommandFactory = (ctx) => ({
  command: 'blob [command]',
  describe: summaryOf('blob'),
  builder: (y) =>
    y
      .usage('oras blob [command]')
      .command(deleteCommand(ctx))
      .command(fetchCommand(ctx))
      .command(pushCommand(ctx)),
  handler: (argv) => unknownSubcommand('oras blob', argv, 'delete, fetch or push'),
});
