/**
 * `@oras/content/memory`: a graph target held in memory, for tests, fallbacks and small artifacts.
 * The TypeScript counterpart of oras-go's `content/memory`.
 * @packageDocumentation
 */
import { AlreadyExistsError, type Descriptor, InvalidArgumentError, NotFoundError } from '@oras/spec';
import type {
  ContentSource,
  Deleter,
  GraphTarget,
  OperationOptions,
  TagLister,
  Untagger,
} from '../interfaces.js';
import { isDigestReference, plainDescriptor, tagPages } from '../internal/tags.js';
import {
  assertDescriptor,
  checkBytes,
  isVerified,
  memoryLimitFor,
  readAll,
  toReadableStream,
} from '../stream.js';
import { describeReferrer, hasSuccessors, successorsOf } from '../successors.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** The largest blob the store accepts, in bytes; larger pushes reject with `SizeExceedsLimitError`. Default: no limit. */
  readonly maxBlobBytes?: number | undefined;
}

interface Entry {
  readonly desc: Descriptor;
  readonly bytes: Uint8Array;
  /** For a manifest or index: the digests it points at, to undo its predecessor edges on delete. */
  readonly successors: readonly string[];
  /** For a manifest or index: how it is listed as a predecessor. */
  readonly referrer?: Descriptor;
}

/**
 * A copy of `bytes`, checked as {@link readAll} checks a stream (the size limit first, then size
 * and digest), without making one: bytes already verified for `expected` are not hashed again.
 */
function checkedCopy(bytes: Uint8Array, expected: Descriptor, maxBytes: number): Uint8Array {
  memoryLimitFor(expected, maxBytes);
  if (!(isVerified(bytes, expected) && bytes.byteLength === expected.size)) checkBytes(bytes, expected);
  return bytes.slice();
}

/**
 * A content store in memory that implements every role: fetch, push, exists, tag, resolve,
 * predecessors, delete, untag and tag listing. Pushed content is verified (size and digest)
 * before it is stored; pushing content the store has rejects with `AlreadyExistsError`.
 * Manifests and indexes are parsed on push so that {@link MemoryStore.predecessors} can answer.
 */
export class MemoryStore implements GraphTarget, Deleter, Untagger, TagLister {
  readonly #entries = new Map<string, Entry>();
  readonly #tags = new Map<string, Descriptor>();
  readonly #predecessors = new Map<string, Set<string>>();
  readonly #pending = new Set<string>();
  readonly #maxBlobBytes: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxBlobBytes = options.maxBlobBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Returns a stream of the content; rejects with `NotFoundError` when absent. */
  async fetch(target: Descriptor, options: OperationOptions = {}): Promise<ReadableStream<Uint8Array>> {
    options.signal?.throwIfAborted();
    const entry = this.#entries.get(target.digest);
    if (entry === undefined) throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`);
    return toReadableStream(entry.bytes);
  }

  /** Verifies and stores the content; rejects with `AlreadyExistsError` for content the store has. */
  async push(expected: Descriptor, content: ContentSource, options: OperationOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    assertDescriptor(expected);
    if (this.#entries.has(expected.digest) || this.#pending.has(expected.digest)) {
      if (!(content instanceof Uint8Array)) {
        await toReadableStream(content)
          .cancel()
          .catch(() => undefined);
      }
      throw new AlreadyExistsError(`${expected.digest}: ${expected.mediaType}: already exists`);
    }
    this.#pending.add(expected.digest);
    try {
      const bytes =
        content instanceof Uint8Array
          ? checkedCopy(content, expected, this.#maxBlobBytes)
          : await readAll(toReadableStream(content), expected, {
              maxBytes: this.#maxBlobBytes,
              signal: options.signal,
            });
      let successors: Descriptor[] = [];
      let referrer: Descriptor | undefined;
      if (hasSuccessors(expected)) {
        successors = successorsOf(expected, bytes);
        referrer = describeReferrer(expected, bytes);
      }
      const entry: Entry = {
        desc: plainDescriptor(expected),
        bytes,
        successors: successors.map((s) => s.digest),
        ...(referrer === undefined ? {} : { referrer }),
      };
      this.#entries.set(expected.digest, entry);
      for (const digest of entry.successors) {
        let set = this.#predecessors.get(digest);
        if (set === undefined) {
          set = new Set();
          this.#predecessors.set(digest, set);
        }
        set.add(expected.digest);
      }
    } finally {
      this.#pending.delete(expected.digest);
    }
  }

  /** Whether the store holds the content. */
  async exists(target: Descriptor, options: OperationOptions = {}): Promise<boolean> {
    options.signal?.throwIfAborted();
    return this.#entries.has(target.digest);
  }

  /** Points `reference` at `target`, which must be in the store. */
  async tag(target: Descriptor, reference: string, options: OperationOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    if (reference === '') throw new InvalidArgumentError('tag: empty reference');
    const entry = this.#entries.get(target.digest);
    if (entry === undefined) throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`);
    if (isDigestReference(reference)) {
      if (reference !== target.digest) {
        throw new InvalidArgumentError(
          `${reference}: a digest reference must be the digest of ${target.digest}`,
        );
      }
      return;
    }
    this.#tags.set(reference, plainDescriptor(target));
  }

  /** Resolves a tag, or the digest of stored content, to its descriptor. */
  async resolve(reference: string, options: OperationOptions = {}): Promise<Descriptor> {
    options.signal?.throwIfAborted();
    const tagged = this.#tags.get(reference);
    if (tagged !== undefined) return plainDescriptor(tagged);
    if (isDigestReference(reference)) {
      const entry = this.#entries.get(reference);
      if (entry !== undefined) return plainDescriptor(entry.desc);
    }
    throw new NotFoundError(`${reference}: not found`);
  }

  /** Removes the tag `reference`. */
  async untag(reference: string, options: OperationOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    if (!this.#tags.delete(reference)) throw new NotFoundError(`${reference}: not found`);
  }

  /** Deletes the content, its tags and the predecessor edges it made. */
  async delete(target: Descriptor, options: OperationOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const entry = this.#entries.get(target.digest);
    if (entry === undefined) throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`);
    this.#entries.delete(target.digest);
    for (const digest of entry.successors) this.#predecessors.get(digest)?.delete(target.digest);
    for (const [tag, desc] of this.#tags) if (desc.digest === target.digest) this.#tags.delete(tag);
  }

  /** The manifests and indexes in the store that point at `node`, described as the referrers API does. */
  async predecessors(node: Descriptor, options: OperationOptions = {}): Promise<Descriptor[]> {
    options.signal?.throwIfAborted();
    const result: Descriptor[] = [];
    for (const digest of this.#predecessors.get(node.digest) ?? []) {
      const entry = this.#entries.get(digest);
      if (entry?.referrer !== undefined) result.push(plainDescriptor(entry.referrer));
    }
    return result;
  }

  /** Yields the tags in lexical order, in pages, after `last` when given. */
  tags(options: OperationOptions & { readonly last?: string } = {}): AsyncIterable<string[]> {
    options.signal?.throwIfAborted();
    return tagPages(this.#tags.keys(), options.last);
  }
}
