/**
 * The content model of oras-go v2 in TypeScript idiom: single-method roles composed into nouns.
 * Go's `ctx` is a trailing `{ signal }`; `(T, error)` is a `Promise<T>` that rejects with a typed
 * error from `@oras/spec` (`NotFoundError`, `AlreadyExistsError`, `MismatchedDigestError`, ...).
 *
 * Streams are web `ReadableStream<Uint8Array>`. A consumer of a fetched stream either reads it to
 * the end or cancels it, so that connections and file handles are released.
 */
import type { Descriptor } from '@oras/spec';

/** Options every asynchronous operation accepts. */
export interface OperationOptions {
  /** Aborts the operation; it then rejects with an `AbortedError` (or the signal's reason). */
  readonly signal?: AbortSignal | undefined;
}

/** A byte source accepted by {@link Pusher.push}: a web stream, an async iterable, or bytes. */
export type ContentSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array;

/** Fetches content by descriptor. */
export interface Fetcher {
  /**
   * Returns the content of `target` as a stream. Implementations that read from an untrusted place
   * (a registry, a file) verify size and digest as the stream is read; the stream errors with
   * `MismatchedDigestError`, `MismatchedSizeError` or `TrailingDataError` on a mismatch.
   * Rejects with `NotFoundError` when the content does not exist.
   */
  fetch(target: Descriptor, options?: OperationOptions): Promise<ReadableStream<Uint8Array>>;
}

/**
 * Fetches content into memory in one call: an optional fast path beside {@link Fetcher.fetch}
 * (`RemoteRepository` of `@oras/registry` has it), which `fetchAll` uses when the fetcher has it.
 */
export interface BytesFetcher {
  /**
   * Returns the content of `target`, verified against its size and digest (rejecting with
   * `MismatchedDigestError`, `MismatchedSizeError` or `TrailingDataError` otherwise), never
   * reading more than `target.size` bytes. Rejects with `SizeExceedsLimitError` before reading
   * when `target.size` is over `maxBytes`, and with `NotFoundError` when the content does not
   * exist.
   */
  fetchBytes(
    target: Descriptor,
    options?: OperationOptions & { readonly maxBytes?: number | undefined },
  ): Promise<Uint8Array>;
}

/** Pushes content. */
export interface Pusher {
  /**
   * Stores `content`, which must hash to `expected.digest` and be `expected.size` bytes long; the
   * store verifies both and rejects with a typed error (storing nothing) when they do not match.
   * Rejects with `AlreadyExistsError` when a store refuses duplicates (callers may treat it as done).
   */
  push(expected: Descriptor, content: ContentSource, options?: OperationOptions): Promise<void>;
}

/** Reports whether content exists. */
export interface ExistenceChecker {
  /** Whether the content described by `target` exists in the store. */
  exists(target: Descriptor, options?: OperationOptions): Promise<boolean>;
}

/** Read access to content: fetch plus exists. */
export interface ReadOnlyStorage extends Fetcher, ExistenceChecker {}

/** Read and write access to content. */
export interface Storage extends ReadOnlyStorage, Pusher {}

/** Deletes content. */
export interface Deleter {
  /** Deletes the content described by `target`; rejects with `NotFoundError` when it is absent. */
  delete(target: Descriptor, options?: OperationOptions): Promise<void>;
}

/** Resolves a reference (a tag, or a digest) to a descriptor. */
export interface Resolver {
  /** Resolves `reference`; rejects with `NotFoundError` when it is unknown. */
  resolve(reference: string, options?: OperationOptions): Promise<Descriptor>;
}

/** Tags a descriptor with a reference. */
export interface Tagger {
  /** Points `reference` at `target` (which must already exist in the store). */
  tag(target: Descriptor, reference: string, options?: OperationOptions): Promise<void>;
}

/** Resolves and tags. */
export interface TagResolver extends Tagger, Resolver {}

/** Removes a tag without deleting the content. */
export interface Untagger {
  /** Removes the tag `reference`; rejects with `NotFoundError` when it is unknown. */
  untag(reference: string, options?: OperationOptions): Promise<void>;
}

/** Lists the tags of a store. */
export interface TagLister {
  /**
   * Yields the tags in pages, in lexical order, starting after `last` when given.
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
   */
  tags(options?: OperationOptions & { readonly last?: string }): AsyncIterable<string[]>;
}

/** Finds the nodes that point at a node (its predecessors, such as referrers or indexes). */
export interface PredecessorFinder {
  /** The manifests and indexes in the store that list `node` as config, layer, manifest or subject. */
  predecessors(node: Descriptor, options?: OperationOptions): Promise<Descriptor[]>;
}

/** Read access to content, with predecessors. */
export interface ReadOnlyGraphStorage extends ReadOnlyStorage, PredecessorFinder {}

/** Read and write access to content, with predecessors. */
export interface GraphStorage extends Storage, PredecessorFinder {}

/** A content store with tags: what copy reads from and writes to. */
export interface Target extends Storage, TagResolver {}

/** A read-only target. */
export interface ReadOnlyTarget extends ReadOnlyStorage, Resolver {}

/** A target that can find predecessors. */
export interface GraphTarget extends GraphStorage, TagResolver {}

/** A read-only target that can find predecessors. */
export interface ReadOnlyGraphTarget extends ReadOnlyGraphStorage, Resolver {}

/**
 * Pushes a manifest and tags it in one step (a registry's `PUT /v2/<name>/manifests/<tag>`).
 * `copy` pushes the root this way when the destination can, instead of push-then-tag.
 */
export interface ReferencePusher {
  /** Pushes `content` (which must match `expected`) and points `reference` at it. */
  pushReference(
    expected: Descriptor,
    content: ContentSource,
    reference: string,
    options?: OperationOptions,
  ): Promise<void>;
}

/** A descriptor and the stream of its content, as {@link ReferenceFetcher.fetchReference} returns them. */
export interface FetchedReference {
  /** What the reference resolved to. */
  readonly descriptor: Descriptor;
  /** The content; read it to the end or cancel it (not needed when `bytes` is taken instead). */
  readonly stream: ReadableStream<Uint8Array>;
  /**
   * The whole content, when the fetcher read it into memory (a registry reads a manifest whole):
   * the bytes `stream` gives. Taking it spares a web stream; readers check it against
   * `descriptor` as they would the stream unless it is marked verified (`markVerified`). The
   * bytes must not be changed.
   */
  readonly bytes?: Uint8Array | undefined;
}

/**
 * Fetches content by reference (tag or digest) in one round trip (a registry's `GET` of a
 * manifest by tag), instead of a resolve and then a fetch.
 */
export interface ReferenceFetcher {
  /** Resolves `reference` and returns its content. Rejects with `NotFoundError` when unknown. */
  fetchReference(reference: string, options?: OperationOptions): Promise<FetchedReference>;
}

/** Mounts a blob from another repository of the same registry instead of uploading it. */
export interface Mounter {
  /**
   * Makes `desc` available by mounting it from `fromRepo`. When the registry does not mount (it
   * answers with an upload session instead), the content is uploaded from `getContent` (or
   * fetched from `fromRepo` when it is not given).
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository
   */
  mount(
    desc: Descriptor,
    fromRepo: string,
    getContent?: () => Promise<ContentSource>,
    options?: OperationOptions,
  ): Promise<void>;
}

function hasMethods(value: unknown, ...names: string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

/** Whether `value` can fetch. */
export function isFetcher(value: unknown): value is Fetcher {
  return hasMethods(value, 'fetch');
}

/** Whether `value` can fetch content into memory in one call ({@link BytesFetcher}). */
export function isBytesFetcher(value: unknown): value is BytesFetcher {
  return hasMethods(value, 'fetchBytes');
}

/** Whether `value` can push. */
export function isPusher(value: unknown): value is Pusher {
  return hasMethods(value, 'push');
}

/** Whether `value` is read-only storage (fetch and exists). */
export function isReadOnlyStorage(value: unknown): value is ReadOnlyStorage {
  return hasMethods(value, 'fetch', 'exists');
}

/** Whether `value` is storage (fetch, exists and push). */
export function isStorage(value: unknown): value is Storage {
  return hasMethods(value, 'fetch', 'exists', 'push');
}

/** Whether `value` can delete. */
export function isDeleter(value: unknown): value is Deleter {
  return hasMethods(value, 'delete');
}

/** Whether `value` can resolve references. */
export function isResolver(value: unknown): value is Resolver {
  return hasMethods(value, 'resolve');
}

/** Whether `value` can tag. */
export function isTagger(value: unknown): value is Tagger {
  return hasMethods(value, 'tag');
}

/** Whether `value` can resolve and tag. */
export function isTagResolver(value: unknown): value is TagResolver {
  return hasMethods(value, 'tag', 'resolve');
}

/** Whether `value` can untag. */
export function isUntagger(value: unknown): value is Untagger {
  return hasMethods(value, 'untag');
}

/** Whether `value` can list tags. */
export function isTagLister(value: unknown): value is TagLister {
  return hasMethods(value, 'tags');
}

/** Whether `value` can find predecessors. */
export function isPredecessorFinder(value: unknown): value is PredecessorFinder {
  return hasMethods(value, 'predecessors');
}

/** Whether `value` is graph storage. */
export function isGraphStorage(value: unknown): value is GraphStorage {
  return isStorage(value) && isPredecessorFinder(value);
}

/** Whether `value` is a target (storage with tags). */
export function isTarget(value: unknown): value is Target {
  return isStorage(value) && isTagResolver(value);
}

/** Whether `value` is a read-only target. */
export function isReadOnlyTarget(value: unknown): value is ReadOnlyTarget {
  return isReadOnlyStorage(value) && isResolver(value);
}

/** Whether `value` is a graph target. */
export function isGraphTarget(value: unknown): value is GraphTarget {
  return isTarget(value) && isPredecessorFinder(value);
}

/** Whether `value` can push a manifest by reference. */
export function isReferencePusher(value: unknown): value is ReferencePusher {
  return hasMethods(value, 'pushReference');
}

/** Whether `value` can fetch by reference in one step. */
export function isReferenceFetcher(value: unknown): value is ReferenceFetcher {
  return hasMethods(value, 'fetchReference');
}

/** Whether `value` can mount blobs across repositories. */
export function isMounter(value: unknown): value is Mounter {
  return hasMethods(value, 'mount');
}

/** Whether `value` is a read-only graph target. */
export function isReadOnlyGraphTarget(value: unknown): value is ReadOnlyGraphTarget {
  return isReadOnlyTarget(value) && isPredecessorFinder(value);
}
