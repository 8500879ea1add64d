/**
 * What `--debug` prints on stderr, in oras's format: each HTTP request and response as a log entry
 *
 * ```
 * [2025-01-02T03:04:05.678Z][DEBUG]: Request #0
 * > Request URL: "http://localhost:5000/v2/"
 * > Request method: "GET"
 * > Request headers:
 *    "User-Agent": "oras/1.3.0"
 * ```
 *
 * then `Response #0` with `< Response Status: "200 OK"` and its headers. Secrets are masked with
 * `@oras/auth`'s redaction (an allow list, so custom `-H` values are masked too), and every
 * value is quoted as Go's `%q` quotes it, so bytes from the network (a status text, a header)
 * cannot move the cursor, clear the screen or write the clipboard.
 *
 * The requests are read from undici's diagnostics channels, so the trace sees exactly what goes on
 * the wire (after authentication and redirects), without this package importing undici.
 */
import { subscribe } from 'node:diagnostics_channel';
import { goQuote } from './errors.js';
import { printable } from './output/escape.js';

/** A writable stream for the entries. */
interface Sink {
  write(text: string): unknown;
}

/** The timestamp of an entry, as Go's RFC 3339 with nanoseconds writes it (trailing zeros cut). */
function timestamp(now = new Date()): string {
  return now.toISOString().replace(/\.?0+Z$/, 'Z');
}

/** Writes one debug entry, as oras's log formatter does: `[time][DEBUG]: message` and a blank line. */
export function writeDebugEntry(sink: Sink, message: string, level = 'DEBUG'): void {
  const safe = message
    .split('\n')
    .map((line) => printable(line))
    .join('\n');
  sink.write(`[${timestamp()}][${level}]: ${safe}\n\n`);
}

/** `content-type` as Go's canonical header key: `Content-Type`. */
function canonicalKey(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

type Redact = (headers: Record<string, string | string[]>) => Record<string, string | string[] | undefined>;

/** The header lines of a request or response: `   "Name": "value"`, redacted, or `   Empty header`. */
function headerLines(pairs: readonly [string, string][], redact: Redact): string {
  if (pairs.length === 0) return '   Empty header';
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    grouped[key] = [...(grouped[key] ?? []), value];
  }
  const redacted = redact(grouped);
  return Object.entries(redacted)
    .map(([name, value]) => {
      const joined = Array.isArray(value) ? value.join(', ') : (value ?? '');
      return `   ${goQuote(canonicalKey(name))}: ${goQuote(joined)}`;
    })
    .join('\n');
}

/** Pairs of a flat `[name, value, name, value]` list of strings or buffers. */
function pairsOf(flat: unknown): [string, string][] {
  if (!Array.isArray(flat)) return [];
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const value = flat[i + 1];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) out.push([String(flat[i]), String(v)]);
  }
  return out;
}

interface TracedRequest {
  readonly origin?: unknown;
  readonly path?: unknown;
  readonly method?: unknown;
  readonly headers?: unknown;
}

let installed = false;

/**
 * Starts tracing every HTTP request of the process to `sink` (once; later calls do nothing).
 * `redact` masks the header values that may hold secrets (`@oras/auth`'s `redactHeaders`),
 * `redactUrl` the query values of signed URLs.
 */
export function installHttpTrace(sink: Sink, redact: Redact, redactUrl: (url: string) => string): void {
  if (installed) return;
  installed = true;
  let next = 0;
  const ids = new WeakMap<object, number>();
  subscribe('undici:request:create', (message) => {
    const request = (message as { request: TracedRequest }).request;
    const id = next++;
    ids.set(request as object, id);
    const url = redactUrl(`${String(request.origin ?? '')}${String(request.path ?? '')}`);
    writeDebugEntry(
      sink,
      `Request #${id}\n> Request URL: ${goQuote(url)}\n> Request method: ${goQuote(String(request.method ?? ''))}\n> Request headers:\n${headerLines(pairsOf(request.headers), redact)}`,
    );
  });
  subscribe('undici:request:headers', (message) => {
    const { request, response } = message as {
      request: TracedRequest;
      response: { statusCode: number; statusText?: string; headers?: unknown };
    };
    const id = ids.get(request as object);
    if (id === undefined) return;
    const status = `${response.statusCode} ${response.statusText ?? ''}`.trim();
    writeDebugEntry(
      sink,
      `Response #${id}\n< Response Status: ${goQuote(status)}\n< Response headers:\n${headerLines(pairsOf(response.headers), redact)}`,
    );
  });
  subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: TracedRequest; error: unknown };
    if (ids.get(request as object) === undefined) return;
    writeDebugEntry(
      sink,
      `Error in getting response: ${error instanceof Error ? error.message : String(error)}`,
      'ERROR',
    );
  });
}
