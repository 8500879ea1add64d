/**
 * What a command module exports: a factory of its yargs definition. The definition is light (flags,
 * usage, examples); its handler `await import()`s the implementation, so `--help` loads nothing heavy.
 */
import type { CommandModule } from 'yargs';
import type { CliContext } from '../context.js';

/** Builds a command's yargs definition for one run. */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules are typed per command
export type CommandFactory = (ctx: CliContext) => CommandModule<any, any>;
