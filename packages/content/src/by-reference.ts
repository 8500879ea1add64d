/**
 * Helpers that work on any target by reference, the counterparts of the top-level functions of
 * oras-go v2 (`content.go`): resolve and fetch with a target platform, fetch into memory, tag
 * with one or several tags, push bytes under tags. Each takes the cheapest path the target
 * offers: a registry fetches a manifest by tag in one `GET` (`ReferenceFetcher`) and pushes it
 * under a tag in one `PUT` (`ReferencePusher`).
 */
import {
  AlreadyExistsError,
  type Descriptor,
  InvalidArgumentError,
  MissingReferenceError,
  type Platform,
} from '@oras/spec';
import {
  type FetchedReference,
  isReferenceFetcher,
  isReferencePusher,
  type OperationOptions,
  type ReadOnlyTarget,
  type Target,
} from './interfaces.js';
import { selectPlatform } from './platform.js';
import { hasSuccessors } from './successors.js';
import { type ProgressHandler, withProgress } from './progress.js';
import {
  checkBytes,
  DEFAULT_MAX_FETCH_BYTES,
  descriptorOf,
  isVerified,
  memoryLimitFor,
  readAll,
  toReadableStream,
} from './stream.js';

/** How many tags the tag helpers set at once unless told (as oras-go and dockerd). */
export const DEFAULT_TAG_CONCURRENCY = 5;

/** Options of {@link resolveReference}. */
export interface ResolveReferenceOptions extends OperationOptions {
  /**
   * Resolve to the manifest of this platform: an index (or Docker manifest list) resolves to its
   * first manifest that matches; a manifest must declare a matching platform in its config.
   */
  readonly targetPlatform?: Platform | undefined;
  /** The most bytes of an index, manifest or config read to choose the platform (default 4 MiB). */
  readonly maxMetadataBytes?: number | undefined;
}

/** Options of {@link fetchReference}. */
export interface FetchReferenceOptions extends ResolveReferenceOptions {
  /** Called as the bytes of the content are read from the returned stream. */
  readonly onProgress?: ProgressHandler | undefined;
}

/** Options of {@link fetchBytes}. */
export interface FetchBytesOptions extends ResolveReferenceOptions {
  /** The most bytes read into memory (default 4 MiB); more rejects with `SizeExceedsLimitError`. */
  readonly maxBytes?: number | undefined;
}

/** Options of {@link tagN} and {@link tagBytesN}. */
export interface TagNOptions extends OperationOptions {
  /** How many tags are set at once (default {@link DEFAULT_TAG_CONCURRENCY}). */
  readonly concurrency?: number | undefined;
  /** The most bytes of the manifest read into memory to put it under each tag (default 4 MiB). */
  readonly maxMetadataBytes?: number | undefined;
}

/** A descriptor and the bytes of its content. */
export interface FetchedBytes {
  /** What the reference resolved to. */
  readonly descriptor: Descriptor;
  /** The content, verified against the descriptor. */
  readonly bytes: Uint8Array;
}

/** What a reference resolved to, and the target to fetch it from (serving a root it read). */
interface Resolved {
  readonly descriptor: Descriptor;
  readonly source: ReadOnlyTarget;
}

function signalOnly(options: OperationOptions): OperationOptions {
  return options.signal === undefined ? {} : { signal: options.signal };
}

/** Resolves `reference` in `target`, choosing the platform's manifest when asked; see {@link resolveReference}. */
async function resolveCaching(
  target: ReadOnlyTarget,
  reference: string,
  options: ResolveReferenceOptions,
): Promise<Resolved> {
  const platform = options.targetPlatform;
  if (platform === undefined) {
    return { descriptor: await target.resolve(reference, signalOnly(options)), source: target };
  }
  const maxBytes = options.maxMetadataBytes ?? DEFAULT_MAX_FETCH_BYTES;
  // from a registry, one GET of the root by reference, whose bytes then choose the platform
  const { root, source } = await resolveCopyRoot(target, reference, {
    maxMetadataBytes: maxBytes,
    signal: options.signal,
  });
  const descriptor = await selectPlatform(source, root, platform, { maxBytes, signal: options.signal });
  return { descriptor, source };
}

/**
 * Resolves `reference` (a tag or digest) in `target` to a descriptor; with `targetPlatform`, to
 * the manifest of that platform (oras-go's `oras.Resolve`). A target that can fetch by reference
 * (a registry) is asked once for the root's bytes, which choose the platform.
 *
 * Rejects with `NotFoundError` when the reference is unknown or no manifest matches the platform,
 * and `UnsupportedError` when the reference names neither an index nor a manifest.
 */
export async function resolveReference(
  target: ReadOnlyTarget,
  reference: string,
  options: ResolveReferenceOptions = {},
): Promise<Descriptor> {
  return (await resolveCaching(target, reference, options)).descriptor;
}

/**
 * Fetches the content `reference` names in `target`, with its descriptor (oras-go's
 * `oras.Fetch`); with `targetPlatform`, the manifest of that platform. A target that can fetch
 * by reference (a registry) does it in one request. The stream verifies what it delivers (size
 * and digest) when the target's does not: read it to the end or cancel it. `onProgress` is
 * called as it is read.
 */
export async function fetchReference(
  target: ReadOnlyTarget,
  reference: string,
  options: FetchReferenceOptions = {},
): Promise<FetchedReference> {
  let fetched: FetchedReference;
  if (options.targetPlatform === undefined && isReferenceFetcher(target)) {
    fetched = await target.fetchReference(reference, signalOnly(options));
  } else {
    const { descriptor, source } = await resolveCaching(target, reference, options);
    fetched = { descriptor, stream: await source.fetch(descriptor, signalOnly(options)) };
  }
  // without a progress handler, the fetched content as it came (its `bytes` too, unread)
  if (options.onProgress === undefined) return fetched;
  return {
    descriptor: fetched.descriptor,
    stream: withProgress(fetched.stream, fetched.descriptor, options.onProgress),
  };
}

/**
 * The content of `fetched`, verified and at most `maxBytes`: its `bytes` when the fetcher has
 * them (checked against the descriptor unless marked verified), else its stream read whole.
 * Rejects with `SizeExceedsLimitError` over `maxBytes`, before reading.
 */
async function contentOf(
  fetched: FetchedReference,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const { descriptor, bytes } = fetched;
  if (bytes === undefined) return readAll(fetched.stream, descriptor, { maxBytes, signal });
  memoryLimitFor(descriptor, maxBytes);
  if (!isVerified(bytes, descriptor)) checkBytes(bytes, descriptor);
  return bytes;
}

/** Options of {@link resolveCopyRoot}. */
export interface ResolveCopyRootOptions extends OperationOptions {
  /** The most bytes of the root manifest kept in memory (default 4 MiB); more rejects. */
  readonly maxMetadataBytes?: number | undefined;
}

/** What {@link resolveCopyRoot} returns. */
export interface CopyRoot<T> {
  /** What the reference names. */
  readonly root: Descriptor;
  /** The source to copy from: the one given, serving the root's bytes from memory when it has them. */
  readonly source: T;
}

/**
 * Resolves the root of a copy as oras-go's copy does: a source that fetches by reference (a
 * registry) is asked once, with a `GET` by tag, and the returned source serves the root
 * manifest's bytes again from memory (`fetch`, and `fetchBytes` when the source has it), instead
 * of a `HEAD` and then a `GET` by digest: one round trip less before the first blob moves. Other
 * sources resolve; a root without successors (a blob) is not kept.
 *
 * Rejects as `resolve` does, and with `SizeExceedsLimitError` for a root manifest larger than
 * `maxMetadataBytes`.
 */
export async function resolveCopyRoot<T extends ReadOnlyTarget>(
  source: T,
  reference: string,
  options: ResolveCopyRootOptions = {},
): Promise<CopyRoot<T>> {
  if (!isReferenceFetcher(source)) {
    return { root: await source.resolve(reference, signalOnly(options)), source };
  }
  const fetched = await source.fetchReference(reference, signalOnly(options));
  const root = fetched.descriptor;
  if (!hasSuccessors(root)) {
    if (fetched.bytes === undefined) await fetched.stream.cancel().catch(() => undefined);
    return { root, source };
  }
  const maxBytes = options.maxMetadataBytes ?? DEFAULT_MAX_FETCH_BYTES;
  const bytes = await contentOf(fetched, maxBytes, options.signal);
  return { root, source: servingFromMemory(source, root, bytes) };
}

/** `source`, with the content of `desc` served from `bytes` (verified against it). */
function servingFromMemory<T extends ReadOnlyTarget>(source: T, desc: Descriptor, bytes: Uint8Array): T {
  const isIt = (d: Descriptor) => d.digest === desc.digest && d.size === desc.size;
  // The functions handed out, made once per member (a copy reads `fetchBytes` twice per blob).
  const made = new Map<string | symbol, { from: unknown; fn: unknown }>();
  return new Proxy(source, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' && prop !== 'fetch') return value;
      const known = made.get(prop);
      if (known !== undefined && known.from === value) return known.fn;
      let fn: unknown;
      if (prop === 'fetch') {
        fn = (d: Descriptor, options?: OperationOptions) =>
          isIt(d) ? Promise.resolve(toReadableStream(bytes)) : target.fetch(d, options);
      } else if (prop === 'fetchBytes') {
        const fetchBytes = value as (d: Descriptor, options?: object) => Promise<Uint8Array>;
        fn = (d: Descriptor, options?: object) =>
          isIt(d) ? Promise.resolve(bytes.slice()) : fetchBytes.call(target, d, options);
      } else {
        fn = (value as (...args: unknown[]) => unknown).bind(target);
      }
      made.set(prop, { from: value, fn });
      return fn;
    },
  });
}

/**
 * Fetches the content `reference` names into memory, verified, with its descriptor (oras-go's
 * `oras.FetchBytes`). Rejects with `SizeExceedsLimitError` when it is larger than `maxBytes`
 * (4 MiB unless given), before reading it.
 */
export async function fetchBytes(
  target: ReadOnlyTarget,
  reference: string,
  options: FetchBytesOptions = {},
): Promise<FetchedBytes> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FETCH_BYTES;
  const fetched = await fetchReference(target, reference, options);
  const { descriptor } = fetched;
  if (descriptor.size > maxBytes && fetched.bytes === undefined) {
    await fetched.stream.cancel().catch(() => undefined);
  }
  const bytes = await contentOf(fetched, maxBytes, options.signal);
  // the fetcher's own buffer (perhaps marked verified) stays its own: the caller gets a copy
  return { descriptor, bytes: fetched.bytes === undefined ? bytes : bytes.slice() };
}

/** Runs `task` for each item, at most `limit` at a time; the first failure aborts the rest. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  task: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(`concurrency must be a positive integer, got ${String(limit)}`);
  }
  const stop = new AbortController();
  const combined = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      combined.throwIfAborted();
      const item = items[next++] as T;
      try {
        await task(item, combined);
      } catch (err) {
        stop.abort(err);
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(limit, items.length) }, () => worker()),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw stop.signal.aborted ? stop.signal.reason : failed.reason;
}

/**
 * Tags the content `src` names in `target` as `dst` too, and returns its descriptor (oras-go's
 * `oras.Tag`). A target that fetches and pushes by reference (a registry) does it with one `GET`
 * of the manifest and one `PUT` under the new tag; any other resolves `src` and tags it.
 */
export async function tag(
  target: Target,
  src: string,
  dst: string,
  options: OperationOptions = {},
): Promise<Descriptor> {
  if (isReferenceFetcher(target) && isReferencePusher(target)) {
    const { descriptor, stream } = await target.fetchReference(src, signalOnly(options));
    try {
      await target.pushReference(descriptor, stream, dst, signalOnly(options));
    } catch (err) {
      await stream.cancel().catch(() => undefined);
      throw err;
    }
    return descriptor;
  }
  const descriptor = await target.resolve(src, signalOnly(options));
  await target.tag(descriptor, dst, signalOnly(options));
  return descriptor;
}

/**
 * Tags the content `src` names in `target` with every reference of `dsts`, at most `concurrency`
 * at a time, and returns its descriptor (oras-go's `oras.TagN`). A registry is asked for the
 * manifest once (at most `maxMetadataBytes`), which is then put under each tag. Rejects with
 * `MissingReferenceError` when `dsts` is empty, and with the first failure otherwise (tags
 * already set stay set).
 */
export async function tagN(
  target: Target,
  src: string,
  dsts: readonly string[],
  options: TagNOptions = {},
): Promise<Descriptor> {
  if (dsts.length === 0) throw new MissingReferenceError(`tag ${src}: no tags to set`);
  if (dsts.length === 1) return tag(target, src, dsts[0] as string, options);
  const concurrency = options.concurrency ?? DEFAULT_TAG_CONCURRENCY;
  if (isReferenceFetcher(target) && isReferencePusher(target)) {
    const { descriptor, bytes } = await fetchBytes(target, src, {
      maxBytes: options.maxMetadataBytes ?? DEFAULT_MAX_FETCH_BYTES,
      ...signalOnly(options),
    });
    await eachLimited(dsts, concurrency, options.signal, (dst, signal) =>
      target.pushReference(descriptor, bytes, dst, { signal }),
    );
    return descriptor;
  }
  const descriptor = await target.resolve(src, signalOnly(options));
  await eachLimited(dsts, concurrency, options.signal, (dst, signal) =>
    target.tag(descriptor, dst, { signal }),
  );
  return descriptor;
}

/**
 * Pushes `bytes` (described with `mediaType`, `application/octet-stream` when empty) and tags
 * them `reference`; returns their descriptor (oras-go's `oras.TagBytes`). Content the target
 * already has is only tagged.
 */
export async function tagBytes(
  target: Target,
  mediaType: string,
  bytes: Uint8Array,
  reference: string,
  options: OperationOptions = {},
): Promise<Descriptor> {
  return tagBytesN(target, mediaType, bytes, [reference], options);
}

/**
 * Pushes `bytes` and tags them with every reference of `references` (just pushes them when there
 * are none), at most `concurrency` at a time; returns their descriptor (oras-go's
 * `oras.TagBytesN`). A target that pushes by reference (a registry) puts the bytes under each
 * tag directly; any other is pushed to once, then tagged.
 */
export async function tagBytesN(
  target: Target,
  mediaType: string,
  bytes: Uint8Array,
  references: readonly string[],
  options: TagNOptions = {},
): Promise<Descriptor> {
  const descriptor = descriptorOf(mediaType, bytes);
  const concurrency = options.concurrency ?? DEFAULT_TAG_CONCURRENCY;
  const ignoreExisting = (err: unknown) => {
    if (!AlreadyExistsError.is(err)) throw err;
  };
  if (references.length > 0 && isReferencePusher(target)) {
    await eachLimited(references, concurrency, options.signal, (reference, signal) =>
      target.pushReference(descriptor, bytes, reference, { signal }).catch(ignoreExisting),
    );
    return descriptor;
  }
  await target.push(descriptor, bytes, signalOnly(options)).catch(ignoreExisting);
  await eachLimited(references, concurrency, options.signal, (reference, signal) =>
    target.tag(descriptor, reference, { signal }),
  );
  return descriptor;
}
