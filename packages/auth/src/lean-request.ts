/**
 * A request through any undici dispatcher, as undici's `dispatcher.request(options)` answers it,
 * whose response body can also be taken whole without going through a stream.
 *
 * Why: most answers a registry client reads are small and read whole (a `HEAD`, the `202` of an
 * upload, a manifest, a token, a small blob). undici's `request` hands each body over as a Node
 * `Readable`, and pushing a chunk through it and reading it back (`for await`, `'data'`) is most
 * of what a small response costs on the client: a pull of 200 blobs of 4 KiB spent ~45 ms less
 * CPU (~12 % of the client's) when its bodies were collected by a dispatch handler instead
 * (measured with alternated runs against a loopback docker-registry; see
 * docs/benchmarks.notes.md). Building the `Readable` costs next to nothing; using it is what
 * costs.
 *
 * So the body is still undici's body class (a `Readable` with `text()`, `json()`, `dump()`), made
 * by the same handler logic as undici's, but the handler keeps the chunks beside the stream until
 * someone reads the stream: {@link takeBody} then hands them over in one piece, and the stream is
 * never used. Anyone who reads the body as a stream (`pipe`, `for await`, `'data'`, `text()`,
 * `dump()`) gets every chunk in order through the stream, as before. Until one of the two reads
 * it, the handler holds at most the stream's `highWaterMark` (64 KiB by default) and pauses the
 * connection there, as undici's stream does.
 */
import type { Dispatcher } from 'undici';

/** What {@link takeBody} resolves to. */
export interface TakenBody {
  /** The chunks received, in order (all of them, or those before the error or the limit). */
  readonly chunks: readonly Buffer[];
  /** Their total size in bytes. */
  readonly size: number;
  /** Why the body ended early: the connection failed or the request was aborted. */
  readonly error?: Error;
  /**
   * The body went over the limit: reading stopped there (the connection is closed when the body
   * had not ended), and `chunks` hold what came before the chunk that crossed it.
   */
  readonly over?: boolean;
}

/** The parts of undici this module needs: `request`'s body class and the error it aborts with. */
export interface UndiciRequestParts {
  /** undici's `BodyReadable` (`lib/api/readable.js`). */
  readonly BodyReadable: new (options: {
    resume?: () => void;
    abort: () => void;
    contentType?: string;
    contentLength?: number | null;
    highWaterMark?: number;
  }) => Dispatcher.ResponseData['body'];
  /** undici's `RequestAbortedError` (the reason of an abort without one). */
  readonly RequestAbortedError: new () => Error;
}

/** How a body is read: nobody has read it yet (chunks wait in the handler). */
const PENDING = 0;
/** How a body is read: as a stream (chunks go through the `Readable`). */
const STREAM = 1;
/** How a body is read: taken whole by {@link takeBody}. */
const TAKEN = 2;

/** Where a body made here keeps its handler. */
const HANDLER = Symbol('oras.leanHandler');

const noop = (): void => {};

/**
 * Takes a response body whole, without its stream, when it came from {@link makeLeanRequest}'s
 * request and nobody has read, started to read or destroyed it; returns `undefined` otherwise
 * (read it as a stream then). Read a body one way: a body taken whole gives its stream nothing
 * (`text()`, `json()` and the like are stream reads). `limit` is the most bytes wanted: a body
 * that goes over it stops there (see {@link TakenBody.over}). The promise never rejects: a
 * failure is {@link TakenBody.error}.
 */
export function takeBody(
  body: Dispatcher.ResponseData['body'],
  limit: number,
): Promise<TakenBody> | undefined {
  const handler = (body as unknown as { [HANDLER]?: LeanHandler })[HANDLER];
  return handler?.take(limit);
}

/** The requests in flight of each signal (so a signal has one listener, not one per request). */
const WATCHED = new WeakMap<AbortSignal, Set<LeanHandler>>();

/**
 * Tells `handler` when `signal` aborts; returns the function that stops it. One `abort` listener
 * per signal serves all its requests: adding and removing an `EventTarget` listener per request
 * cost ~30 us each here (a pull of 200 blobs passes one signal to every request).
 */
function watchSignal(signal: AbortSignal, handler: LeanHandler): () => void {
  let handlers = WATCHED.get(signal);
  if (!handlers) {
    const watched = new Set<LeanHandler>();
    handlers = watched;
    WATCHED.set(signal, watched);
    signal.addEventListener(
      'abort',
      () => {
        WATCHED.delete(signal);
        for (const each of [...watched]) each.aborted(signal.reason);
        watched.clear();
      },
      { once: true },
    );
  }
  const set = handlers;
  set.add(handler);
  return () => {
    set.delete(handler);
  };
}

/** The part of undici's dispatch controller a handler uses. */
interface Controller {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

/**
 * A dispatch handler (undici's handler interface, `onRequestStart` to `onResponseEnd`) that makes
 * the response and its body as undici's `request` does.
 */
class LeanHandler {
  readonly #parts: UndiciRequestParts;
  readonly #method: string;
  readonly #highWaterMark: number;
  readonly #requestBody: unknown;
  #resolve: ((data: Dispatcher.ResponseData) => void) | undefined;
  readonly #reject: (err: Error) => void;
  #controller: Controller | undefined;
  #reason: Error | undefined;
  #removeAbortListener: (() => void) | undefined;
  #body: Dispatcher.ResponseData['body'] | undefined;
  #mode: typeof PENDING | typeof STREAM | typeof TAKEN = PENDING;
  #chunks: Buffer[] = [];
  #size = 0;
  #ended = false;
  #error: Error | undefined;
  #taker: { limit: number; resolve: (taken: TakenBody) => void } | undefined;

  constructor(
    parts: UndiciRequestParts,
    options: Dispatcher.RequestOptions,
    resolve: (data: Dispatcher.ResponseData) => void,
    reject: (err: Error) => void,
  ) {
    this.#parts = parts;
    this.#method = options.method;
    this.#highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.#requestBody = options.body;
    this.#resolve = resolve;
    this.#reject = reject;
    const signal = options.signal as AbortSignal | undefined;
    if (signal?.aborted) {
      this.#reason = signal.reason ?? new parts.RequestAbortedError();
    } else if (signal) {
      this.#removeAbortListener = watchSignal(signal, this);
    }
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#reason) controller.abort(this.#reason);
  }

  onResponseStart(
    _controller: Controller,
    statusCode: number,
    headers: Record<string, string | string[]>,
    statusText: string,
  ): void {
    if (statusCode < 200) return;
    const contentLength = headers['content-length'];
    const contentType = headers['content-type'];
    const handler = this;
    const body = new this.#parts.BodyReadable({
      // the stream is destroyed: stop the transfer, unless it is over (a method: the CLI's bundle
      // names each arrow function bound to a name with a property definition, a cost per request)
      abort() {
        if (!handler.#ended && !handler.#error) {
          handler.#controller?.abort(handler.#reason ?? new handler.#parts.RequestAbortedError());
        }
      },
      contentType: typeof contentType === 'string' ? contentType : '',
      contentLength: this.#method !== 'HEAD' && contentLength ? Number(contentLength) : null,
      highWaterMark: this.#highWaterMark,
    });
    // the stream asks for data: from now on it is read as a stream
    (body as unknown as { _read: () => void })._read = () => this.#streamRead();
    (body as unknown as { [HANDLER]: LeanHandler })[HANDLER] = this;
    this.#body = body;
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.({
      statusCode,
      statusText,
      headers,
      trailers: {},
      opaque: null,
      body,
      context: {},
    } as unknown as Dispatcher.ResponseData);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.#mode === STREAM) {
      if (!(this.#body as unknown as { push(c: Buffer): boolean }).push(chunk)) controller.pause();
      return;
    }
    const taker = this.#taker;
    if (taker && this.#size + chunk.byteLength > taker.limit) {
      this.#finishTake({ over: true });
      controller.abort(new this.#parts.RequestAbortedError());
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.byteLength;
    // nobody reads yet: hold as much as the stream would, then pause the connection
    if (!taker && this.#mode === PENDING && this.#size >= this.#highWaterMark) controller.pause();
  }

  onResponseEnd(): void {
    this.#ended = true;
    if (this.#mode === STREAM) (this.#body as unknown as { push(c: null): boolean }).push(null);
    else if (this.#taker) this.#finishTake({});
  }

  onResponseError(_controller: Controller, err: Error): void {
    const body = this.#requestBody as { on?: unknown; destroy?: unknown } | null | undefined;
    if (body && typeof body.on === 'function' && typeof body.destroy === 'function') {
      const stream = body as { on(e: string, f: () => void): void; destroy(e: Error): void };
      stream.on('error', noop);
      stream.destroy(err);
    }
    const resolve = this.#resolve;
    if (resolve) {
      this.#resolve = undefined;
      this.#removeAbortListener?.();
      queueMicrotask(() => this.#reject(err));
      return;
    }
    if (this.#ended) return;
    this.#error ??= err;
    if (this.#taker) {
      this.#finishTake({ error: err });
      return;
    }
    // as undici's request: the stream ends with the error (once queued handlers have run)
    const stream = this.#body;
    if (stream && this.#mode === STREAM) queueMicrotask(() => destroyQuietly(stream, err));
  }

  /** The signal aborted: fail the request, or end the body with the reason. */
  aborted(reason: Error | undefined): void {
    reason ??= new this.#parts.RequestAbortedError();
    this.#reason = reason;
    const body = this.#body;
    if (!body) {
      this.#controller?.abort(reason);
      return;
    }
    if (this.#taker) {
      this.#finishTake({ error: reason });
      if (!this.#ended) this.#controller?.abort(reason);
    } else if (this.#mode !== TAKEN) {
      const ended = this.#ended;
      this.#error ??= reason;
      if (!ended) this.#controller?.abort(reason);
      destroyQuietly(body, reason);
    }
  }

  /** The `Readable` wants data: hand it what waits, and let the connection go on. */
  #streamRead(): void {
    const body = this.#body as unknown as {
      push(c: Buffer | null): boolean;
      on(e: string, f: () => void): void;
    };
    if (this.#mode === PENDING) {
      this.#mode = STREAM;
      if (this.#removeAbortListener) body.on('close', this.#removeAbortListener);
      const chunks = this.#chunks;
      this.#chunks = [];
      for (const chunk of chunks) body.push(chunk);
      if (this.#error) {
        destroyQuietly(this.#body as Dispatcher.ResponseData['body'], this.#error);
        return;
      }
      if (this.#ended) {
        body.push(null);
        return;
      }
    }
    // as undici's own body: each read lets a paused connection go on
    this.#controller?.resume();
  }

  /** See {@link takeBody}. */
  take(limit: number): Promise<TakenBody> | undefined {
    const body = this.#body as unknown as import('node:stream').Readable;
    // `on('data')`, `pipe`, `resume` and `for await` start the stream a tick later: not that one
    const started = body.readableFlowing !== null || body.listenerCount('data') > 0;
    if (this.#mode !== PENDING || started || body.destroyed) return undefined;
    this.#mode = TAKEN;
    return new Promise<TakenBody>((resolve) => {
      this.#taker = { limit, resolve };
      if (this.#size > limit) {
        // what waits already crosses the limit: keep the chunks before the one that crossed it
        let size = 0;
        let kept = 0;
        for (const chunk of this.#chunks) {
          if (size + chunk.byteLength > limit) break;
          size += chunk.byteLength;
          kept++;
        }
        this.#chunks.length = kept;
        this.#size = size;
        this.#finishTake({ over: true });
        if (!this.#ended && !this.#error) this.#controller?.abort(new this.#parts.RequestAbortedError());
      } else if (this.#error) this.#finishTake({ error: this.#error });
      else if (this.#ended) this.#finishTake({});
      else this.#controller?.resume();
    });
  }

  #finishTake(end: { error?: Error; over?: boolean }): void {
    const taker = this.#taker;
    if (!taker) return;
    this.#taker = undefined;
    this.#removeAbortListener?.();
    this.#removeAbortListener = undefined;
    const chunks = this.#chunks;
    this.#chunks = [];
    taker.resolve({ chunks, size: this.#size, ...end });
  }
}

function destroyQuietly(stream: Dispatcher.ResponseData['body'], err: Error): void {
  stream.on('error', noop);
  stream.destroy(err);
}

/**
 * Makes the request function from undici's parts: `request(dispatcher, options)` resolves with the
 * response as undici's `request` does (status, headers, a body to read or dump), rejects when no
 * response comes (a connection error, an abort).
 */
export function makeLeanRequest(
  parts: UndiciRequestParts,
): (dispatcher: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData> {
  return (dispatcher, options) =>
    new Promise<Dispatcher.ResponseData>((resolve, reject) => {
      const handler = new LeanHandler(parts, options, resolve, reject);
      try {
        dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
      } catch (err) {
        queueMicrotask(() => reject(err as Error));
      }
    });
}
