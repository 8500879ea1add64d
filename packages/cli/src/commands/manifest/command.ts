/** `oras manifest`: the manifest commands (fetch, fetch-config, push, delete, index). */
import { summaryOf } from '../../command-table.js';
import type { CommandFactory } from '../define.js';
import { unknownSubcommand } from '../define.js';
import { command as deleteCommand } from './delete/command.js';
import { command as fetchCommand } from './fetch/command.js';
import { command as fetchConfigCommand } from './fetch-config/command.js';
import { command as indexCommand } from './index/command.js';
import { command as pushCommand } from './push/command.js';

/** The definition of `oras manifest` and its subcommands. */
export const command: CommandFactory = (ctx) => ({
  command: 'manifest [command]',
  describe: summaryOf('manifest'),
  builder: (y) =>
    y
      .usage('oras manifest [command]')
      .command(deleteCommand(ctx))
      .command(fetchCommand(ctx))
      .command(fetchConfigCommand(ctx))
      .command(indexCommand(ctx))
      .command(pushCommand(ctx)),
  handler: (argv) => unknownSubcommand('oras manifest', argv, 'delete, fetch, fetch-config, index or push'),
});
