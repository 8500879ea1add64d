/** `oras manifest`: the manifest commands (fetch, fetch-config, push, delete, index). */
import { summaryOf } from '../command-table.js';
import { command as deleteCommand } from './manifest-delete.js';
import { command as fetchCommand } from './manifest-fetch.js';
import { command as fetchConfigCommand } from './manifest-fetch-config.js';
import { command as indexCommand } from './manifest-index.js';
import { command as pushCommand } from './manifest-push.js';
import { unknownSubcommand } from './manifest-flags.js';
import type { CommandFactory } from './types.js';

/** The definition of `oras manifest` and its subcommands. */
export const command: CommandFactory = (ctx) => ({
  command: 'manifest [command]',
  describe: summaryOf('manifest'),
  builder: (y) =>
    y
      .usage('oras manifest [command]\n\nManifest operations.')
      .command(deleteCommand(ctx))
      .command(fetchCommand(ctx))
      .command(fetchConfigCommand(ctx))
      .command(indexCommand(ctx))
      .command(pushCommand(ctx)),
  handler: (argv) =>
    unknownSubcommand('oras manifest', argv.command, 'delete, fetch, fetch-config, index or push'),
});
