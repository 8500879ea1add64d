/**
 * `@oras/cli`: the `oras` command line. The package is mainly its `oras` binary; the exports let
 * other tools run it in-process and reuse its output helpers.
 * @packageDocumentation
 */
export { COMMANDS, findCommand } from './command-table.js';
export type { CommandEntry } from './command-table.js';
export { processContext } from './context.js';
export type { CliContext, OutputStream } from './context.js';
export { CliError, EXIT_FAILURE, describeError, renderError } from './errors.js';
export type { CliErrorOptions } from './errors.js';
export { main } from './main.js';
export { TemplateError, compileTemplate } from './output/template.js';
export type { CompiledTemplate } from './output/template.js';
export { cliVersion, renderVersion, versionInfo } from './version-info.js';
export type { VersionInfo } from './version-info.js';

/** The package's name, for diagnostics. */
export const PACKAGE_NAME = '@oras/cli';
