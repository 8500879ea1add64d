/**
 * Copying a graph of content between stores: `copy`, `copyGraph`, `extendedCopy` and
 * `extendedCopyGraph`, the TypeScript counterparts of oras-go v2's (`copy.go`,
 * `extendedcopy.go`). Blobs stream from source to destination; nothing but manifests (up to
 * `maxMetadataBytes`) is held in memory.
 */
import { setMaxListeners } from 'node:events';
import {
  AlreadyExistsError,
  type Descriptor,
  ErrorCode,
  InvalidArgumentError,
  MismatchedDigestError,
  MismatchedSizeError,
  OrasError,
  type OrasErrorOptions,
  type Platform,
  TrailingDataError,
  isNonDistributableMediaType,
} from '@oras/spec';
import {
  type BytesFetcher,
  type ContentSource,
  type Fetcher,
  type OperationOptions,
  type ReadOnlyGraphStorage,
  type ReadOnlyStorage,
  type ReadOnlyTarget,
  type Storage,
  type Target,
  isBytesFetcher,
  isMounter,
  isReferencePusher,
} from './interfaces.js';
import { resolveCopyRoot } from './by-reference.js';
import { selectPlatform } from './platform.js';
import { type ProgressHandler, withProgress } from './progress.js';
import {
  checkBytes,
  DEFAULT_MAX_FETCH_BYTES,
  type FetchAllOptions,
  fetchAll,
  isVerified,
  markBytesVerified,
  markVerified,
  memoryLimitFor,
  toReadableStream,
} from './stream.js';
import { describeReferrer, hasSuccessors, successors } from './successors.js';

/** How many nodes copy moves at once unless told (oras-go's default). */
export const DEFAULT_COPY_CONCURRENCY = 3;

/**
 * How many times one blob is sent to the destination when the destination fails in a way that
 * may pass (a dropped connection, a timeout, a 5xx, 408 or 429 once its own retries ran out, a
 * request that must be sent again after a new token was fetched mid-upload): each
 * attempt fetches the content from the source again, since a stream that went half-way cannot be
 * sent twice (content read whole, up to {@link COPY_BUFFERED_BYTES}, is sent again from memory).
 */
export const DEFAULT_COPY_TRANSFER_ATTEMPTS = 3;

/** Whether a destination failure may pass when the transfer is tried again. */
function isTransient(err: unknown): boolean {
  const { code, statusCode } = (err ?? {}) as { code?: unknown; statusCode?: unknown };
  if (code === ErrorCode.Network || code === ErrorCode.Timeout || code === ErrorCode.ResendRequired) {
    return true;
  }
  return typeof statusCode === 'number' && (statusCode >= 500 || statusCode === 408 || statusCode === 429);
}

/**
 * Blobs up to this size (256 KiB) are read whole from the source, verified, and then pushed from
 * memory. A small blob costs round trips and per-stream work, not bandwidth: streamed, each one
 * went through four stream layers from the socket to the file (a third of a pull's CPU for 200
 * blobs of 4 KiB); read whole, it passes one, and a retry of the destination needs no new fetch.
 * With the default concurrency at most 48 of them (12 MiB) are in memory at once.
 */
export const COPY_BUFFERED_BYTES = 256 * 1024;

/** The most bytes of a manifest or index copy reads into memory unless told (4 MiB). */
export const DEFAULT_COPY_MAX_METADATA_BYTES = DEFAULT_MAX_FETCH_BYTES;

/** Returned by a `preCopy` hook to skip a node (it is neither copied nor reported as copied). */
export const SKIP_NODE: unique symbol = Symbol.for('@oras/content.skip-node') as never;

/** Which side of a copy failed. */
export type CopyOrigin = 'source' | 'destination';

/** Options of {@link CopyError}. */
export interface CopyErrorOptions extends OrasErrorOptions {
  /** The side that failed. */
  readonly origin: CopyOrigin;
  /** The operation that failed (`fetch`, `push`, `exists`, `resolve`, `tag`, `mount`, ...). */
  readonly op: string;
}

/**
 * A copy failed; `origin` says whether the source or the destination failed and `op` what it
 * was doing. The CLI prints "Error from source registry" or "... destination registry" from it.
 */
export class CopyError extends OrasError {
  static override readonly code: string = ErrorCode.Copy;
  /** The side that failed. */
  readonly origin: CopyOrigin;
  /** The operation that failed. */
  readonly op: string;

  constructor(message: string, options: CopyErrorOptions) {
    super(message, options);
    this.origin = options.origin;
    this.op = options.op;
  }
}

/** What a `preCopy` hook returns: nothing to go on, or {@link SKIP_NODE}. */
export type PreCopyResult = typeof SKIP_NODE | undefined;

type Hook = (desc: Descriptor) => void | Promise<void>;

/** Options of {@link copyGraph}; every field is optional and defaults as in oras-go. */
export interface CopyGraphOptions extends OperationOptions {
  /**
   * How many nodes move at once (default 3). A blob under 1 MiB counts as a sixteenth: a small
   * blob is bound by round trips rather than bandwidth, so up to sixteen times as many of those
   * move at once (48 by default; an HTTP connection pool of half as many keeps the next request of
   * each connection queued, ready to go when an answer ends). Larger nodes move at most
   * `concurrency` at a time.
   */
  readonly concurrency?: number | undefined;
  /** The most bytes of a manifest or index to read into memory (default 4 MiB). */
  readonly maxMetadataBytes?: number | undefined;
  /** Called before a node is copied; return {@link SKIP_NODE} to skip it. */
  readonly preCopy?: ((desc: Descriptor) => PreCopyResult | Promise<PreCopyResult>) | undefined;
  /** Called after a node is copied. */
  readonly postCopy?: Hook | undefined;
  /** Called for a node the destination already has (its subtree is skipped). */
  readonly onCopySkipped?: Hook | undefined;
  /**
   * The repositories (of the destination's registry) to try mounting a blob from before uploading
   * it. Used only when the destination can mount (`isMounter`).
   */
  readonly mountFrom?: ((desc: Descriptor) => readonly string[] | Promise<readonly string[]>) | undefined;
  /**
   * Called as the bytes of each node move from the source to the destination (once per chunk),
   * with the node, the bytes moved so far and its size; a transfer that is tried again counts
   * from 0 again. Nodes skipped or mounted move no bytes.
   */
  readonly onProgress?: ProgressHandler | undefined;
  /** Called after a blob was mounted from `fromRepo` (instead of `preCopy` and `postCopy`). */
  readonly onMounted?: ((desc: Descriptor, fromRepo: string) => void | Promise<void>) | undefined;
  /**
   * Finds the successors of a node (default: {@link successors} through a fetcher that caches
   * manifests). Non-distributable (foreign) layers are dropped from the result.
   */
  readonly findSuccessors?:
    | ((fetcher: Fetcher, desc: Descriptor) => Descriptor[] | Promise<Descriptor[]>)
    | undefined;
}

/** Options of {@link copy}. */
export interface CopyOptions extends CopyGraphOptions {
  /** When the source reference is an index, copy only the manifest of this platform (and tag it). */
  readonly targetPlatform?: Platform | undefined;
  /** Maps the resolved root to the node to copy (applied after `targetPlatform`). */
  readonly mapRoot?: ((src: ReadOnlyStorage, root: Descriptor) => Promise<Descriptor>) | undefined;
}

/** Options of {@link extendedCopyGraph}. */
export interface ExtendedCopyGraphOptions extends CopyGraphOptions {
  /** How many levels of predecessors to follow up from the node; 0 (default) means all. */
  readonly depth?: number | undefined;
  /**
   * Finds the predecessors of a node (default: the source's `predecessors`). Use
   * {@link filterArtifactType} or {@link filterAnnotation} to copy only some referrers.
   */
  readonly findPredecessors?:
    | ((src: ReadOnlyGraphStorage, desc: Descriptor) => Promise<Descriptor[]>)
    | undefined;
}

/** Options of {@link extendedCopy}. */
export interface ExtendedCopyOptions extends ExtendedCopyGraphOptions {}

function wrap(origin: CopyOrigin, op: string, desc: Descriptor | string, err: unknown): unknown {
  if (CopyError.is(err) || (err as { name?: string } | null)?.name === 'AbortError') return err;
  const what = typeof desc === 'string' ? desc : `${desc.digest}: ${desc.mediaType}`;
  const reason = err instanceof Error ? err.message : String(err);
  return new CopyError(`${origin}: ${op} ${what}: ${reason}`, { origin, op, cause: err });
}

async function guard<T>(
  origin: CopyOrigin,
  op: string,
  desc: Descriptor | string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrap(origin, op, desc, err);
  }
}

/** Below this size a node counts as small and takes one share of the limiter, else {@link SMALL_WIDTH}. */
const SMALL_BYTES = 1024 * 1024;

/**
 * How many small nodes move in the slot of one large node. A 4 KiB blob costs a round trip and a
 * file open, not bandwidth: at 4 (12 at once by default) a pull of 200 of them left the
 * connections idle, and the Go peer (oras-go v1) walks them all at once. At 16 (48 at once by
 * default) there are twice as many small transfers as the connections the CLI opens for them
 * (`concurrency` x 8 + 2): each connection has its next request waiting, which undici sends the
 * moment an answer ends, instead of after the client has handled that answer (verified, written,
 * reported) and started the next transfer. A pull of 200 blobs of 4 KiB: 0.95-0.96x the CPU of
 * width 8 and 0.97-0.98x its wall time (three series of 20-40 alternated runs); 2,000 blobs of
 * 512 bytes: no change.
 */
const SMALL_WIDTH = 16;

/**
 * A semaphore of `concurrency` x {@link SMALL_WIDTH} shares, taken in arrival order: a node under
 * {@link SMALL_BYTES} takes one, a larger one (or a request whose size is unknown) takes
 * {@link SMALL_WIDTH}.
 */
class Limiter {
  #free: number;
  readonly #waiting: { shares: number; go: () => void }[] = [];
  /** Whether {@link release} is letting waiters in (a release from one of them only counts). */
  #releasing = false;
  constructor(concurrency: number) {
    this.#free = concurrency * SMALL_WIDTH;
  }

  /**
   * Takes the shares of `shares` (see {@link sharesOf}): at once, returning undefined, when they
   * are free and nobody waits; otherwise returns a promise that resolves once they are taken.
   * Pair each with one {@link release}. (Not an async function: a large node or a manifest
   * passes here for its transfer, and an async function's promise and frame are most of what it
   * would cost.)
   */
  acquire(shares: number): Promise<void> | undefined {
    if (this.tryAcquire(shares)) return undefined;
    return new Promise<void>((go) => this.#waiting.push({ shares, go }));
  }

  /** Takes `shares` at once when they are free and nobody waits; false (nothing taken) otherwise. */
  tryAcquire(shares: number): boolean {
    if (this.#waiting.length === 0 && this.#free >= shares) {
      this.#free -= shares;
      return true;
    }
    return false;
  }

  /**
   * Calls `go` once `shares` are taken for it, in arrival order (from the {@link release} that
   * frees them). Pair each with one {@link release}.
   */
  enqueue(shares: number, go: () => void): void {
    this.#waiting.push({ shares, go });
  }

  /** Gives back what {@link acquire} took, and lets the waiting in, in arrival order. */
  release(shares: number): void {
    this.#free += shares;
    // A waiter let in may run at once (a queued node starts its copy) and give its shares back
    // before it returns, when it fails at once (an aborted copy): that release only counts them,
    // and this loop lets the next in. Otherwise each such release would let the next waiter in
    // from inside the previous one, a call deeper each: thousands of queued nodes of an aborted
    // copy overflowed the stack, and the copy never settled.
    if (this.#releasing) return;
    this.#releasing = true;
    try {
      for (
        let next = this.#waiting[0];
        next !== undefined && next.shares <= this.#free;
        next = this.#waiting[0]
      ) {
        this.#waiting.shift();
        this.#free -= next.shares;
        next.go();
      }
    } finally {
      this.#releasing = false;
    }
  }

  /** Runs `fn` holding the shares of a node of `size`. */
  async run<T>(size: number | undefined, fn: () => Promise<T>): Promise<T> {
    const shares = sharesOf(size);
    const waiting = this.acquire(shares);
    if (waiting) await waiting;
    try {
      return await fn();
    } finally {
      this.release(shares);
    }
  }
}

/** The limiter's shares of a node of `size` bytes (unknown: a large one). */
function sharesOf(size: number | undefined): number {
  return size !== undefined && size < SMALL_BYTES ? 1 : SMALL_WIDTH;
}

/** The children of a node without successors (shared, never changed). */
const NO_CHILDREN: Descriptor[] = [];

/** Writes `content` of `desc` to the destination of a copy. */
type Write = (desc: Descriptor, content: ContentSource, signal: AbortSignal) => Promise<void>;

/** Whether a hook answered with a promise (anything with a `then`), to be awaited. */
function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * A source stream that remembers whether the source failed (so a push error can be blamed on the
 * right side) and that can be cancelled even while the destination holds its reader.
 */
function trackSource(
  stream: ReadableStream<Uint8Array>,
  desc: Descriptor,
): {
  stream: ReadableStream<Uint8Array>;
  failed: () => unknown;
  release: () => Promise<void>;
} {
  const reader = stream.getReader();
  let failure: unknown;
  let finished = false;
  const tracked = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            finished = true;
            controller.close();
          } else controller.enqueue(value);
        } catch (err) {
          failure = err ?? new Error('source stream failed');
          finished = true;
          controller.error(err);
        }
      },
      async cancel(reason) {
        finished = true;
        await reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
  // the chunks, errors and end are the source's own: a self-verifying source stays one
  if (isVerified(stream, desc)) markVerified(tracked, desc);
  return {
    stream: tracked,
    failed: () => failure,
    release: async () => {
      if (!finished) {
        finished = true;
        await reader.cancel().catch(() => undefined);
      }
    },
  };
}

/** The state of one copy operation (shared by the roots of an extended copy). */
class GraphCopier {
  readonly #src: ReadOnlyStorage;
  readonly #dst: Storage;
  readonly #options: CopyGraphOptions;
  readonly #limiter: Limiter;
  readonly #maxMetadataBytes: number;
  readonly #cache = new Map<string, Uint8Array>();
  readonly #tasks = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  readonly signal: AbortSignal;
  readonly #cachingFetcher: Fetcher & BytesFetcher;
  /** `{ signal }`, made once: every node passes it to the destination. */
  readonly #signalOnly: { signal: AbortSignal };
  /** The options of a small blob's read into memory, made once. */
  readonly #bufferedRead: FetchAllOptions;
  /** Pushes a node to the destination (one function for every node, not a closure per node). */
  readonly #write: Write;

  constructor(src: ReadOnlyStorage, dst: Storage, options: CopyGraphOptions) {
    const concurrency = options.concurrency ?? DEFAULT_COPY_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidArgumentError(
        `copy: concurrency must be a positive integer, got ${String(concurrency)}`,
      );
    }
    this.#src = src;
    this.#dst = dst;
    this.#options = options;
    this.#limiter = new Limiter(concurrency);
    this.#maxMetadataBytes = options.maxMetadataBytes ?? DEFAULT_COPY_MAX_METADATA_BYTES;
    this.signal =
      options.signal === undefined
        ? this.#abort.signal
        : AbortSignal.any([options.signal, this.#abort.signal]);
    // Every request in flight listens on this signal: up to `concurrency` x SMALL_WIDTH of them,
    // more than Node's default of 10 before it warns of a leak.
    setMaxListeners(0, this.signal);
    this.#signalOnly = { signal: this.signal };
    this.#bufferedRead = { maxBytes: COPY_BUFFERED_BYTES, signal: this.signal };
    this.#write = (desc, content, signal) => dst.push(desc, content, { signal });
    // Manifests are read once and kept (their successors are looked up, then they are pushed);
    // other content is fetched from the source each time.
    const manifestBytes = async (desc: Descriptor): Promise<Uint8Array> => {
      const cached = this.#cache.get(desc.digest);
      if (cached !== undefined) return cached;
      const bytes = await this.#limiter.run(desc.size, () =>
        guard('source', 'fetch', desc, () =>
          fetchAll(src, desc, { maxBytes: this.#maxMetadataBytes, signal: this.signal }),
        ),
      );
      this.#cache.set(desc.digest, bytes);
      return bytes;
    };
    const kept = (desc: Descriptor) => this.#cache.has(desc.digest) || hasSuccessors(desc);
    this.#cachingFetcher = {
      fetch: async (desc) => {
        if (!kept(desc))
          return guard('source', 'fetch', desc, () => src.fetch(desc, { signal: this.signal }));
        return toReadableStream(await manifestBytes(desc));
      },
      // (no web stream for what is read whole anyway; a copy, so the caller cannot change the kept bytes)
      fetchBytes: async (desc, options) => {
        if (!kept(desc)) {
          return guard('source', 'fetch', desc, () =>
            fetchAll(src, desc, {
              ...(options?.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
              signal: this.signal,
            }),
          );
        }
        memoryLimitFor(desc, options?.maxBytes);
        return (await manifestBytes(desc)).slice();
      },
    };
  }

  /** Copies the graph under `root`, after which every started transfer has settled. */
  async run(roots: readonly Descriptor[]): Promise<void> {
    try {
      await Promise.all(roots.map((root) => this.copyNode(root)));
    } catch (err) {
      this.#abort.abort(err);
      await Promise.allSettled([...this.#tasks.values()]);
      throw err;
    }
  }

  copyNode(desc: Descriptor): Promise<void> {
    let task = this.#tasks.get(desc.digest);
    if (task === undefined) {
      task = this.#startCopy(desc);
      this.#tasks.set(desc.digest, task);
      // A failure is reported through run(); keep the unhandled-rejection tracker quiet meanwhile.
      task.catch(() => undefined);
    }
    return task;
  }

  /** The bytes of a manifest copied, when it was read (for pushing the root by reference). */
  cached(digest: string): Uint8Array | undefined {
    return this.#cache.get(digest);
  }

  /**
   * Starts {@link GraphCopier.#copy} of `desc` holding one share of the limiter: at once when one
   * is free, else when its turn comes. A node waiting its turn is a queued function, not a
   * suspended async function: a copy of 2,000 small blobs starts all of them at once, and 2,000
   * suspended frames lived long enough to be promoted out of the young generation.
   */
  #startCopy(desc: Descriptor): Promise<void> {
    const limiter = this.#limiter;
    if (limiter.tryAcquire(1)) return this.#copy(desc);
    return new Promise<void>((resolve, reject) => {
      limiter.enqueue(1, () => {
        this.#copy(desc).then(resolve, reject);
      });
    });
  }

  /**
   * Copies `desc` (and what is under it); called holding one share of the limiter. A small node
   * whose successors are known at once (a blob) keeps that share from its check to the end of its
   * transfer: released in between, it had to queue again, and a copy of many small blobs left as
   * many suspended async frames waiting for their second turn.
   */
  async #copy(desc: Descriptor): Promise<void> {
    // (the limiter, the hooks and the error wrapping inline, not through `run` and `guard`, and a
    // hook's answer awaited only when it is a promise: this runs for every node, and each async
    // function or `await` makes a promise, a frame and a turn of the microtask queue)
    const limiter = this.#limiter;
    const options = this.#options;
    let held = 1;
    try {
      this.signal.throwIfAborted();
      let exists: boolean;
      try {
        exists = await this.#dst.exists(desc, this.#signalOnly);
      } catch (err) {
        throw wrap('destination', 'exists', desc, err);
      }
      if (exists) {
        limiter.release(held);
        held = 0;
        await options.onCopySkipped?.(desc);
        return;
      }
      let children: Descriptor[] = NO_CHILDREN;
      // the default finder has nothing to read for a node that cannot have successors
      if (options.findSuccessors !== undefined || hasSuccessors(desc)) {
        try {
          const found =
            options.findSuccessors === undefined
              ? successors(this.#cachingFetcher, desc, {
                  maxBytes: this.#maxMetadataBytes,
                  signal: this.signal,
                })
              : options.findSuccessors(this.#cachingFetcher, desc);
          if (Array.isArray(found)) children = found;
          else {
            // reading a manifest takes shares of its own: never wait for it holding one
            limiter.release(held);
            held = 0;
            children = await found;
          }
        } catch (err) {
          throw wrap('source', 'find successors of', desc, err);
        }
      }
      if (children.length > 0) {
        const kept = children.filter((child) => !isNonDistributableMediaType(child.mediaType));
        if (kept.length > 0) {
          // the children take shares of their own: never wait for them holding one
          if (held > 0) limiter.release(held);
          held = 0;
          await Promise.all(kept.map((child) => this.copyNode(child)));
        }
      }
      const shares = sharesOf(desc.size);
      if (held !== shares) {
        if (held > 0) limiter.release(held);
        held = 0;
        const waitingToMove = limiter.acquire(shares);
        if (waitingToMove) await waitingToMove;
        held = shares;
      }
      await this.#transfer(desc);
    } finally {
      if (held > 0) limiter.release(held);
    }
  }

  async #transfer(desc: Descriptor): Promise<void> {
    this.signal.throwIfAborted();
    const options = this.#options;
    let preCopied = false;
    if (options.mountFrom !== undefined && isMounter(this.#dst) && !hasSuccessors(desc)) {
      const state = { preCopied: false };
      if (await this.#mount(desc, state)) return;
      preCopied = state.preCopied;
    }
    if (!preCopied && options.preCopy !== undefined) {
      const decision = options.preCopy(desc);
      if ((isPromise(decision) ? await decision : decision) === SKIP_NODE) return;
    }
    await this.push(desc, this.#write);
    if (options.postCopy !== undefined) {
      const done = options.postCopy(desc);
      if (isPromise(done)) await done;
    }
  }

  /**
   * Moves `desc` from the source into `write`, blaming failures on the right side: streamed, or
   * read whole first when it is small ({@link COPY_BUFFERED_BYTES}) or a manifest already read.
   * A transient failure of the destination ({@link isTransient}) is tried again (with a fresh
   * fetch, when streamed), up to {@link DEFAULT_COPY_TRANSFER_ATTEMPTS} times in all.
   */
  async push(desc: Descriptor, write: Write): Promise<void> {
    let bytes = this.#cache.get(desc.digest);
    if (bytes === undefined && desc.size <= COPY_BUFFERED_BYTES && desc.data === undefined) {
      const src = this.#src;
      try {
        if (isBytesFetcher(src)) {
          // (fetchAll's work inline: one async frame less for every small blob)
          bytes = await src.fetchBytes(desc, this.#bufferedRead);
          if (!isVerified(bytes, desc)) checkBytes(bytes, desc);
        } else {
          bytes = await fetchAll(src, desc, this.#bufferedRead);
        }
      } catch (err) {
        throw wrap('source', 'fetch', desc, err);
      }
    }
    if (bytes !== undefined) {
      const verified = markBytesVerified(bytes, desc);
      this.#options.onProgress?.({ descriptor: desc, bytes: verified.byteLength, total: desc.size });
      try {
        await write(desc, verified, this.signal);
      } catch (err) {
        await this.#pushBytesAgain(desc, verified, write, err);
      }
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const source = await guard('source', 'fetch', desc, () => this.#src.fetch(desc, this.#signalOnly));
      const tracked = trackSource(source, desc);
      try {
        await write(desc, withProgress(tracked.stream, desc, this.#options.onProgress), this.signal);
        return;
      } catch (err) {
        await tracked.release();
        if (AlreadyExistsError.is(err)) return;
        const sourceFailure = tracked.failed();
        if (sourceFailure !== undefined) throw wrap('source', 'fetch', desc, sourceFailure);
        // The destination verified what the source sent and found it is not what the descriptor says.
        if (MismatchedDigestError.is(err) || MismatchedSizeError.is(err) || TrailingDataError.is(err)) {
          throw wrap('source', 'fetch', desc, err);
        }
        if (attempt >= DEFAULT_COPY_TRANSFER_ATTEMPTS || !isTransient(err) || this.signal.aborted) {
          throw wrap('destination', 'push', desc, err);
        }
      }
    }
  }

  /**
   * After the first push of `bytes` (verified content of `desc`) failed with `failure`: tries a
   * transient failure again, up to {@link DEFAULT_COPY_TRANSFER_ATTEMPTS} attempts in all, and
   * throws what cannot pass.
   */
  async #pushBytesAgain(desc: Descriptor, bytes: Uint8Array, write: Write, failure: unknown): Promise<void> {
    let err = failure;
    for (let attempt = 1; ; attempt++) {
      if (AlreadyExistsError.is(err)) return;
      // The destination found that the content is not what the descriptor says.
      if (MismatchedDigestError.is(err) || MismatchedSizeError.is(err) || TrailingDataError.is(err)) {
        throw wrap('source', 'fetch', desc, err);
      }
      if (attempt >= DEFAULT_COPY_TRANSFER_ATTEMPTS || !isTransient(err) || this.signal.aborted) {
        throw wrap('destination', 'push', desc, err);
      }
      this.#options.onProgress?.({ descriptor: desc, bytes: bytes.byteLength, total: desc.size });
      try {
        await write(desc, bytes, this.signal);
        return;
      } catch (next) {
        err = next;
      }
    }
  }

  /**
   * Tries to mount `desc` from the repositories `mountFrom` names; false when none worked. As in
   * oras-go, a mounted blob gets `onMounted` only (no `preCopy` or `postCopy`); a registry that
   * answers a mount with an upload session has the bytes sent after all, and that counts as a copy
   * (`preCopy` when the bytes are fetched, `postCopy` after).
   */
  async #mount(desc: Descriptor, state: { preCopied: boolean }): Promise<boolean> {
    const dst = this.#dst;
    if (this.#options.mountFrom === undefined || !isMounter(dst)) return false;
    const repositories = await this.#options.mountFrom(desc);
    for (const fromRepo of repositories) {
      let uploaded = false;
      try {
        await dst.mount(
          desc,
          fromRepo,
          async () => {
            uploaded = true;
            if (!state.preCopied) {
              state.preCopied = true;
              await this.#options.preCopy?.(desc);
            }
            return this.#src.fetch(desc, { signal: this.signal });
          },
          { signal: this.signal },
        );
      } catch {
        // Not mountable from there: try the next repository, then fall back to a regular copy.
        this.signal.throwIfAborted();
        continue;
      }
      if (uploaded) await this.#options.postCopy?.(desc);
      else await this.#options.onMounted?.(desc, fromRepo);
      return true;
    }
    return false;
  }
}

/**
 * Copies the graph rooted at `root` from `src` to `dst`: every node the destination lacks, leaves
 * first, at most `concurrency` at a time. A node the destination has is skipped with its whole
 * subtree (`onCopySkipped`). Failures reject with {@link CopyError}, whose `origin` names the side.
 */
export async function copyGraph(
  src: ReadOnlyStorage,
  dst: Storage,
  root: Descriptor,
  options: CopyGraphOptions = {},
): Promise<void> {
  await new GraphCopier(src, dst, options).run([root]);
}

/**
 * Copies the graph that `srcRef` names in `src` to `dst` and tags its root as `dstRef` (`srcRef`
 * when empty). With `targetPlatform`, an index root is replaced by its manifest for that
 * platform. When the destination can push by reference (a registry), the root manifest is put
 * under the tag directly; otherwise it is pushed, then tagged. Returns the root copied.
 */
export async function copy(
  src: ReadOnlyTarget,
  srcRef: string,
  dst: Target,
  dstRef: string,
  options: CopyOptions = {},
): Promise<Descriptor> {
  if (srcRef === '') throw new InvalidArgumentError('copy: empty source reference');
  const reference = dstRef === '' ? srcRef : dstRef;
  // one GET of the root manifest by tag from a registry, whose bytes `source` serves again
  const resolved = await guard('source', 'resolve', srcRef, () =>
    resolveCopyRoot(src, srcRef, { signal: options.signal, maxMetadataBytes: options.maxMetadataBytes }),
  );
  const source = resolved.source;
  let root = resolved.root;
  if (options.targetPlatform !== undefined) {
    const platform = options.targetPlatform;
    const current = root;
    root = await guard('source', 'select platform of', current, () =>
      selectPlatform(source, current, platform, {
        maxBytes: options.maxMetadataBytes,
        signal: options.signal,
      }),
    );
  }
  if (options.mapRoot !== undefined) root = await options.mapRoot(source, root);
  const target = root;

  if (!isReferencePusher(dst)) {
    await copyGraph(source, dst, target, options);
    await guard('destination', 'tag', target, () => dst.tag(target, reference, options));
    return target;
  }

  let copier: GraphCopier | undefined;
  const graphOptions: CopyGraphOptions = {
    ...options,
    preCopy: async (desc) => {
      const decision = await options.preCopy?.(desc);
      if (decision === SKIP_NODE || desc.digest !== target.digest) return decision;
      await copier!.push(desc, (d, content, signal) => dst.pushReference(d, content, reference, { signal }));
      await options.postCopy?.(desc);
      return SKIP_NODE;
    },
    onCopySkipped: async (desc) => {
      if (desc.digest === target.digest) {
        await guard('destination', 'tag', desc, () => dst.tag(desc, reference, options));
      }
      await options.onCopySkipped?.(desc);
    },
  };
  copier = new GraphCopier(source, dst, graphOptions);
  await copier.run([target]);
  return target;
}

/**
 * Finds the roots above `node`: follows predecessors (referrers, indexes) up to `depth` levels
 * (all when 0) and returns the nodes that have none, or sit at the depth limit.
 *
 * Why the second pass: content-addressed graphs have no cycles, but a lying registry can answer
 * the referrers API with one (A refers to B, B to A). Such a cycle has no node without
 * predecessors, so the walk alone finds no root above it and a copy would move nothing. Every
 * node the walk saw that no root reaches becomes a root itself: which node of a lying cycle
 * really points at the others cannot be told from the lie, and copying each one moves the nodes
 * they share once.
 */
export async function findRoots(
  src: ReadOnlyGraphStorage,
  node: Descriptor,
  options: ExtendedCopyGraphOptions = {},
): Promise<Descriptor[]> {
  const find =
    options.findPredecessors ??
    ((storage: ReadOnlyGraphStorage, desc: Descriptor) => storage.predecessors(desc, options));
  const depth = options.depth ?? 0;
  const visited = new Map<string, Descriptor>();
  /** The predecessors found of each node walked (for the coverage pass). */
  const above = new Map<string, readonly Descriptor[]>();
  const roots = new Map<string, Descriptor>();
  const stack: { node: Descriptor; depth: number }[] = [{ node, depth: 0 }];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (visited.has(current.node.digest)) continue;
    visited.set(current.node.digest, current.node);
    if (depth > 0 && current.depth === depth) {
      if (!roots.has(current.node.digest)) roots.set(current.node.digest, current.node);
      continue;
    }
    const predecessors = await guard('source', 'find predecessors of', current.node, () =>
      find(src, current.node),
    );
    above.set(current.node.digest, predecessors);
    if (predecessors.length === 0) {
      if (!roots.has(current.node.digest)) roots.set(current.node.digest, current.node);
      continue;
    }
    for (const p of predecessors)
      if (!visited.has(p.digest)) stack.push({ node: p, depth: current.depth + 1 });
  }
  for (const [digest, desc] of uncoveredByRoots(visited, above, roots)) roots.set(digest, desc);
  return [...roots.values()];
}

/**
 * The visited nodes that lie under no root (walking down from each root to the nodes it is a
 * predecessor of). Empty for any graph without a cycle.
 */
function uncoveredByRoots(
  visited: ReadonlyMap<string, Descriptor>,
  above: ReadonlyMap<string, readonly Descriptor[]>,
  roots: ReadonlyMap<string, Descriptor>,
): Map<string, Descriptor> {
  const below = new Map<string, string[]>();
  for (const [digest, predecessors] of above) {
    for (const p of predecessors) {
      const list = below.get(p.digest);
      if (list === undefined) below.set(p.digest, [digest]);
      else list.push(digest);
    }
  }
  const covered = new Set<string>();
  const cover = (from: string) => {
    const pending = [from];
    while (pending.length > 0) {
      const digest = pending.pop()!;
      if (covered.has(digest)) continue;
      covered.add(digest);
      for (const next of below.get(digest) ?? []) if (!covered.has(next)) pending.push(next);
    }
  };
  for (const digest of roots.keys()) cover(digest);
  const uncovered = new Map<string, Descriptor>();
  for (const [digest, desc] of visited) if (!covered.has(digest)) uncovered.set(digest, desc);
  return uncovered;
}

/**
 * Copies `node` together with everything that points at it (its referrers, the indexes that list
 * it, their referrers, ...) up to `depth` levels: finds the roots above the node, then copies the
 * graph under each root, sharing one copy state so that common nodes move once.
 */
export async function extendedCopyGraph(
  src: ReadOnlyGraphStorage,
  dst: Storage,
  node: Descriptor,
  options: ExtendedCopyGraphOptions = {},
): Promise<void> {
  const roots = await findRoots(src, node, options);
  await new GraphCopier(src, dst, options).run(roots);
}

/**
 * Resolves `srcRef`, copies it with its predecessors ({@link extendedCopyGraph}) and tags the
 * resolved node as `dstRef` (`srcRef` when empty) in the destination. Returns the node.
 */
export async function extendedCopy(
  src: ReadOnlyGraphStorage & ReadOnlyTarget,
  srcRef: string,
  dst: Target,
  dstRef: string,
  options: ExtendedCopyOptions = {},
): Promise<Descriptor> {
  if (srcRef === '') throw new InvalidArgumentError('extended copy: empty source reference');
  const reference = dstRef === '' ? srcRef : dstRef;
  const node = await guard('source', 'resolve', srcRef, () => src.resolve(srcRef, options));
  await extendedCopyGraph(src, dst, node, options);
  await guard('destination', 'tag', node, () => dst.tag(node, reference, options));
  return node;
}

type FindPredecessors = (src: ReadOnlyGraphStorage, desc: Descriptor) => Promise<Descriptor[]>;

const defaultFindPredecessors: FindPredecessors = (src, desc) => src.predecessors(desc);

/** Fills in `artifactType` and `annotations` of a predecessor from its manifest when the descriptor lacks them. */
async function described(src: ReadOnlyGraphStorage, desc: Descriptor): Promise<Descriptor> {
  if ((desc.artifactType !== undefined && desc.annotations !== undefined) || !hasSuccessors(desc))
    return desc;
  const bytes = await fetchAll(src, desc);
  const fromManifest = describeReferrer(desc, bytes);
  return {
    ...desc,
    artifactType: desc.artifactType ?? fromManifest.artifactType,
    annotations: desc.annotations ?? fromManifest.annotations,
  } as Descriptor;
}

/**
 * A `findPredecessors` that keeps only predecessors whose artifact type matches `pattern` (the
 * manifest's `artifactType`, or its config media type; fetched when the descriptor lacks it).
 */
export function filterArtifactType(
  pattern: RegExp,
  find: FindPredecessors = defaultFindPredecessors,
): FindPredecessors {
  return async (src, desc) => {
    const found = await find(src, desc);
    const kept: Descriptor[] = [];
    for (const p of found) {
      const full = await described(src, p);
      if (full.artifactType !== undefined && pattern.test(full.artifactType)) kept.push(p);
    }
    return kept;
  };
}

/**
 * A `findPredecessors` that keeps only predecessors having the annotation `key` (with a value
 * matching `pattern` when given; fetched from the manifest when the descriptor has none).
 */
export function filterAnnotation(
  key: string,
  pattern?: RegExp,
  find: FindPredecessors = defaultFindPredecessors,
): FindPredecessors {
  return async (src, desc) => {
    const found = await find(src, desc);
    const kept: Descriptor[] = [];
    for (const p of found) {
      const value = (await described(src, p)).annotations?.[key];
      if (value !== undefined && (pattern === undefined || pattern.test(value))) kept.push(p);
    }
    return kept;
  };
}
