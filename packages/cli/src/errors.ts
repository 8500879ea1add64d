/**
 * The CLI's errors and the one place that turns any error into what the user sees, in oras's
 * words: a first line with oras's prefix (`Error:`, `Error response from registry:`, or, in `cp`,
 * `Error from source registry for "<ref>":`), then the usage and the hints oras gives for that
 * kind of failure, exit code 1, and the stack and cause chain only with `--debug`.
 *
 * Every byte of a message may come from the network (a registry's error text, a title), so each
 * line is escaped as Go's `%q` escapes: a registry cannot clear the screen, write the clipboard
 * (OSC 52) or start a line of its own that looks like ours.
 */
import { STATUS_CODES } from 'node:http';
import { ErrorCode, OrasError, type OrasErrorOptions } from '@oras/spec';
import { printable, printableMessage } from './output/escape.js';

/** Options of {@link CliError}. */
export interface CliErrorOptions extends OrasErrorOptions {
  /** A stable `ORAS_ERR_*` code; {@link ErrorCode.InvalidArgument} by default. */
  readonly code?: string;
  /**
   * What the user can do about it, printed on the line after the error. An empty string means
   * no hint at all, not even one the causes would bring (oras prints none for some errors).
   */
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

/** The prefix of the first line of an error oras prints. */
export const ERROR_PREFIX = 'Error:';

/** The prefix oras prints before an error a registry answered. */
export const REGISTRY_ERROR_PREFIX = 'Error response from registry:';

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

/** One side of a command, as the user typed it: `cp` has two. */
export interface TargetLabel {
  /** `registry` or `oci-layout`, as oras names target types. */
  readonly type: 'registry' | 'oci-layout';
  /** The reference as typed (without the extra `,tag`s). */
  readonly reference: string;
}

/**
 * What the run knows about where an error happened, for the words around it. Everything is
 * optional: an error without context is printed with the plain `Error:` prefix.
 */
export interface ErrorContext {
  /** The source of a copy. */
  readonly from?: TargetLabel | undefined;
  /** The destination of a copy. */
  readonly to?: TargetLabel | undefined;
  /** Whether the command works on an OCI image layout, not a registry. */
  readonly layout?: boolean | undefined;
  /** The hosts a credential was sent to (flags, or a credential in the authentication file). */
  readonly credentialHosts?: ReadonlySet<string> | undefined;
  /** The authentication file credentials are read from, when they come from one. */
  readonly configPath?: string | undefined;
}

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

/** The errors of a cause chain, outermost first (at most 16 deep). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 16; depth++) {
    out.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

/** The shape of `ResponseError` of `@oras/registry`, found by shape so this file loads no HTTP code. */
interface ResponseErrorShape extends OrasError {
  readonly method: string;
  readonly url: string;
  readonly statusCode: number;
  readonly errors: readonly { readonly code: string; readonly message: string; readonly detail?: unknown }[];
}

function isResponseError(value: unknown): value is ResponseErrorShape {
  return (
    OrasError.is(value) &&
    typeof (value as { statusCode?: unknown }).statusCode === 'number' &&
    (value as unknown as { statusCode: number }).statusCode > 0 &&
    typeof (value as { method?: unknown }).method === 'string' &&
    Array.isArray((value as { errors?: unknown }).errors)
  );
}

/**
 * A registry answer found in a cause chain: a `ResponseError`, or an `UnauthorizedError` /
 * `DeniedError` of `@oras/auth` that keeps the status and error entries of the answer (its
 * message starts with the request, `HEAD https://host/v2/...: `).
 */
function asResponse(value: unknown): ResponseErrorShape | undefined {
  if (isResponseError(value)) return value;
  if (!OrasError.is(value) || (value.code !== ErrorCode.Unauthorized && value.code !== ErrorCode.Denied)) {
    return undefined;
  }
  const { statusCode, errors } = value as unknown as { statusCode?: unknown; errors?: unknown };
  if (typeof statusCode !== 'number' || !Array.isArray(errors)) return undefined;
  const request = /^([A-Z]+) (https?:\/\/\S+?): /.exec(value.message);
  if (!request) return undefined;
  return Object.assign(Object.create(value) as OrasError, {
    method: request[1] as string,
    url: request[2] as string,
    statusCode,
    errors: errors as ResponseErrorShape['errors'],
  }) as ResponseErrorShape;
}

/** The shape of `CopyError` of `@oras/content`. */
interface CopyErrorShape extends OrasError {
  readonly origin: 'source' | 'destination';
  readonly op?: unknown;
}

function isCopyError(value: unknown): value is CopyErrorShape {
  const origin = (value as { origin?: unknown } | null)?.origin;
  return (
    OrasError.is(value) && value.code === ErrorCode.Copy && (origin === 'source' || origin === 'destination')
  );
}

/** Go's `%q` of a string: quoted, with `"` and `\` and every control character escaped. */
export function goQuote(text: string): string {
  return `"${printable(text.replaceAll('\\', '\\\\').replaceAll('"', '\\"'))}"`;
}

/** A distribution error entry as oras-go writes it: `code in lower case: message[: detail]`. */
function entryText(entry: ResponseErrorShape['errors'][number]): string {
  const code = entry.code.toLowerCase().replaceAll('_', ' ');
  if (!entry.message) return code;
  if (entry.detail === undefined || entry.detail === null) return `${code}: ${entry.message}`;
  const detail = typeof entry.detail === 'string' ? entry.detail : JSON.stringify(entry.detail);
  return `${code}: ${entry.message}: ${detail}`;
}

/** Whether an error's message carries an HTML page (a web server that is no registry). */
function looksLikeHtml(message: string): boolean {
  return /<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]|<title>/i.test(message);
}

/** The host of a URL, or `''`. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** The repository of a distribution URL (`/v2/<repo>/manifests/...`), or `''`. */
function repositoryOf(url: string): string {
  try {
    const m = /^\/v2\/(.+?)\/(?:manifests|blobs|tags|referrers)(?:\/|$)/.exec(new URL(url).pathname);
    return m?.[1] ?? '';
  } catch {
    return '';
  }
}

/** What one failure reads like: whether the registry answered it, its message and hints. */
interface Classified {
  readonly fromRegistry: boolean;
  readonly message: string;
  readonly hints: readonly string[];
  readonly usage?: string | undefined;
}

/** oras's recommendation after a credential problem, naming the authentication file. */
function credentialFileHint(configPath: string | undefined): string {
  const at = configPath ? ` at ${JSON.stringify(configPath)} ` : ' ';
  return `Please check whether the registry credential stored in the authentication file${at}is correct`;
}

/** A registry's error answer, in oras's words, with what to do about a 401 or 403. */
function classifyResponse(res: ResponseErrorShape, context: ErrorContext): Classified {
  const host = hostOf(res.url);
  let message: string;
  if (res.errors.length > 0) {
    message = res.errors.map(entryText).join('; ');
  } else {
    const status = STATUS_CODES[res.statusCode] ?? '';
    message = `${res.method} ${goQuote(res.url)}: response status code ${res.statusCode}: ${status}`;
    if (looksLikeHtml(res.message) || res.statusCode === 501) message += ': not an OCI registry';
  }
  const hints: string[] = [];
  if (res.statusCode === 401 && host) {
    if (context.credentialHosts?.has(host)) {
      hints.push(`The registry rejected the credentials for ${host}.`);
      if (context.configPath) hints.push(credentialFileHint(context.configPath));
    } else {
      hints.push(`No credential was sent to ${host}: run "oras login ${host}" or pass --username.`);
    }
  } else if (res.statusCode === 403 && host) {
    const repo = repositoryOf(res.url);
    hints.push(
      `Access denied to the repository ${repo ? `${host}/${repo}` : `on ${host}`}: the credentials in use are not allowed to do this.`,
    );
  }
  return { fromRegistry: true, message, hints };
}

/** A transport failure put as Go's `url.Error` reads: `Head "http://...": dial tcp ...`. */
function transportMessage(message: string): string {
  // the library names its option; a CLI user sets the flag
  const plain = /^(the registry at \S+ speaks plain HTTP): set plainHttp: true$/.exec(message);
  if (plain) return `${plain[1]}: use --plain-http`;
  const m = /^([A-Z]+) (\S+?): (.*)$/s.exec(message);
  if (!m) return message;
  const [, method = '', url = '', rest = ''] = m;
  if (!/^https?:\/\//.test(url)) return message;
  const op = method.charAt(0) + method.slice(1).toLowerCase();
  const refused = /^connect ECONNREFUSED (\S+)$/.exec(rest);
  const notFound = /^getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (\S+)$/.exec(rest);
  let detail = rest;
  if (refused) detail = `dial tcp ${refused[1]}: connect: connection refused`;
  else if (notFound) detail = `dial tcp: lookup ${notFound[1]}: no such host`;
  else if (/ECONNRESET|other side closed/.test(rest)) detail = `${rest} (connection reset by peer)`;
  return `${op} ${goQuote(url)}: ${detail}`;
}

/** Classifies one error (a copy error's inner error, or the error itself). */
function classify(err: unknown, context: ErrorContext): Classified {
  const all = chain(err);
  const response = all.map(asResponse).find((r) => r !== undefined);
  if (response) {
    const answer = classifyResponse(response, context);
    if (!(err instanceof CliError)) return answer;
    // the command's own hint (a Docker Hub namespace, say) says more than the status does
    return { ...answer, hints: err.hint ? [err.hint] : answer.hints, usage: err.usage };
  }
  if (err instanceof CliError) {
    const transport = all
      .slice(1)
      .find(
        (e): e is OrasError =>
          OrasError.is(e) && (e.code === ErrorCode.Network || e.code === ErrorCode.Timeout),
      );
    const message = transport
      ? err.message.replace(transport.message, transportMessage(transport.message))
      : err.message;
    const remote = all.slice(1).some((e) => OrasError.is(e) && e.code === ErrorCode.NotFound);
    return {
      fromRegistry: remote && !context.layout,
      message,
      hints:
        err.hint !== undefined
          ? [err.hint].filter(Boolean)
          : (noCredentialHints(all, context) ?? hintsFromChain(all)),
      usage: err.usage,
    };
  }
  const noCredential = noCredentialHints(all, context);
  if (noCredential)
    return { fromRegistry: false, message: 'basic credential not found', hints: noCredential };
  const code = OrasError.is(err) ? err.code : undefined;
  const message = errorMessage(err);
  if (code === ErrorCode.Network || code === ErrorCode.Timeout) {
    return { fromRegistry: false, message: transportMessage(message), hints: hintsFromChain(all) };
  }
  const remoteFailure =
    !context.layout &&
    (code === ErrorCode.NotFound || code === ErrorCode.Unauthorized || code === ErrorCode.Denied);
  return { fromRegistry: remoteFailure, message, hints: hintsFromChain(all) };
}

/**
 * What oras recommends when no credential was found for a registry that asks for one (the
 * authentication file to check, and `oras login <host>`), or `undefined` for any other failure.
 */
function noCredentialHints(all: readonly unknown[], context: ErrorContext): string[] | undefined {
  // the innermost one names the host (a command's own error may wrap it)
  const noCredential = [...all]
    .reverse()
    .find(
      (e): e is OrasError =>
        OrasError.is(e) && e.code === ErrorCode.Unauthorized && /basic credential not found$/.test(e.message),
    );
  if (!noCredential) return undefined;
  const host = /^(\S+): basic credential not found$/.exec(noCredential.message)?.[1];
  const hints = [credentialFileHint(context.configPath)];
  if (host) hints.push(`To log in, run "oras login ${host}"`);
  return hints;
}

/** The hints of the first errors in the cause chain that have one. */
function hintsFromChain(all: readonly unknown[]): string[] {
  for (const cur of all) {
    if (cur instanceof CliError && cur.hint) return [cur.hint];
    if (OrasError.is(cur) && HINTS_BY_CODE[cur.code]) return [HINTS_BY_CODE[cur.code] as string];
  }
  return [];
}

/** One line made safe for a terminal: control characters and newlines escaped. */
function safeLine(text: string): string {
  return printable(text);
}

/**
 * A reference that named nothing, in oras-go's words (`oras.Copy` and `oras cp`): `failed to
 * resolve <tag or digest>: <what the target said>`. Other errors are returned unchanged.
 */
export function failedToResolve(ref: string, error: unknown): unknown {
  if (!OrasError.is(error) || error.code !== ErrorCode.NotFound) return error;
  return new OrasError(`failed to resolve ${ref}: ${error.message}`, {
    code: ErrorCode.NotFound,
    cause: error,
  });
}

/**
 * A copy whose source reference named nothing: oras prints it as any missing manifest
 * (`Error response from registry: failed to resolve ...`, plain `Error:` from an OCI layout),
 * not as a failure of one side of the copy.
 */
function sourceNotResolved(copy: CopyErrorShape): unknown {
  const cause = copy.cause;
  if (copy.origin !== 'source' || copy.op !== 'resolve' || !OrasError.is(cause)) return undefined;
  // the library's message is `source: resolve <ref>: <cause>`
  const head = 'source: resolve ';
  const tail = `: ${cause.message}`;
  if (!copy.message.startsWith(head) || !copy.message.endsWith(tail)) return undefined;
  const wrapped = failedToResolve(copy.message.slice(head.length, copy.message.length - tail.length), cause);
  return wrapped === cause ? undefined : wrapped;
}

/**
 * The lines shown for an error: `<prefix> <message>`, then any usage and hints, in oras's words
 * and order. A copy error is reported by its inner error, with the side that failed in the prefix
 * when `context` names the two sides; a registry's answer gets oras's registry prefix.
 */
export function describeError(err: unknown, context: ErrorContext = {}): string[] {
  const copy = chain(err).find(isCopyError);
  const unresolved = copy && sourceNotResolved(copy);
  if (unresolved) {
    const layout = context.from ? context.from.type === 'oci-layout' : context.layout;
    return describeError(unresolved, { ...context, layout });
  }
  const inner = copy ? (copy.cause ?? copy) : err;
  const classified = classify(inner, context);
  let prefix = classified.fromRegistry ? REGISTRY_ERROR_PREFIX : ERROR_PREFIX;
  const side = copy ? (copy.origin === 'source' ? context.from : context.to) : undefined;
  if (copy && side) prefix = `Error from ${copy.origin} ${side.type} for ${goQuote(side.reference)}:`;
  const lines = [`${prefix} ${safeLine(classified.message)}`];
  if (classified.usage) lines.push(`Usage: ${safeLine(classified.usage)}`);
  for (const hint of classified.hints) lines.push(...hint.split('\n').map((l) => printableMessage(l)));
  return lines;
}

/** What `--debug` adds: the stack and each cause in turn, escaped like the message. */
export function debugDetails(err: unknown): string[] {
  const lines: string[] = [];
  chain(err).forEach((cur, depth) => {
    const prefix = depth === 0 ? '' : 'caused by: ';
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      lines.push(`${prefix}${cur.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${cur.message}`);
      // the stack starts with the message, which may span lines: keep only the frames
      const frames = cur.stack?.indexOf('\n    at ') ?? -1;
      if (cur.stack && frames >= 0) lines.push(...cur.stack.slice(frames + 1).split('\n'));
    } else {
      lines.push(`${prefix}${String(cur)}`);
    }
  });
  return lines.map(safeLine);
}

/** Renders an error for stderr; with `debug`, the stack and cause chain follow. */
export function renderError(err: unknown, debug = false, context: ErrorContext = {}): string {
  const lines = describeError(err, context);
  if (debug) lines.push(...debugDetails(err));
  return `${lines.join('\n')}\n`;
}
