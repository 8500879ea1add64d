/**
 * `RemoteRepository`: one repository on an OCI distribution registry, as a content target. This
 * class is the surface users see; it composes the concerns of this folder and holds no protocol
 * logic of its own:
 *
 * - `context.ts`: addressing, sending requests, what was learnt about the registry;
 * - `manifests.ts`, `blobs.ts`: content by digest or tag;
 * - `uploads/`: the upload modes (monolithic, chunked, streamed) and resuming them;
 * - `referrers/`: the referrers API, the tag-schema fallback, and keeping it in step;
 * - `tags.ts`, `paging.ts`: listing tags, and following pages of any list.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 */
import { type ContentSource, type FetchAllOptions, markVerified, type OperationOptions } from '@oras/content';
import { type Descriptor, InvalidArgumentError, type Reference } from '@oras/spec';
import type {
  BlobStore,
  FetchedReference,
  ManifestStore,
  ReferrersOptions,
  Repository,
} from '../interfaces.js';
import type { ReopenableSource } from '../upload-source.js';
import {
  checkFetchSize,
  fetchBlob,
  fetchBlobBytes,
  mountBlob,
  pushBlob,
  pushFile,
  resolveBlob,
} from './blobs.js';
import { RepositoryContext } from './context.js';
import {
  fetchManifest,
  fetchManifestBytes,
  fetchManifestReference,
  resolveManifest,
  tagManifest,
} from './manifests.js';
import type { PushFileOptions, PushStreamOptions, RemoteRepositoryOptions } from './options.js';
import { deleteManifestIndexed, pushManifestIndexed } from './referrers/indexing.js';
import { listReferrers } from './referrers/referrers.js';
import { listTags } from './tags.js';
import { pushStream } from './uploads/upload.js';

/**
 * A repository on a registry. It implements the content `GraphTarget` (fetch, push, exists,
 * resolve, tag, delete, predecessors) and the registry roles (references, referrers, tags, mounts).
 *
 * Manifests are never re-serialized: their bytes go to and from the registry as they are, and are
 * verified against their digest both ways. Blobs stream: a fetch returns the response body through
 * a verifying stream, a push streams the content to the registry.
 */
export class RemoteRepository implements Repository {
  /** The registry as addressed in URLs (`registry-1.docker.io` for `docker.io`). */
  readonly host: string;
  /** The repository name. */
  readonly name: string;
  /** The reference the repository was made from (its tag or digest, if any). */
  readonly reference: Reference;
  readonly #ctx: RepositoryContext;

  constructor(options: RemoteRepositoryOptions) {
    this.#ctx = new RepositoryContext(options);
    this.reference = this.#ctx.reference;
    this.host = this.#ctx.host;
    this.name = this.#ctx.name;
  }

  /** The options this repository was made with (to make siblings on the same registry). */
  get options(): RemoteRepositoryOptions {
    return this.#ctx.options;
  }

  /** Whether the registry has the referrers API: `undefined` until found out. */
  get referrersCapability(): boolean | undefined {
    return this.#ctx.referrersCapability;
  }

  /**
   * Sets whether the registry has the referrers API, skipping detection. Throws
   * {@link InvalidArgumentError} when it was already set (or found) to the opposite.
   */
  setReferrersCapability(capable: boolean): void {
    const known = this.#ctx.referrersCapability;
    if (known !== undefined && known !== capable) {
      throw new InvalidArgumentError(
        `${this.host}/${this.name}: referrers capability already set to ${known}`,
      );
    }
    this.#ctx.referrersCapability = capable;
  }

  // ---------------------------------------------------------------- resolve and fetch

  /**
   * Resolves a tag or digest to a descriptor with `HEAD` on the manifest, reading the digest from
   * `Docker-Content-Digest`; when a registry leaves that (or the size) out, it falls back to `GET`
   * and hashes the body. Rejects with `NotFoundError` when the manifest is unknown.
   */
  async resolve(reference: string, options: OperationOptions = {}): Promise<Descriptor> {
    return resolveManifest(this.#ctx, reference, options);
  }

  /**
   * Fetches a manifest by tag or digest with one `GET`: the descriptor comes from the bytes (which
   * are hashed) and the response's `Content-Type`.
   */
  async fetchReference(reference: string, options: OperationOptions = {}): Promise<FetchedReference> {
    return fetchManifestReference(this.#ctx, reference, options);
  }

  /**
   * Fetches content: a manifest (by its media type) is read whole, size-capped and verified; a
   * blob streams from the registry (or the storage it redirects to) through a verifying stream,
   * resuming with `Range` when the connection breaks.
   */
  async fetch(target: Descriptor, options: OperationOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return this.#ctx.isManifest(target)
      ? fetchManifest(this.#ctx, target, options)
      : fetchBlob(this.#ctx, target, options);
  }

  /**
   * Fetches content into memory, verified (size and digest) before it is returned: the lean path
   * for small blobs, which reads the response body straight into one buffer of `target.size`
   * bytes (never more) without a web stream. A manifest is read as by {@link fetch}. Rejects with
   * `SizeExceedsLimitError` before any request when `target.size` is over `maxBytes` (4 MiB
   * unless given), with `MismatchedDigestError`, `MismatchedSizeError` or `TrailingDataError` when
   * the registry sends other content, and with `NotFoundError` when it has none. `fetchAll` of
   * `@oras/content` (and so copy, for content up to `COPY_BUFFERED_BYTES`) uses it.
   */
  fetchBytes(target: Descriptor, options: FetchAllOptions = {}): Promise<Uint8Array> {
    // (not an async function: a blob's is the promise of fetchBlobBytes itself, one frame less
    // for every small blob a copy reads; a bad argument still rejects, never throws)
    try {
      if (this.#ctx.isManifest(target)) return this.#fetchManifestBytes(target, options);
    } catch (err) {
      return Promise.reject(err);
    }
    return fetchBlobBytes(this.#ctx, target, options);
  }

  async #fetchManifestBytes(target: Descriptor, options: FetchAllOptions): Promise<Uint8Array> {
    checkFetchSize(target, options.maxBytes);
    return markVerified(await fetchManifestBytes(this.#ctx, target, options), target);
  }

  /** Whether the blob or manifest exists (`HEAD` by digest). */
  async exists(target: Descriptor, options: OperationOptions = {}): Promise<boolean> {
    return this.#ctx.exists(this.#ctx.isManifest(target) ? 'manifests' : 'blobs', target, options);
  }

  // ---------------------------------------------------------------- push

  /**
   * Pushes content. A manifest is read whole (size-capped), verified and `PUT` by digest; when it
   * has a `subject` and the registry has no referrers API, the tag-schema index is updated. A blob
   * the registry already has is skipped; otherwise it is uploaded monolithically (`POST`, then
   * `PUT ?digest=` with the body streamed), or in chunks when it is larger than `maxChunkSize`.
   */
  async push(expected: Descriptor, content: ContentSource, options: OperationOptions = {}): Promise<void> {
    if (this.#ctx.isManifest(expected)) {
      await pushManifestIndexed(this.#ctx, expected, content, expected.digest, options);
      return;
    }
    await pushBlob(this.#ctx, expected, content, options);
  }

  /** Pushes a manifest and tags it `reference` in one `PUT`. */
  async pushReference(
    expected: Descriptor,
    content: ContentSource,
    reference: string,
    options: OperationOptions = {},
  ): Promise<void> {
    await pushManifestIndexed(this.#ctx, expected, content, this.#ctx.referenceOf(reference), options);
  }

  /**
   * Pushes a blob whose digest and size are not known in advance, reading the source once while
   * hashing it. Returns the descriptor of what was pushed.
   *
   * A {@link ReopenableSource} (a file: `(offset) => createReadStream(path, { start: offset })`)
   * goes in one streamed `PATCH`, hashed on the way, and is committed with an empty
   * `PUT ?digest=`: as fast as the registry takes bytes. When that `PATCH` breaks, the upload
   * status says how much the registry holds and the source is reopened there; when the registry
   * refuses so large a request (413, 416: GHCR caps a `PATCH` at 4 MiB), the upload starts over in
   * chunks of `DEFAULT_STREAM_CHUNK_SIZE`.
   *
   * A one-shot source (a stream, bytes), or any source when `maxChunkSize` or `streamChunkSize` is
   * set, is uploaded in chunks (`PATCH` with `Content-Range`, at least `OCI-Chunk-Min-Length` and
   * at most `maxChunkSize` bytes): slower, as each chunk waits for the last, but it can resume.
   */
  async pushStream(
    mediaType: string,
    source: ContentSource | ReopenableSource,
    options: PushStreamOptions = {},
  ): Promise<Descriptor> {
    return pushStream(this.#ctx, mediaType, source, options);
  }

  /**
   * Pushes a file and returns its descriptor; a blob the registry has is not sent again
   * (`options.onChecked` hears whether it was there). A file up to `DEFAULT_BUFFERED_UPLOAD_BYTES` is read into
   * memory and hashed first. A larger one is hashed ahead of its upload: the upload starts at once
   * (one streamed `PATCH`, as {@link RemoteRepository.pushStream} sends a reopenable source) while
   * the file is hashed beside it, faster than a registry takes bytes; once the digest is known, a
   * `HEAD` asks for the blob, and when the registry has it the upload is stopped and its session
   * cancelled (`DELETE`). So a fresh push keeps the speed of a single pass, and pushing again what
   * the registry has sends only what went out while the file was hashed.
   */
  async pushFile(mediaType: string, path: string, options: PushFileOptions = {}): Promise<Descriptor> {
    return pushFile(this.#ctx, mediaType, path, options);
  }

  /**
   * Mounts a blob from another repository of this registry (`POST ?mount=&from=`). When the
   * registry answers with an upload session instead (202: ECR mounts only blobs a manifest of the
   * source uses) or refuses (401, 403, 404), the blob is uploaded from `getContent`, or, without
   * it, fetched from `fromRepository` with this repository's client.
   */
  async mount(
    desc: Descriptor,
    fromRepository: string,
    getContent?: () => Promise<ContentSource>,
    options: OperationOptions = {},
  ): Promise<void> {
    const content =
      getContent ??
      (() =>
        new RemoteRepository({
          ...this.#ctx.options,
          client: this.#ctx.client,
          reference: `${this.reference.registry}/${fromRepository}`,
        }).fetch(desc, options));
    return mountBlob(this.#ctx, desc, fromRepository, content, options);
  }

  // ---------------------------------------------------------------- tag and delete

  /** Points `reference` at the manifest `target`: its bytes are fetched and put again under the tag. */
  async tag(target: Descriptor, reference: string, options: OperationOptions = {}): Promise<void> {
    return tagManifest(this.#ctx, target, reference, options);
  }

  /**
   * Deletes a blob or a manifest. Deleting a manifest with a `subject` on a registry without the
   * referrers API also removes it from the tag-schema index. Rejects with `NotFoundError` when the
   * content is absent.
   */
  async delete(target: Descriptor, options: OperationOptions = {}): Promise<void> {
    return this.#ctx.isManifest(target)
      ? deleteManifestIndexed(this.#ctx, target, options)
      : this.#ctx.delete('blobs', target, options);
  }

  // ---------------------------------------------------------------- referrers and tags

  /**
   * Yields the referrers of `subject` in pages: from the referrers API, filtered by artifact type
   * (by the registry, or here when it did not say it filtered), following `Link` pages; or, when
   * the registry has no referrers API, from the tag-schema index `<alg>-<hex>`.
   */
  async *referrers(subject: Descriptor, options: ReferrersOptions = {}): AsyncIterable<Descriptor[]> {
    yield* listReferrers(this.#ctx, subject, options);
  }

  /** The manifests that refer to `node` (its referrers), so copy and extendedCopy can walk up. */
  async predecessors(node: Descriptor, options: OperationOptions = {}): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    for await (const page of this.referrers(node, options)) out.push(...page);
    return out;
  }

  /**
   * Yields the tags in pages (`GET tags/list?n=&last=`), following `Link` headers on the same
   * origin, at most `tagListMaxPages` pages.
   */
  async *tags(options: OperationOptions & { readonly last?: string } = {}): AsyncIterable<string[]> {
    yield* listTags(this.#ctx, options);
  }

  // ---------------------------------------------------------------- stores

  /** The blob store: every descriptor is treated as a blob. */
  blobs(): BlobStore {
    const ctx = this.#ctx;
    const asBlob = (desc: Descriptor): Descriptor => ({
      ...desc,
      mediaType: ctx.isManifest(desc) ? 'application/octet-stream' : desc.mediaType,
    });
    return {
      fetch: (desc, options) => fetchBlob(ctx, desc, options ?? {}),
      push: (desc, content, options) => pushBlob(ctx, desc, content, options ?? {}),
      exists: (desc, options) => ctx.exists('blobs', asBlob(desc), options ?? {}),
      delete: (desc, options) => ctx.delete('blobs', asBlob(desc), options ?? {}),
      resolve: (reference, options) => resolveBlob(ctx, reference, options ?? {}),
      fetchReference: async (reference, options) => {
        const descriptor = await resolveBlob(ctx, reference, options ?? {});
        return { descriptor, stream: await fetchBlob(ctx, descriptor, options ?? {}) };
      },
    };
  }

  /** The manifest store: every descriptor is treated as a manifest. */
  manifests(): ManifestStore {
    const ctx = this.#ctx;
    return {
      fetch: (desc, options) => fetchManifest(ctx, desc, options ?? {}),
      push: (desc, content, options) => pushManifestIndexed(ctx, desc, content, desc.digest, options ?? {}),
      exists: (desc, options) => ctx.exists('manifests', desc, options ?? {}),
      // a manifest of a type this client does not know is still deleted as a manifest
      delete: (desc, options) => deleteManifestIndexed(ctx, desc, options ?? {}),
      resolve: (reference, options) => this.resolve(reference, options),
      fetchReference: (reference, options) => this.fetchReference(reference, options),
      pushReference: (expected, content, reference, options) =>
        this.pushReference(expected, content, reference, options),
      tag: (desc, reference, options) => this.tag(desc, reference, options),
    };
  }
}
