/** `oras repo` (`repository`): list repositories and tags. */
import { summaryOf } from '../../command-table.js';
import type { CommandFactory } from '../define.js';
import { unknownSubcommand } from '../define.js';
import { command as lsCommand } from './ls/command.js';
import { command as tagsCommand } from './tags/command.js';

/** The definition of `oras repo` and its subcommands. */
export const command: CommandFactory = (ctx) => ({
  command: 'repo [command]',
  aliases: ['repository'],
  describe: summaryOf('repo'),
  builder: (y) => y.usage('oras repo [command]').command(lsCommand(ctx)).command(tagsCommand(ctx)),
  handler: (argv) => unknownSubcommand('oras repo', argv, 'ls or tags'),
});
