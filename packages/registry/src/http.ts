/**
 * The HTTP client seam. Every request of this package goes through a {@link RegistryClient}: the
 * `AuthClient` of `@oras/auth` in real use (it answers 401 challenges and follows redirects), or
 * {@link PlainClient} for anonymous registries and tests. The shape is the `AuthClient` contract,
 * written out here so this package needs only its structure.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { OrasError, SizeExceedsLimitError, UnsafeError } from '@oras/spec';
import type { Dispatcher } from 'undici';
import { parseErrorBody, ResponseError } from './errors.js';
import {
  CALLER_RESUMES,
  defaultDispatcher,
  dispatchRequest,
  type RequestBodySource,
  takeBody,
  transportError,
} from '@oras/auth';

/** A request body: bytes, a string, or a function that makes a fresh stream (a rewindable body). */
export type RequestBody = Uint8Array | string | (() => RequestBodySource) | null;

/** A stream a request body function may return: the type of `@oras/auth`, the same everywhere. */
export type { RequestBodySource } from '@oras/auth';

/** A request as the auth client takes it. */
export interface RegistryRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The absolute URL. */
  readonly url: string | URL;
  /** Request headers (lower-case names). */
  readonly headers?: Record<string, string>;
  /** The body; a function is called again when the request must be re-sent. */
  readonly body?: RequestBody;
  /** Scope hints for token requests, e.g. `repository:a/b:pull,push`. */
  readonly scopes?: readonly string[];
  /** Whether the client follows GET/HEAD redirects itself (default true). */
  readonly followRedirects?: boolean;
  /** Aborts the request. */
  readonly signal?: AbortSignal;
  /**
   * Whether the caller resumes a body that breaks mid-way itself (with `Range`): the retry
   * interceptor then retries the request only until an answer starts (see `callerResumes` of
   * `@oras/auth`'s `AuthRequest`). Default `false`.
   */
  readonly callerResumes?: boolean;
}

/** A response as the auth client returns it. */
export interface RegistryResponse {
  /** The HTTP status. */
  readonly statusCode: number;
  /** The response headers (lower-case names). */
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body; always consume or dump it. */
  readonly body: Dispatcher.ResponseData['body'];
  /** The final URL, after redirects. */
  readonly url: URL;
}

/**
 * What this package needs from an HTTP client: `AuthClient` of `@oras/auth` satisfies it.
 */
export interface RegistryClient {
  /** Sends one request (answering auth challenges and following redirects as the client sees fit). */
  request(request: RegistryRequest): Promise<RegistryResponse>;
}

const require = createRequire(import.meta.url);
const { version } = require('../package.json') as { version: string };

/** The version of this package, as published. */
export const VERSION: string = version;

/** The `User-Agent` this package sends: `oras-ts/<version>`. */
export const USER_AGENT = `oras-ts/${VERSION}`;

/** The most redirects {@link PlainClient} follows for one request. */
export const DEFAULT_MAX_REDIRECTS = 10;

/** Headers that never cross to another origin on a redirect. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** Options of {@link PlainClient}. */
export interface PlainClientOptions {
  /** The dispatcher (see `createTransport`); `defaultDispatcher()` of `@oras/auth` when absent. */
  readonly dispatcher?: Dispatcher;
  /** Custom headers, sent to the origin of each request's first URL only (never across a redirect). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The `User-Agent`; {@link USER_AGENT} by default. */
  readonly userAgent?: string;
}

/**
 * An HTTP client without authentication: it sends the request as given, follows GET and HEAD
 * redirects itself (at most {@link DEFAULT_MAX_REDIRECTS}), and drops credentials and custom
 * headers when a redirect leaves the origin. Use it for anonymous registries and tests; use
 * `AuthClient` of `@oras/auth` for everything else.
 */
export class PlainClient implements RegistryClient {
  readonly #dispatcher: Dispatcher | undefined;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #userAgent: string;

  constructor(options: PlainClientOptions = {}) {
    this.#dispatcher = options.dispatcher;
    this.#headers = options.headers ?? {};
    this.#userAgent = options.userAgent ?? USER_AGENT;
  }

  async request(req: RegistryRequest): Promise<RegistryResponse> {
    const origin = new URL(String(req.url)).origin;
    let url = new URL(String(req.url));
    let headers: Record<string, string> = { 'user-agent': this.#userAgent, ...this.#headers, ...req.headers };
    const follow = (req.followRedirects ?? true) && (req.method === 'GET' || req.method === 'HEAD');
    for (let hop = 0; ; hop++) {
      const body = typeof req.body === 'function' ? toNodeBody(req.body()) : req.body;
      const res = await dispatchRequest(this.#dispatcher ?? defaultDispatcher(), {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: body ?? null,
        ...(req.signal ? { signal: req.signal } : {}),
        ...(req.callerResumes === true ? { [CALLER_RESUMES]: true } : {}),
      });
      const location = header(res.headers, 'location');
      if (!follow || !location || ![301, 302, 303, 307, 308].includes(res.statusCode)) {
        return { statusCode: res.statusCode, headers: res.headers, body: res.body, url };
      }
      await res.body.dump();
      if (hop >= DEFAULT_MAX_REDIRECTS) {
        throw new UnsafeError(`${req.method} ${url.origin}${url.pathname}: too many redirects`);
      }
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new UnsafeError(
          `${req.method} ${url.origin}${url.pathname}: redirect to ${next.protocol} refused`,
        );
      }
      if (next.origin !== origin) {
        headers = Object.fromEntries(
          Object.entries(headers).filter(
            ([name]) =>
              !CREDENTIAL_HEADERS.includes(name.toLowerCase()) && !(name.toLowerCase() in this.#headers),
          ),
        );
      }
      url = next;
    }
  }
}

function toNodeBody(source: RequestBodySource): Readable {
  if (source instanceof Readable) return source;
  return Readable.from(source as AsyncIterable<Uint8Array>, { objectMode: false });
}

/** Returns one header of a response as a string (the first when repeated). */
export function header(headers: RegistryResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads a body into memory, refusing more than `maxBytes` (it stops reading and destroys the
 * stream at the limit rather than trusting any `Content-Length`).
 */
export async function readCapped(
  body: RegistryResponse['body'],
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const taking = takeBody(body, maxBytes);
  if (taking) {
    const taken = await taking;
    if (taken.error) throw readFailure(what, taken.error);
    if (taken.over) {
      throw new SizeExceedsLimitError(`${what}: response body exceeds the limit of ${maxBytes} bytes`);
    }
    return taken.chunks.length === 1 ? (taken.chunks[0] as Buffer) : Buffer.concat(taken.chunks, taken.size);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        abandon(body);
        throw new SizeExceedsLimitError(`${what}: response body exceeds the limit of ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw readFailure(what, err);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * What a body that failed while it was read rejects with: a broken connection, a stall or a
 * failed resume becomes the typed error {@link transportError} makes, naming `what`; anything
 * else (ours, or an abort: its signal's reason or undici's `RequestAbortedError`) stays as it is.
 */
function readFailure(what: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || code === 'UND_ERR_ABORTED' || OrasError.is(err)) return err;
  return transportError(what, err);
}

/** The most bytes of an error body read before giving up on it. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Builds a {@link ResponseError} from a response, reading at most {@link MAX_ERROR_BODY_BYTES} of
 * its body (the rest is discarded).
 */
export async function toResponseError(method: string, res: RegistryResponse): Promise<ResponseError> {
  let body: Uint8Array = new Uint8Array();
  const taking = method === 'HEAD' ? undefined : takeBody(res.body, MAX_ERROR_BODY_BYTES);
  if (taking) {
    // a broken or endless error body still makes an error, of what came
    const taken = await taking;
    body = Buffer.concat(taken.chunks, taken.size);
  } else if (method !== 'HEAD') {
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        chunks.push(chunk);
        total += chunk.byteLength;
        if (total >= MAX_ERROR_BODY_BYTES) break;
      }
    } catch {
      // a broken error body still makes an error
    }
    body = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES);
  }
  abandon(res.body);
  const parsed = parseErrorBody(body);
  return new ResponseError({
    method,
    url: res.url,
    statusCode: res.statusCode,
    errors: parsed.errors,
    ...(parsed.bodySnippet === undefined ? {} : { bodySnippet: parsed.bodySnippet }),
  });
}

/**
 * Drops a body without reading it: the connection is closed rather than drained (for bodies that
 * may be large or endless). The stream's abort error is swallowed.
 */
export function abandon(body: RegistryResponse['body']): void {
  body.on('error', () => {});
  body.destroy();
}

/** The most bytes {@link discard} reads (undici's `dump` default): past it the connection is closed. */
const DISCARD_LIMIT_BYTES = 128 * 1024;

/** Discards a body so its connection returns to the pool (or closes it past 128 KiB). */
export async function discard(res: RegistryResponse): Promise<void> {
  // a body over the limit has its connection closed, as `dump` does
  const taking = takeBody(res.body, DISCARD_LIMIT_BYTES);
  if (taking) {
    await taking;
    return;
  }
  try {
    await res.body.dump();
  } catch {
    // nothing to do: the connection is closed either way
  }
}
