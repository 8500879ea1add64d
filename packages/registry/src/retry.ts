/**
 * Retries as an undici interceptor: idempotent requests and rewindable bodies are re-sent on 408,
 * 429, 5xx and connection resets, with exponential backoff and jitter (a refused connection is
 * retried once, after {@link REFUSED_RETRY_DELAY_MS}); `Retry-After` (seconds or an
 * HTTP date) is honoured up to a bound; one back-off gate per host holds every request to that host
 * while it is backing off; an overall deadline bounds the time spent on one request.
 *
 * Why one gate per host: a registry that answers 429 to one request will answer 429 to its
 * neighbours too. Ten concurrent uploads that each back off on their own keep hammering it; a shared
 * gate makes them wait together (regclient does the same).
 *
 * A download that breaks mid-body is resumed by undici's `RetryHandler` with `Range` (and `If-Match`
 * on a strong `ETag`), which checks the `Content-Range` of the answer; unless the request says its
 * caller resumes it (`CALLER_RESUMES` of `@oras/auth`, as every blob `GET` of this package does):
 * then the `RetryHandler` steps in only when a retry is due ({@link FirstAttempt}).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { CALLER_RESUMES, RetryHandler } from '@oras/auth';

/** Retry settings. Every field has a default. */
export interface RetryOptions {
  /** The most retries of one request (default {@link DEFAULT_MAX_RETRIES}). */
  readonly maxRetries?: number;
  /** The first back-off, doubled on each retry (default {@link DEFAULT_BASE_DELAY_MS}). */
  readonly baseDelayMs?: number;
  /** The longest computed back-off (default {@link DEFAULT_MAX_DELAY_MS}). */
  readonly maxDelayMs?: number;
  /** The longest wait a `Retry-After` may ask for (default {@link DEFAULT_MAX_RETRY_AFTER_MS}). */
  readonly maxRetryAfterMs?: number;
  /** The most time spent on one request including its retries (default {@link DEFAULT_DEADLINE_MS}). */
  readonly deadlineMs?: number;
  /** Called before each retry (for debug logs). */
  readonly onRetry?: (info: RetryInfo) => void;
}

/** What {@link RetryOptions.onRetry} is told. */
export interface RetryInfo {
  /** The request's method. */
  readonly method: string;
  /** The request's origin. */
  readonly origin: string;
  /** The retry number, from 1. */
  readonly attempt: number;
  /** The status that caused it, or undefined for a network error. */
  readonly statusCode: number | undefined;
  /** The network error code, if any. */
  readonly errorCode: string | undefined;
  /** The wait before the retry. */
  readonly delayMs: number;
}

/** Default for {@link RetryOptions.maxRetries}. */
export const DEFAULT_MAX_RETRIES = 5;
/** Default for {@link RetryOptions.baseDelayMs}. */
export const DEFAULT_BASE_DELAY_MS = 250;
/** Default for {@link RetryOptions.maxDelayMs}. */
export const DEFAULT_MAX_DELAY_MS = 5_000;
/** Default for {@link RetryOptions.maxRetryAfterMs}: a sane bound on what a server may ask. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
/** Default for {@link RetryOptions.deadlineMs}. */
export const DEFAULT_DEADLINE_MS = 5 * 60_000;

/** The statuses that are retried. */
export const RETRY_STATUS_CODES: readonly number[] = [408, 429, 500, 502, 503, 504, 507, 520, 522, 524];

/**
 * The methods that are retried (their bodies, when any, must be rewindable). A `POST` without a
 * body (opening an upload session, a mount) is retried too: a second session is harmless; so is
 * one whose dispatch options say `idempotent: true` (undici's own flag for a request that may be
 * sent twice), as `@oras/auth` says of its OAuth2 token requests.
 */
const RETRY_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'];

/**
 * What undici's `RetryHandler` is told to consider (our `retry` decides): shared by every request,
 * which the handler only reads.
 */
const HANDLER_METHODS = [...RETRY_METHODS, 'POST'] as Dispatcher.HttpMethod[];
const HANDLER_STATUS_CODES = [...RETRY_STATUS_CODES];

/** Network errors that are retried. */
const RETRY_ERROR_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
];

/**
 * The wait before the one retry of a refused connection. A refused connection is an answer, not
 * a congestion: nothing listens there (a wrong port, a registry not started), so waiting longer
 * rarely helps and the user waits for nothing. One quick retry covers a registry that is just
 * restarting.
 */
export const REFUSED_RETRY_DELAY_MS = 100;

/**
 * Parses a `Retry-After` value (delta seconds or an HTTP date) into milliseconds from `now`;
 * undefined when it is absent or unreadable. A date in the past gives 0.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The computed back-off before retry `attempt` (1-based): `base·2^(attempt-1)`, capped, ±10% jitter. */
export function backoffDelay(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random = Math.random,
): number {
  const raw = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.9 + 0.2 * random()));
}

/**
 * One back-off gate per host: while a host is backing off, every request to it waits. Shared by all
 * the requests that go through one transport.
 */
export class HostGates {
  readonly #until = new Map<string, number>();

  /** Holds `origin` closed for at least `delayMs` from now. */
  close(origin: string, delayMs: number, now: number = Date.now()): void {
    const until = now + delayMs;
    if (until > (this.#until.get(origin) ?? 0)) this.#until.set(origin, until);
  }

  /** How long a request to `origin` must still wait (0 when the gate is open). */
  remaining(origin: string, now: number = Date.now()): number {
    const until = this.#until.get(origin);
    if (until === undefined) return 0;
    if (until <= now) {
      this.#until.delete(origin);
      return 0;
    }
    return until - now;
  }
}

function originOf(opts: Dispatcher.DispatchOptions): string {
  const origin = opts.origin;
  // (the usual origin, a string without a trailing slash, as it is: no new string per request)
  if (typeof origin === 'string' && !origin.endsWith('/')) return origin;
  return String(origin ?? '').replace(/\/$/, '');
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const value = (headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return String(value[0]);
  return value === undefined ? undefined : String(value);
}

/** The resolved {@link RetryOptions} of an interceptor, and its hosts' gates. */
interface RetrySettings {
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly deadlineMs: number;
  readonly onRetry: RetryOptions['onRetry'];
  readonly gates: HostGates;
}

/** What the retry decision of one request knows about it. */
interface RequestRetry {
  /** The method, upper-case. */
  readonly method: string;
  readonly origin: string;
  /**
   * Whether its method is retried at all: a `POST` only without a body, or with one (a string or
   * bytes, which can be sent again) when the request says it is `idempotent` (a token request).
   */
  readonly retried: boolean;
  /** When it was first sent (for the deadline). */
  readonly started: number;
  /** The wait the next dispatch of it makes first. */
  pendingDelay: number;
}

/** A failure undici's `RetryHandler` asks about: a status, or a network error code. */
type RetriedError = Error & { statusCode?: number; code?: string; headers?: unknown };

/** How the decision answers `RetryHandler`: `null` to retry, the error to give up. */
type RetryCallback = (err?: Error | null) => void;

/**
 * Decides whether attempt `attempt` of `request` is retried after `err`, and after how long (set
 * as its `pendingDelay`, waited in the next dispatch).
 */
function decideRetry(
  settings: RetrySettings,
  request: RequestRetry,
  err: RetriedError,
  attempt: number,
  callback: RetryCallback,
): void {
  const { method, origin } = request;
  const statusCode = err.statusCode;
  const code = err.code === 'UND_ERR_REQ_RETRY' ? undefined : err.code;
  const retryable =
    request.retried &&
    attempt <= settings.maxRetries &&
    (statusCode !== undefined
      ? RETRY_STATUS_CODES.includes(statusCode)
      : code !== undefined && RETRY_ERROR_CODES.includes(code));
  if (!retryable || (code === 'ECONNREFUSED' && attempt > 1)) {
    callback(err);
    return;
  }
  if (code === 'ECONNREFUSED') {
    settings.onRetry?.({
      method,
      origin,
      attempt,
      statusCode,
      errorCode: code,
      delayMs: REFUSED_RETRY_DELAY_MS,
    });
    request.pendingDelay = REFUSED_RETRY_DELAY_MS;
    callback(null);
    return;
  }
  const { gates } = settings;
  const retryAfter = parseRetryAfter(headerOf(err.headers, 'retry-after'));
  let delay = backoffDelay(attempt, settings.baseDelayMs, settings.maxDelayMs);
  if (retryAfter !== undefined) delay = Math.max(delay, Math.min(retryAfter, settings.maxRetryAfterMs));
  if (statusCode === 429 || statusCode === 503 || retryAfter !== undefined) gates.close(origin, delay);
  delay = Math.max(delay, gates.remaining(origin));
  if (Date.now() + delay - request.started > settings.deadlineMs) {
    callback(err);
    return;
  }
  settings.onRetry?.({ method, origin, attempt, statusCode, errorCode: code, delayMs: delay });
  request.pendingDelay = delay;
  callback(null);
}

/** Dispatches a request after `delay` and whatever its host's gate still asks. */
type Later = (
  opts: Dispatcher.DispatchOptions,
  handler: Dispatcher.DispatchHandler,
  delay: number,
) => boolean;

/** undici's `RetryHandler` for `request`, deciding with {@link decideRetry}. */
function retryHandlerOf(
  opts: Dispatcher.DispatchOptions,
  handler: Dispatcher.DispatchHandler,
  settings: RetrySettings,
  request: RequestRetry,
  later: Later,
): Dispatcher.DispatchHandler {
  // `dispatch` and `retry` are methods, not arrow functions given a name: the CLI's bundle
  // (esbuild's `keepNames`) names each such function it makes with a property definition,
  // which turns the function into a dictionary object: ~1.5 us and ~250 bytes each, per
  // request here. A method keeps its name as it is.
  const retryHandler = new RetryHandler(
    {
      ...opts,
      retryOptions: {
        throwOnError: false,
        retry(err: RetriedError, { state }: { state: { counter: number } }, callback: RetryCallback): void {
          decideRetry(settings, request, err, state.counter, callback);
        },
        maxRetries: settings.maxRetries,
        methods: HANDLER_METHODS,
        statusCodes: HANDLER_STATUS_CODES,
        errorCodes: RETRY_ERROR_CODES,
      },
    },
    {
      dispatch(o: Dispatcher.DispatchOptions, h: Dispatcher.DispatchHandler): boolean {
        const delay = request.pendingDelay;
        request.pendingDelay = 0;
        return later(o, new WithoutInformational(h), delay);
      },
      handler,
    },
  );
  return new WithoutInformational(retryHandler as unknown as Dispatcher.DispatchHandler);
}

/**
 * Passes everything on to `handler` but an informational answer (1xx, such as `103 Early Hints`):
 * undici hands one to the handler before the answer itself, and its `RetryHandler` takes it for
 * the answer (it counts the answer as started), so a `503` after a `103` failed the request with
 * a `TypeError` instead of retrying it. The `RetryHandler` never sees one this way.
 */
class WithoutInformational implements Dispatcher.DispatchHandler {
  /** The handler everything is passed on to. */
  protected readonly handler: Dispatcher.DispatchHandler;

  constructor(handler: Dispatcher.DispatchHandler) {
    this.handler = handler;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    socket: Duplex,
  ): void {
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    if (statusCode >= 200) this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, err: Error): void {
    this.handler.onResponseError?.(controller, err);
  }
}

/**
 * The first attempt of a `GET` or `HEAD` whose caller resumes a broken body itself
 * (`CALLER_RESUMES` of `@oras/auth`): the usual answer passes straight to the caller's handler,
 * without undici's `RetryHandler`, whose preparation to resume a body (a handler, a controller
 * and two copies of the options per request) is a cost on every blob of a pull of many. Once the
 * request fails before an answer starts, or the answer is a status that is retried, the
 * `RetryHandler` takes over from there, as it would have from the start: it counts this attempt,
 * asks {@link decideRetry} and sends the request again. A body that breaks after its answer
 * started goes to the caller, which asks for the rest with `Range`.
 */
class FirstAttempt extends WithoutInformational {
  readonly #opts: Dispatcher.DispatchOptions;
  readonly #settings: RetrySettings;
  readonly #request: RequestRetry;
  readonly #later: Later;
  #context: unknown;
  /** The handler that took over (a `RetryHandler`), once one did. */
  #next: Dispatcher.DispatchHandler | undefined;
  /** Whether the caller's handler has the answer's start. */
  #answered = false;

  constructor(
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
    settings: RetrySettings,
    request: RequestRetry,
    later: Later,
  ) {
    super(handler);
    this.#opts = opts;
    this.#settings = settings;
    this.#request = request;
    this.#later = later;
  }

  #takeOver(): Dispatcher.DispatchHandler {
    this.#next = retryHandlerOf(this.#opts, this.handler, this.#settings, this.#request, this.#later);
    return this.#next;
  }

  override onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#context = context;
    super.onRequestStart(controller, context);
  }

  override onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    if (this.#request.retried && RETRY_STATUS_CODES.includes(statusCode)) {
      // the RetryHandler starts from this answer: it is told of the request's start first (and
      // passes the caller its own controller, which follows each attempt), then of the answer
      const next = this.#takeOver();
      next.onRequestStart?.(controller, this.#context);
      next.onResponseStart?.(controller, statusCode, headers, statusMessage);
      return;
    }
    // an informational answer (1xx) is not the answer yet: undici reads on, and it is not passed on
    if (statusCode >= 200) this.#answered = true;
    super.onResponseStart(controller, statusCode, headers, statusMessage);
  }

  override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#next) this.#next.onResponseData?.(controller, chunk);
    else super.onResponseData(controller, chunk);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    if (this.#next) this.#next.onResponseEnd?.(controller, trailers);
    else super.onResponseEnd(controller, trailers);
  }

  override onResponseError(controller: Dispatcher.DispatchController, err: Error): void {
    if (this.#next) this.#next.onResponseError?.(controller, err);
    // after the answer started, the caller resumes; before, the RetryHandler decides
    else if (this.#answered) super.onResponseError(controller, err);
    else this.#takeOver().onResponseError?.(controller, err);
  }
}

/**
 * Builds the retry interceptor. Compose it onto a dispatcher: `agent.compose(retryInterceptor())`.
 * Pass `gates` to share back-off state with other interceptors.
 */
export function retryInterceptor(
  options: RetryOptions = {},
  gates: HostGates = new HostGates(),
): Dispatcher.DispatcherComposeInterceptor {
  const settings: RetrySettings = {
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
    deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    onRetry: options.onRetry,
    gates,
  };

  return (dispatch) => {
    /** Dispatches after `delay` and whatever the host's gate still asks. */
    const later: Later = (opts, handler, delay) => {
      const wait = Math.max(delay, gates.remaining(originOf(opts)));
      if (wait === 0) return dispatch(opts, handler);
      setTimeout(() => {
        try {
          dispatch(opts, handler);
        } catch (err) {
          handler.onResponseError?.(undefined as never, err as Error);
        }
      }, wait);
      return true;
    };

    return (opts, handler) => {
      const body = opts.body;
      if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
        // a stream cannot be rewound here: the caller (or the auth client's body function) re-sends it
        return later(opts, handler, 0);
      }
      const method = String(opts.method).toUpperCase();
      const request: RequestRetry = {
        method,
        origin: originOf(opts),
        retried:
          RETRY_METHODS.includes(method) ||
          (method === 'POST' && (body === undefined || body === null || opts.idempotent === true)),
        started: Date.now(),
        // Why the wait sits in the dispatch and not in the retry callback: undici's RetryHandler
        // must know at once whether a response is retried, or a bodiless answer (HEAD, 204)
        // completes before the decision and reaches the caller half-delivered.
        pendingDelay: 0,
      };
      if (
        (opts as { [CALLER_RESUMES]?: boolean })[CALLER_RESUMES] === true &&
        (method === 'GET' || method === 'HEAD') &&
        (body === undefined || body === null)
      ) {
        return later(opts, new FirstAttempt(opts, handler, settings, request, later), 0);
      }
      return later(opts, retryHandlerOf(opts, handler, settings, request, later), 0);
    };
  };
}
