/**
 * The CLI's errors and the one place that turns any error into what the user sees: a line
 * `Error: <message>`, the hint oras gives for that kind of failure on the following lines, exit
 * code 1, and the stack and cause chain only with `--debug`.
 */
import { ErrorCode, OrasError, type OrasErrorOptions } from '@oras/spec';
import { printableLines } from './output/escape.js';

/** Options of {@link CliError}. */
export interface CliErrorOptions extends OrasErrorOptions {
  /** A stable `ORAS_ERR_*` code; {@link ErrorCode.InvalidArgument} by default. */
  readonly code?: string;
  /** What the user can do about it, printed on the line after the error. */
  readonly hint?: string;
  /** The command's usage line, printed as `Usage: ...` after the error. */
  readonly usage?: string;
}

/** A failure the CLI itself detects (bad flags, bad arguments), with an optional hint. */
export class CliError extends OrasError {
  static override readonly code: string = ErrorCode.InvalidArgument;
  /** What the user can do about it. */
  readonly hint: string | undefined;
  /** The command's usage line. */
  readonly usage: string | undefined;

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, options);
    this.hint = options.hint;
    this.usage = options.usage;
  }
}

/** The exit code of every failed run, as oras has it. */
export const EXIT_FAILURE = 1;

/** The hint oras prints after an invalid reference, with the form the command expects. */
export function referenceHint(form = '<registry>/<repo>[:tag|@digest]'): string {
  return `Please make sure the provided reference is in the form of ${form}`;
}

/** The hint oras prints when a pull would write outside the output directory. */
export const PATH_TRAVERSAL_HINT =
  'use flag --allow-path-traversal to allow insecurely pulling files outside of working directory';

/** Hints that depend only on the error's code. */
const HINTS_BY_CODE: Readonly<Record<string, string>> = {
  [ErrorCode.PathTraversal]: PATH_TRAVERSAL_HINT,
  [ErrorCode.InvalidReference]: referenceHint(),
  [ErrorCode.OverwriteDisallowed]: 'remove the file or pull without --keep-old-files',
};

/** The message of any thrown value, with Node's system errors put the Go way (`open x: no such file`). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const sys = err as NodeJS.ErrnoException;
    if (typeof sys.code === 'string' && typeof sys.syscall === 'string' && !OrasError.is(err)) {
      const what = sys.path ? `${sys.syscall} ${sys.path}` : sys.syscall;
      const detail = sys.message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+ '.*'$/, '');
      return `${what}: ${detail}`;
    }
    return err.message;
  }
  return String(err);
}

/** The hint for the first error in the cause chain whose code has one. */
function hintFromChain(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 16; depth++) {
    if (cur instanceof CliError && cur.hint) return cur.hint;
    if (OrasError.is(cur) && HINTS_BY_CODE[cur.code]) return HINTS_BY_CODE[cur.code];
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The lines shown for an error: the message, then any usage and hint. Control characters a
 * message carries from the network (a registry's error text, a title) are escaped.
 */
export function describeError(err: unknown): string[] {
  const lines = [`Error: ${printableLines(errorMessage(err))}`];
  const cli = err instanceof CliError ? err : undefined;
  if (cli?.usage) lines.push(`Usage: ${cli.usage}`);
  const hint = cli?.hint ?? hintFromChain(err);
  if (hint) lines.push(hint);
  return lines;
}

/** What `--debug` adds: the stack and each cause in turn. */
export function debugDetails(err: unknown): string[] {
  const lines: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 16; depth++) {
    const prefix = depth === 0 ? '' : 'caused by: ';
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      lines.push(`${prefix}${cur.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${cur.message}`);
      if (cur.stack) lines.push(...cur.stack.split('\n').slice(1));
      cur = cur.cause;
    } else {
      lines.push(`${prefix}${String(cur)}`);
      break;
    }
  }
  return lines;
}

/** Renders an error for stderr; with `debug`, the stack and cause chain follow. */
export function renderError(err: unknown, debug = false): string {
  const lines = describeError(err);
  if (debug) lines.push(...debugDetails(err));
  return `${lines.join('\n')}\n`;
}
