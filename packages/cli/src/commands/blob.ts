/** `oras blob`: the blob commands (fetch, push, delete). */
import { summaryOf } from '../command-table.js';
import { command as deleteCommand } from './blob-delete.js';
import { command as fetchCommand } from './blob-fetch.js';
import { command as pushCommand } from './blob-push.js';
import { unknownSubcommand } from './manifest-flags.js';
import type { CommandFactory } from './types.js';

/** The definition of `oras blob` and its subcommands. */
export const command: CommandFactory = (ctx) => ({
  command: 'blob [command]',
  describe: summaryOf('blob'),
  builder: (y) =>
    y
      .usage('oras blob [command]\n\nBlob operations.')
      .command(deleteCommand(ctx))
      .command(fetchCommand(ctx))
      .command(pushCommand(ctx)),
  handler: (argv) => unknownSubcommand('oras blob', argv.command, 'delete, fetch or push'),
});
