/**
 * `RemoteRepository`: one repository on an OCI distribution registry, as a content target.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 */
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ContentSource, OperationOptions } from '@oras/content';
import { markVerified, toReadableStream, verifyStream } from '@oras/content';
import {
  AbortedError,
  createDigester,
  createDigesterFor,
  type Descriptor,
  DEFAULT_MANIFEST_ACCEPT,
  digestOf,
  ErrorCode,
  type Index,
  InvalidArgumentError,
  InvalidManifestError,
  InvalidMediaTypeError,
  isDigest,
  isIndexMediaType,
  isManifestMediaType,
  MediaType,
  MismatchedDigestError,
  MismatchedSizeError,
  NotFoundError,
  OrasError,
  parseDigest,
  parseReference,
  type Reference,
  serializeIndex,
  SizeExceedsLimitError,
  TooManyPagesError,
  TrailingDataError,
  UnsupportedError,
} from '@oras/spec';
import { AuthClient } from '@oras/auth';
import type { Dispatcher } from 'undici';
import { resumableBlobStream } from './blob-download.js';
import { createTransport } from './transport.js';
import { ResponseError, transportError } from './errors.js';
import {
  abandon,
  discard,
  header,
  type RegistryClient,
  type RegistryRequest,
  type RegistryResponse,
  readCapped,
  toResponseError,
  USER_AGENT,
} from './http.js';
import type {
  BlobStore,
  FetchedReference,
  ManifestStore,
  ReferrersOptions,
  Repository,
} from './interfaces.js';
import { counted, fileChunks, hashedFrom, type ReopenableSource, sizedChunks } from './upload-source.js';
import { parseNextLink, resolveUploadLocation } from './urls.js';

/** Default cap on manifests, indexes, tag lists and referrer lists read into memory. */
export const DEFAULT_MAX_METADATA_BYTES = 4 * 1024 * 1024;
/** Default for {@link RemoteRepositoryOptions.tagListMaxPages}. */
export const DEFAULT_TAG_LIST_MAX_PAGES = 1000;
/** Default for {@link RemoteRepositoryOptions.referrerListMaxPages}. */
export const DEFAULT_REFERRER_LIST_MAX_PAGES = 1000;
/**
 * Default chunk size of uploads whose digest is not known in advance ({@link RemoteRepository.pushStream}):
 * 4 MiB, the largest PATCH that GHCR accepts, and small enough that two chunks in memory keep a
 * 1 GiB push under 120 MiB of RSS.
 */
export const DEFAULT_STREAM_CHUNK_SIZE = 4 * 1024 * 1024;
/** Blobs up to this size pushed from a stream are read into memory first, so the upload can be re-sent. */
export const DEFAULT_BUFFERED_UPLOAD_BYTES = 4 * 1024 * 1024;
/** How many times one chunk upload is resynchronised with the registry before giving up. */
export const DEFAULT_MAX_UPLOAD_RESUMES = 3;
/** The size of the reads from a file that {@link RemoteRepository.pushFile} sends. */
const FILE_READ_CHUNK = 1024 * 1024;
/** Node stream options of upload bodies: byte chunks, one chunk read ahead. */
const READ_OPTIONS = { objectMode: false, highWaterMark: FILE_READ_CHUNK } as const;

/** How many blob digests the registry said it lacks are remembered (see `exists`). */
const MAX_REMEMBERED_ABSENT = 10_000;

/** The zero sha256 digest, used to probe for the referrers API. */
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

/** Options of {@link RemoteRepository.pushStream} and {@link RemoteRepository.pushFile}. */
export interface PushStreamOptions extends OperationOptions {
  /**
   * Called as bytes go out with how many of the blob the registry has been sent so far (it can
   * go back when an upload resumes or starts over): for progress bars.
   */
  readonly onProgress?: (bytesSent: number) => void;
}

/** A warning a registry sent in a `Warning` header (distribution-spec "Warnings"). */
export interface RegistryWarning {
  /** The registry host. */
  readonly host: string;
  /** The warning text. */
  readonly text: string;
}

/** Options of {@link RemoteRepository}. Every field but `reference` has a default. */
export interface RemoteRepositoryOptions {
  /** The repository, as `registry/repository` (a tag or digest in it is ignored) or a parsed reference. */
  readonly reference: string | Reference;
  /**
   * The HTTP client, normally an `AuthClient` of `@oras/auth` with credentials and a dispatcher
   * from `createTransport`. By default, an anonymous `AuthClient` (it still fetches anonymous
   * bearer tokens) on a transport shared by every default client of the process.
   */
  readonly client?: RegistryClient;
  /** Use `http://` instead of `https://`. Defaults to true for `localhost` and `127.0.0.1` only. */
  readonly plainHttp?: boolean;
  /** The `Accept` list for resolving manifests (default {@link DEFAULT_MANIFEST_ACCEPT}). */
  readonly manifestMediaTypes?: readonly string[];
  /** The `n` of tag list requests (the registry's default when absent). */
  readonly tagListPageSize?: number;
  /** The `n` of referrers requests (the registry's default when absent). */
  readonly referrerListPageSize?: number;
  /** Cap on manifests, indexes and lists read into memory (default {@link DEFAULT_MAX_METADATA_BYTES}). */
  readonly maxMetadataBytes?: number;
  /** Most tag list pages followed (default {@link DEFAULT_TAG_LIST_MAX_PAGES}). */
  readonly tagListMaxPages?: number;
  /** Most referrers pages followed (default {@link DEFAULT_REFERRER_LIST_MAX_PAGES}). */
  readonly referrerListMaxPages?: number;
  /** Keep the old tag-schema referrers index when it is replaced (default false: it is deleted). */
  readonly skipReferrersGc?: boolean;
  /**
   * The largest request body sent while uploading a blob. A blob of a known size above it is
   * uploaded in chunks (PATCH with `Content-Range`); for registries and proxies that cap request
   * sizes (GHCR: 4 MiB per PATCH, Cloudflare: 100 MB per request).
   */
  readonly maxChunkSize?: number;
  /** The chunk size of uploads of unknown digest (default {@link DEFAULT_STREAM_CHUNK_SIZE}). */
  readonly streamChunkSize?: number;
  /** Called once per registry and warning text with the `Warning` headers the registry sends. */
  readonly handleWarning?: (warning: RegistryWarning) => void;
  /** Forces the referrers API (`true`) or the tag schema (`false`) instead of detecting it. */
  readonly referrersCapability?: boolean;
}

let sharedTransport: Dispatcher | undefined;

/** An anonymous `AuthClient` on the process-wide default transport. */
export function defaultClient(): RegistryClient {
  sharedTransport ??= createTransport();
  return new AuthClient({ dispatcher: sharedTransport, userAgent: USER_AGENT });
}

/** Warnings already reported, per handler: `host\ntext`. */
const reportedWarnings = new WeakMap<object, Set<string>>();

function parseWarnings(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    const re = /299\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
    for (let m = re.exec(item); m; m = re.exec(item)) out.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
  }
  return out;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '127.0.0.1' || name === '::1';
}

function mediaTypeOf(res: RegistryResponse): string {
  return (header(res.headers, 'content-type') ?? '').split(';')[0]!.trim();
}

function toBytes(source: ContentSource): Uint8Array | undefined {
  return source instanceof Uint8Array ? source : undefined;
}

async function readSource(source: ContentSource, maxBytes: number, what: string): Promise<Uint8Array> {
  const direct = toBytes(source);
  if (direct) {
    if (direct.byteLength > maxBytes)
      throw new SizeExceedsLimitError(`${what}: size exceeds the limit of ${maxBytes} bytes`);
    return direct;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = toReadableStream(source).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new SizeExceedsLimitError(`${what}: size exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function verifyBytes(bytes: Uint8Array, expected: Descriptor): void {
  if (bytes.byteLength > expected.size) {
    throw new TrailingDataError(
      `${expected.digest}: content goes on past its size of ${expected.size} bytes`,
    );
  }
  if (bytes.byteLength !== expected.size) {
    throw new MismatchedSizeError(
      `${expected.digest}: content is ${bytes.byteLength} bytes, expected ${expected.size}`,
    );
  }
  const digester = createDigesterFor(expected.digest);
  digester.update(bytes);
  const actual = digester.digest();
  if (actual !== expected.digest)
    throw new MismatchedDigestError(`${expected.digest}: content has digest ${actual}`);
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('operation aborted', { cause: signal.reason });
}

/**
 * Reads `source` in pieces of exactly `size` bytes (the last may be shorter). Two buffers take
 * turns, so memory stays at two chunks: a piece must be done with (sent) before the piece after
 * the next one is read.
 */
async function* chunked(source: ContentSource, size: number): AsyncGenerator<Uint8Array> {
  const reader = toReadableStream(source).getReader();
  const buffers: Buffer[] = [];
  let turn = 0;
  const nextBuffer = (): Buffer => {
    turn ^= 1;
    buffers[turn] ??= Buffer.allocUnsafe(size);
    return buffers[turn]!;
  };
  let buffer = nextBuffer();
  let filled = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.byteLength) {
        const n = Math.min(size - filled, value.byteLength - offset);
        buffer.set(value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === size) {
          yield buffer;
          buffer = nextBuffer();
          filled = 0;
        }
      }
    }
    if (filled > 0) yield buffer.subarray(0, filled);
  } finally {
    reader.releaseLock();
  }
}

/** One open upload session: its current location and how many bytes the registry holds. */
interface UploadSession {
  location: URL;
  offset: number;
  minChunk: number;
}

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
  readonly #client: RegistryClient;
  readonly #options: RemoteRepositoryOptions;
  readonly #scheme: string;
  readonly #maxMetadataBytes: number;
  readonly #absent = new Set<string>();
  #referrersCapability: boolean | undefined;

  constructor(options: RemoteRepositoryOptions) {
    this.reference =
      typeof options.reference === 'string' ? parseReference(options.reference) : options.reference;
    this.host = this.reference.host;
    this.name = this.reference.repository;
    this.#options = options;
    this.#client = options.client ?? defaultClient();
    this.#scheme = (options.plainHttp ?? isLoopback(this.host)) ? 'http' : 'https';
    this.#maxMetadataBytes = options.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES;
    this.#referrersCapability = options.referrersCapability;
  }

  /** The options this repository was made with (to make siblings on the same registry). */
  get options(): RemoteRepositoryOptions {
    return this.#options;
  }

  /** Whether the registry has the referrers API: `undefined` until found out. */
  get referrersCapability(): boolean | undefined {
    return this.#referrersCapability;
  }

  /**
   * Sets whether the registry has the referrers API, skipping detection. Throws
   * {@link InvalidArgumentError} when it was already set (or found) to the opposite.
   */
  setReferrersCapability(capable: boolean): void {
    if (this.#referrersCapability !== undefined && this.#referrersCapability !== capable) {
      throw new InvalidArgumentError(
        `${this.host}/${this.name}: referrers capability already set to ${this.#referrersCapability}`,
      );
    }
    this.#referrersCapability = capable;
  }

  // ---------------------------------------------------------------- plumbing

  #url(path: string): URL {
    return new URL(`${this.#scheme}://${this.host}/v2/${this.name}/${path}`);
  }

  #scopes(...actions: string[]): string[] {
    return [`repository:${this.name}:${actions.join(',')}`];
  }

  async #send(req: RegistryRequest): Promise<RegistryResponse> {
    checkAborted(req.signal);
    let res: RegistryResponse;
    try {
      res = await this.#client.request(req);
    } catch (err) {
      if (req.signal?.aborted)
        throw new AbortedError(`${req.method} ${this.host}/${this.name}: aborted`, { cause: err });
      const url = new URL(String(req.url));
      throw transportError(`${req.method} ${url.origin}${url.pathname}`, err);
    }
    this.#reportWarnings(res);
    return res;
  }

  #reportWarnings(res: RegistryResponse): void {
    const handler = this.#options.handleWarning;
    if (!handler) return;
    const texts = parseWarnings(res.headers.warning);
    if (texts.length === 0) return;
    let seen = reportedWarnings.get(handler);
    if (!seen) {
      seen = new Set();
      reportedWarnings.set(handler, seen);
    }
    for (const text of texts) {
      const key = `${this.host}\n${text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      handler({ host: this.host, text });
    }
  }

  #isManifest(desc: Descriptor): boolean {
    return (
      isManifestMediaType(desc.mediaType) || (this.#options.manifestMediaTypes ?? []).includes(desc.mediaType)
    );
  }

  /** Splits `reference` into a tag or digest of this repository (a full reference must name it). */
  #referenceOf(reference: string): string {
    let ref = reference;
    if (reference.includes('/')) {
      const parsed = parseReference(reference);
      if (parsed.host !== this.host || parsed.repository !== this.name) {
        throw new InvalidArgumentError(`${reference}: not a reference of ${this.host}/${this.name}`);
      }
      if (parsed.reference === undefined) throw new InvalidArgumentError(`${reference}: no tag or digest`);
      ref = parsed.reference;
    }
    if (ref.includes(':')) parseDigest(ref);
    else this.reference.withReference(ref);
    return ref;
  }

  #accept(): string {
    return (this.#options.manifestMediaTypes ?? DEFAULT_MANIFEST_ACCEPT).join(', ');
  }

  // ---------------------------------------------------------------- resolve and fetch

  /**
   * Resolves a tag or digest to a descriptor with `HEAD` on the manifest, reading the digest from
   * `Docker-Content-Digest`; when a registry leaves that (or the size) out, it falls back to `GET`
   * and hashes the body. Rejects with `NotFoundError` when the manifest is unknown.
   */
  async resolve(reference: string, options: OperationOptions = {}): Promise<Descriptor> {
    const ref = this.#referenceOf(reference);
    const url = this.#url(`manifests/${ref}`);
    const res = await this.#send({
      method: 'HEAD',
      url,
      headers: { accept: this.#accept() },
      scopes: this.#scopes('pull'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await discard(res);
    if (res.statusCode === 404) throw new NotFoundError(`${this.host}/${this.name}:${ref}: not found`);
    if (res.statusCode !== 200) throw await toResponseError('HEAD', res);
    const mediaType = mediaTypeOf(res);
    const digest = header(res.headers, 'docker-content-digest');
    const length = header(res.headers, 'content-length');
    if (!mediaType || !digest || !isDigest(digest) || length === undefined) {
      const fetched = await this.fetchReference(ref, options);
      await fetched.stream.cancel();
      return fetched.descriptor;
    }
    if (ref.includes(':') && digest !== ref) {
      throw new MismatchedDigestError(`${this.host}/${this.name}@${ref}: registry answered digest ${digest}`);
    }
    return { mediaType, digest, size: Number(length) };
  }

  /**
   * Fetches a manifest by tag or digest with one `GET`: the descriptor comes from the bytes (which
   * are hashed) and the response's `Content-Type`.
   */
  async fetchReference(reference: string, options: OperationOptions = {}): Promise<FetchedReference> {
    const ref = this.#referenceOf(reference);
    const { bytes, mediaType } = await this.#getManifest(ref, this.#accept(), options);
    const digester = ref.includes(':') ? createDigesterFor(ref) : createDigester();
    digester.update(bytes);
    const digest = digester.digest();
    if (ref.includes(':') && digest !== ref) {
      throw new MismatchedDigestError(`${this.host}/${this.name}@${ref}: content has digest ${digest}`);
    }
    const descriptor: Descriptor = { mediaType, digest, size: bytes.byteLength };
    return { descriptor, stream: toReadableStream(bytes) };
  }

  async #getManifest(
    ref: string,
    accept: string,
    options: OperationOptions,
    expectedSize?: number,
  ): Promise<{ bytes: Uint8Array; mediaType: string; headerDigest?: string }> {
    const url = this.#url(`manifests/${ref}`);
    const res = await this.#send({
      method: 'GET',
      url,
      headers: { accept },
      scopes: this.#scopes('pull'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (res.statusCode === 404) {
      await discard(res);
      throw new NotFoundError(`${this.host}/${this.name}${ref.includes(':') ? '@' : ':'}${ref}: not found`);
    }
    if (res.statusCode !== 200) throw await toResponseError('GET', res);
    const mediaType = mediaTypeOf(res);
    const length = header(res.headers, 'content-length');
    const limit = Math.min(this.#maxMetadataBytes, expectedSize ?? this.#maxMetadataBytes);
    if (length !== undefined && Number(length) > limit) {
      abandon(res.body);
      if (expectedSize !== undefined && Number(length) !== expectedSize) {
        throw new MismatchedSizeError(`${ref}: registry sent ${length} bytes, expected ${expectedSize}`);
      }
      throw new SizeExceedsLimitError(
        `${this.host}/${this.name}:${ref}: manifest size ${length} exceeds the limit of ${limit} bytes`,
      );
    }
    const bytes = await readCapped(
      res.body,
      expectedSize === undefined ? limit : expectedSize + 1,
      `${ref}: manifest`,
    ).catch((err: unknown) => {
      if (expectedSize !== undefined && SizeExceedsLimitError.is(err)) {
        throw new MismatchedSizeError(`${ref}: content goes on past its size of ${expectedSize} bytes`);
      }
      throw err;
    });
    const headerDigest = header(res.headers, 'docker-content-digest');
    return { bytes, mediaType, ...(headerDigest ? { headerDigest } : {}) };
  }

  /**
   * Fetches content: a manifest (by its media type) is read whole, size-capped and verified; a
   * blob streams from the registry (or the storage it redirects to) through a verifying stream,
   * resuming with `Range` when the connection breaks.
   */
  async fetch(target: Descriptor, options: OperationOptions = {}): Promise<ReadableStream<Uint8Array>> {
    if (this.#isManifest(target)) {
      // checked against the descriptor as they were read
      return markVerified(toReadableStream(await this.#fetchManifestBytes(target, options)), target);
    }
    return this.#fetchBlob(target, options);
  }

  async #fetchManifestBytes(target: Descriptor, options: OperationOptions): Promise<Uint8Array> {
    parseDigest(target.digest);
    if (target.size > this.#maxMetadataBytes) {
      throw new SizeExceedsLimitError(
        `${target.digest}: manifest size ${target.size} exceeds the limit of ${this.#maxMetadataBytes} bytes`,
      );
    }
    const { bytes, mediaType } = await this.#getManifest(
      target.digest,
      target.mediaType,
      options,
      target.size,
    );
    if (mediaType && mediaType !== target.mediaType) {
      throw new InvalidMediaTypeError(
        `${this.host}/${this.name}@${target.digest}: registry sent media type ${mediaType}, expected ${target.mediaType}`,
      );
    }
    verifyBytes(bytes, target);
    return bytes;
  }

  async #fetchBlob(target: Descriptor, options: OperationOptions): Promise<ReadableStream<Uint8Array>> {
    parseDigest(target.digest);
    const url = this.#url(`blobs/${target.digest}`);
    const open = (range?: number): Promise<RegistryResponse> =>
      this.#send({
        method: 'GET',
        url,
        headers: range === undefined ? {} : { range: `bytes=${range}-` },
        scopes: this.#scopes('pull'),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    const res = await open();
    if (res.statusCode === 404) {
      await discard(res);
      throw new NotFoundError(`${this.host}/${this.name}@${target.digest}: ${target.mediaType}: not found`);
    }
    if (res.statusCode !== 200) throw await toResponseError('GET', res);
    const length = header(res.headers, 'content-length');
    if (length !== undefined && Number(length) !== target.size) {
      abandon(res.body);
      throw new MismatchedSizeError(
        `${target.digest}: registry sent ${length} bytes, expected ${target.size}`,
      );
    }
    // the download checks size and digest itself, so a store it is written to need not hash it again
    return markVerified(
      resumableBlobStream(res, target, (offset) => open(offset)),
      target,
    );
  }

  /** Whether the blob or manifest exists (`HEAD` by digest). */
  async exists(target: Descriptor, options: OperationOptions = {}): Promise<boolean> {
    const kind = this.#isManifest(target) ? 'manifests' : 'blobs';
    const res = await this.#send({
      method: 'HEAD',
      url: this.#url(`${kind}/${target.digest}`),
      ...(kind === 'manifests' ? { headers: { accept: target.mediaType } } : {}),
      scopes: this.#scopes('pull'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await discard(res);
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) {
      if (kind === 'blobs') this.#noteAbsent(target.digest);
      return false;
    }
    throw await toResponseError('HEAD', res);
  }

  /**
   * Remembers that the registry just said it lacks a blob, so a push right after (what `copy`
   * does: `exists`, then `push`) skips its own `HEAD`: a quarter of the requests of a push of
   * many small blobs. Each answer is used once; were the blob pushed meanwhile by someone else,
   * it is only uploaded again.
   */
  #noteAbsent(digest: string): void {
    if (this.#absent.size >= MAX_REMEMBERED_ABSENT) this.#absent.clear();
    this.#absent.add(digest);
  }

  // ---------------------------------------------------------------- push

  /**
   * Pushes content. A manifest is read whole (size-capped), verified and `PUT` by digest; when it
   * has a `subject` and the registry has no referrers API, the tag-schema index is updated. A blob
   * the registry already has is skipped; otherwise it is uploaded monolithically (`POST`, then
   * `PUT ?digest=` with the body streamed), or in chunks when it is larger than `maxChunkSize`.
   */
  async push(expected: Descriptor, content: ContentSource, options: OperationOptions = {}): Promise<void> {
    if (this.#isManifest(expected)) {
      await this.#pushManifest(expected, content, expected.digest, options);
      return;
    }
    await this.#pushBlob(expected, content, options);
  }

  /** Pushes a manifest and tags it `reference` in one `PUT`. */
  async pushReference(
    expected: Descriptor,
    content: ContentSource,
    reference: string,
    options: OperationOptions = {},
  ): Promise<void> {
    await this.#pushManifest(expected, content, this.#referenceOf(reference), options);
  }

  async #pushManifest(
    expected: Descriptor,
    content: ContentSource,
    ref: string,
    options: OperationOptions,
    indexing = true,
  ): Promise<void> {
    if (expected.size > this.#maxMetadataBytes) {
      throw new SizeExceedsLimitError(
        `${expected.digest}: manifest size ${expected.size} exceeds the limit of ${this.#maxMetadataBytes} bytes`,
      );
    }
    const bytes = await readSource(content, this.#maxMetadataBytes, `${expected.digest}: manifest`);
    verifyBytes(bytes, expected);
    const res = await this.#putManifest(ref, expected.mediaType, bytes, options);
    if (!indexing || this.#referrersCapability === true) return;
    const subject = subjectOf(bytes, expected.mediaType);
    if (!subject) return;
    if (this.#referrersCapability === undefined && header(res.headers, 'oci-subject') === subject.digest) {
      this.#referrersCapability = true;
      return;
    }
    if (this.#referrersCapability === undefined && (await this.#probeReferrers(options))) return;
    await this.#updateReferrersIndex(subject, { add: this.#referrerOf(expected, bytes) }, options);
  }

  async #putManifest(
    ref: string,
    mediaType: string,
    bytes: Uint8Array,
    options: OperationOptions,
  ): Promise<RegistryResponse> {
    const res = await this.#send({
      method: 'PUT',
      url: this.#url(`manifests/${ref}`),
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: this.#scopes('pull', 'push'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw await toResponseError('PUT', res);
    await discard(res);
    return res;
  }

  /** The descriptor of a referrer as it appears in a referrers list. */
  #referrerOf(desc: Descriptor, bytes: Uint8Array): Descriptor {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
      artifactType?: string;
      config?: { mediaType?: string };
      annotations?: Record<string, string>;
    };
    const artifactType = doc.artifactType ?? doc.config?.mediaType;
    return {
      mediaType: desc.mediaType,
      digest: desc.digest,
      size: desc.size,
      ...(artifactType ? { artifactType } : {}),
      ...(doc.annotations ? { annotations: doc.annotations } : {}),
    };
  }

  async #pushBlob(expected: Descriptor, content: ContentSource, options: OperationOptions): Promise<void> {
    parseDigest(expected.digest);
    const knownAbsent = this.#absent.delete(expected.digest);
    if (!knownAbsent && (await this.exists(expected, options))) {
      if (!(content instanceof Uint8Array)) await toReadableStream(content).cancel();
      return;
    }
    this.#absent.delete(expected.digest);
    const session = await this.#startUpload(undefined, options);
    await this.#upload(session, expected, content, options);
  }

  /** `POST /blobs/uploads/`: opens an upload session, or mounts when `mount` is given (201). */
  async #startUpload(
    mount: { digest: string; from: string } | undefined,
    options: OperationOptions,
  ): Promise<UploadSession | 'mounted'> {
    const url = this.#url('blobs/uploads/');
    if (mount) {
      url.searchParams.set('mount', mount.digest);
      url.searchParams.set('from', mount.from);
    }
    const res = await this.#send({
      method: 'POST',
      url,
      scopes: mount
        ? [...this.#scopes('pull', 'push'), `repository:${mount.from}:pull`]
        : this.#scopes('pull', 'push'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (mount && res.statusCode === 201) {
      await discard(res);
      return 'mounted';
    }
    if (res.statusCode !== 202) throw await toResponseError('POST', res);
    await discard(res);
    const minChunk = Number(header(res.headers, 'oci-chunk-min-length') ?? '0');
    return {
      location: resolveUploadLocation(header(res.headers, 'location'), res.url),
      offset: 0,
      minChunk: Number.isSafeInteger(minChunk) && minChunk > 0 ? minChunk : 0,
    };
  }

  async #upload(
    session: UploadSession | 'mounted',
    expected: Descriptor,
    content: ContentSource,
    options: OperationOptions,
  ): Promise<void> {
    if (session === 'mounted') return;
    const max = this.#options.maxChunkSize;
    try {
      if (max !== undefined && expected.size > max) {
        const size = Math.max(max, session.minChunk);
        const { digest, last } = await this.#uploadChunks(
          session,
          verifyStream(toReadableStream(content), expected),
          size,
          options,
        );
        await this.#commitUpload(session, digest, last, options);
        return;
      }
      await this.#uploadMonolithic(session, expected, content, options);
    } catch (err) {
      await this.#cancelUpload(session);
      throw err;
    }
  }

  async #uploadMonolithic(
    session: UploadSession,
    expected: Descriptor,
    content: ContentSource,
    options: OperationOptions,
  ): Promise<void> {
    let bytes = toBytes(content);
    if (!bytes && expected.size <= DEFAULT_BUFFERED_UPLOAD_BYTES) {
      // small enough to hold: bytes can be re-sent after a challenge or a 5xx, a stream cannot
      bytes = await readSource(content, expected.size + 1, expected.digest).catch((err: unknown) => {
        if (SizeExceedsLimitError.is(err)) {
          throw new TrailingDataError(
            `${expected.digest}: content goes on past its size of ${expected.size} bytes`,
          );
        }
        throw err;
      });
    }
    if (bytes) verifyBytes(bytes, expected);
    let used = false;
    const body =
      bytes ??
      (() => {
        if (used) {
          return toReadableStream(
            (async function* () {
              yield* [];
              throw new OrasError(
                `${expected.digest}: the upload must be sent again but its content was a one-shot stream`,
                { code: ErrorCode.ResendRequired },
              );
            })(),
          );
        }
        used = true;
        return sizedChunks(content, expected);
      });
    const url = new URL(session.location);
    url.searchParams.set('digest', expected.digest);
    const res = await this.#send({
      method: 'PUT',
      url,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(expected.size) },
      body,
      scopes: this.#scopes('pull', 'push'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (res.statusCode !== 201) throw await toResponseError('PUT', res);
    await discard(res);
  }

  /**
   * Sends `source` in PATCH requests of `size` bytes with `Content-Range`, holding back the last
   * piece, which goes with the closing `PUT` (so only the final chunk may be under
   * `OCI-Chunk-Min-Length`). When a PATCH fails, the upload status (`GET` on the upload URL) says
   * how much the registry holds, and the rest of the chunk is sent from there. Resolves to the
   * digest of everything and the held-back last piece.
   */
  async #uploadChunks(
    session: UploadSession,
    source: ContentSource,
    size: number,
    options: OperationOptions,
  ): Promise<{ digest: string; last: Uint8Array }> {
    const digester = createDigester();
    let held: Uint8Array = new Uint8Array();
    for await (const chunk of chunked(source, size)) {
      checkAborted(options.signal);
      digester.update(chunk);
      if (held.byteLength > 0) await this.#patchChunk(session, held, options);
      held = chunk;
    }
    return { digest: digester.digest(), last: held };
  }

  async #patchChunk(session: UploadSession, chunk: Uint8Array, options: OperationOptions): Promise<void> {
    const start = session.offset;
    let sent = 0;
    for (let attempt = 0; ; attempt++) {
      const piece = chunk.subarray(sent);
      const first = start + sent;
      let failure: unknown;
      try {
        const res = await this.#send({
          method: 'PATCH',
          url: session.location,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(piece.byteLength),
            'content-range': `${first}-${first + piece.byteLength - 1}`,
          },
          body: piece,
          scopes: this.#scopes('pull', 'push'),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (res.statusCode === 202) {
          await discard(res);
          session.location = resolveUploadLocation(header(res.headers, 'location'), res.url);
          // the offset is tracked here: ECR's Range header stays at the first chunk
          session.offset = start + chunk.byteLength;
          return;
        }
        failure = await toResponseError('PATCH', res);
        if (
          res.statusCode < 500 &&
          res.statusCode !== 416 &&
          res.statusCode !== 408 &&
          res.statusCode !== 429
        )
          throw failure;
      } catch (err) {
        if (options.signal?.aborted || (ResponseError.is(err) && err === failure && !isResumable(err)))
          throw err;
        failure = err;
      }
      if (attempt >= DEFAULT_MAX_UPLOAD_RESUMES) throw failure;
      const held = await this.#uploadStatus(session, options);
      if (held === undefined || held < start || held > start + chunk.byteLength) throw failure;
      sent = held - start;
      if (sent === chunk.byteLength) {
        session.offset = held;
        return;
      }
    }
  }

  /** `GET` on the upload URL: how many bytes the registry holds (from `Range: 0-<last>`). */
  async #uploadStatus(session: UploadSession, options: OperationOptions): Promise<number | undefined> {
    const res = await this.#send({
      method: 'GET',
      url: session.location,
      scopes: this.#scopes('pull', 'push'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await discard(res);
    if (res.statusCode !== 204 && res.statusCode !== 200) return undefined;
    const location = header(res.headers, 'location');
    if (location) session.location = resolveUploadLocation(location, res.url);
    const match = /^(?:bytes=)?0-(\d+)$/.exec(header(res.headers, 'range') ?? '');
    if (!match) return 0;
    const last = Number(match[1]);
    // distribution answers 0-0 for an empty upload
    return last === 0 && session.offset === 0 ? 0 : last + 1;
  }

  /**
   * Closes an upload with `PUT ?digest=`, carrying the last piece. When the `PUT` fails, the upload
   * status says what the registry holds and the rest is sent again; when the upload is gone
   * because the `PUT` did land, the blob's existence settles it.
   */
  async #commitUpload(
    session: UploadSession,
    digest: string,
    last: Uint8Array,
    options: OperationOptions,
  ): Promise<void> {
    const start = session.offset;
    let sent = 0;
    for (let attempt = 0; ; attempt++) {
      const piece = last.subarray(sent);
      const url = new URL(session.location);
      url.searchParams.set('digest', digest);
      const first = start + sent;
      let failure: unknown;
      try {
        const res = await this.#send({
          method: 'PUT',
          url,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(piece.byteLength),
            ...(piece.byteLength > 0 ? { 'content-range': `${first}-${first + piece.byteLength - 1}` } : {}),
          },
          // a function body: re-sent by the auth client after a challenge, never by the retry layer
          body: piece.byteLength > 0 ? () => Readable.from([piece]) : null,
          scopes: this.#scopes('pull', 'push'),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (res.statusCode === 201) {
          await discard(res);
          session.offset = start + last.byteLength;
          return;
        }
        failure = await toResponseError('PUT', res);
        if (!isResumable(failure as ResponseError)) throw failure;
      } catch (err) {
        if (options.signal?.aborted || (err === failure && !isResumable(err as ResponseError))) throw err;
        failure = err;
      }
      if (attempt >= DEFAULT_MAX_UPLOAD_RESUMES) throw failure;
      const held = await this.#uploadStatus(session, options);
      if (held === undefined) {
        if (
          await this.exists(
            { mediaType: 'application/octet-stream', digest, size: start + last.byteLength },
            options,
          )
        )
          return;
        throw failure;
      }
      if (held < start || held > start + last.byteLength) throw failure;
      sent = held - start;
    }
  }

  async #cancelUpload(session: UploadSession): Promise<void> {
    try {
      const res = await this.#client.request({
        method: 'DELETE',
        url: session.location,
        scopes: this.#scopes('pull', 'push'),
      });
      await discard(res);
    } catch {
      // the session expires on its own
    }
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
   * chunks of {@link DEFAULT_STREAM_CHUNK_SIZE}.
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
    let session = await this.#startUpload(undefined, options);
    if (session === 'mounted') throw new UnsupportedError('unexpected mount');
    const chunking =
      typeof source !== 'function' ||
      this.#options.maxChunkSize !== undefined ||
      this.#options.streamChunkSize !== undefined;
    try {
      let chunkSource: ContentSource;
      if (typeof source === 'function') {
        if (!chunking) {
          const streamed = await this.#uploadStreamed(session, source, options);
          if (streamed !== 'refused') {
            await this.#commitUpload(session, streamed, new Uint8Array(), options);
            return { mediaType, digest: streamed, size: session.offset };
          }
          await this.#cancelUpload(session);
          session = (await this.#startUpload(undefined, options)) as UploadSession;
        }
        chunkSource = source(0);
      } else {
        chunkSource = source;
      }
      if (options.onProgress) chunkSource = counted(chunkSource, options.onProgress);
      const wanted = this.#options.streamChunkSize ?? DEFAULT_STREAM_CHUNK_SIZE;
      const size = Math.max(session.minChunk, Math.min(wanted, this.#options.maxChunkSize ?? wanted));
      const { digest, last } = await this.#uploadChunks(session, chunkSource, size, options);
      await this.#commitUpload(session, digest, last, options);
      return { mediaType, digest, size: session.offset };
    } catch (err) {
      await this.#cancelUpload(session as UploadSession);
      throw err;
    }
  }

  /**
   * Pushes a file and returns its descriptor, reading the file once. A file up to
   * {@link DEFAULT_BUFFERED_UPLOAD_BYTES} is read into memory and hashed first, so a blob the
   * registry has is skipped; a larger one is hashed while it streams to the registry
   * ({@link RemoteRepository.pushStream} with the file as a reopenable source), which is why it
   * cannot be skipped: its digest is known only once it has been sent.
   */
  async pushFile(mediaType: string, path: string, options: PushStreamOptions = {}): Promise<Descriptor> {
    const { size } = await stat(path);
    if (size <= DEFAULT_BUFFERED_UPLOAD_BYTES) {
      const bytes = await readFile(path, options.signal ? { signal: options.signal } : {});
      const desc: Descriptor = { mediaType, digest: digestOf(bytes), size: bytes.byteLength };
      await this.#pushBlob(desc, bytes, options);
      options.onProgress?.(bytes.byteLength);
      return desc;
    }
    const desc = await this.pushStream(
      mediaType,
      (offset) => fileChunks(path, offset, FILE_READ_CHUNK),
      options,
    );
    if (desc.size !== size) {
      throw new MismatchedSizeError(`${path}: file changed from ${size} to ${desc.size} bytes while pushed`);
    }
    return desc;
  }

  /**
   * Sends a reopenable source in one streamed `PATCH` (no `Content-Range`: the registry appends),
   * hashing it on the way, and resumes from the upload status when the request breaks. Resolves
   * to the digest (with `session.offset` at the size), or to `'refused'` when the registry turns
   * the large request down before holding any of it.
   */
  async #uploadStreamed(
    session: UploadSession,
    open: ReopenableSource,
    options: PushStreamOptions,
  ): Promise<string | 'refused'> {
    const digester = createDigester();
    const progress = { hashed: 0, sent: 0 };
    for (let attempt = 0; ; attempt++) {
      const start = session.offset;
      let failure: unknown;
      try {
        const res = await this.#send({
          method: 'PATCH',
          url: session.location,
          headers: { 'content-type': 'application/octet-stream' },
          // a function body: the auth client calls it again after a challenge
          body: () =>
            Readable.from(
              hashedFrom(open(start), start, digester, progress, options.onProgress),
              READ_OPTIONS,
            ),
          scopes: this.#scopes('pull', 'push'),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (res.statusCode === 202) {
          await discard(res);
          session.location = resolveUploadLocation(header(res.headers, 'location'), res.url);
          session.offset = progress.sent;
          return digester.digest();
        }
        failure = await toResponseError('PATCH', res);
        if (start === 0 && (res.statusCode === 413 || res.statusCode === 416)) return 'refused';
        if (!isResumable(failure as ResponseError)) throw failure;
      } catch (err) {
        if (options.signal?.aborted || (err === failure && !isResumable(err as ResponseError))) throw err;
        if (
          OrasError.is(err) &&
          !ResponseError.is(err) &&
          err.code !== ErrorCode.Network &&
          err.code !== ErrorCode.Timeout
        )
          throw err;
        failure = err;
      }
      if (attempt >= DEFAULT_MAX_UPLOAD_RESUMES) throw failure;
      const held = await this.#uploadStatus(session, options);
      if (held === undefined || held < start || held > progress.sent) throw failure;
      session.offset = held;
    }
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
          ...this.#options,
          client: this.#client,
          reference: `${this.reference.registry}/${fromRepository}`,
        }).fetch(desc, options));
    let session: UploadSession | 'mounted';
    try {
      session = await this.#startUpload({ digest: desc.digest, from: fromRepository }, options);
    } catch (err) {
      if (!ResponseError.is(err) || err.statusCode >= 500) throw err;
      await this.#pushBlob(desc, await content(), options);
      return;
    }
    if (session === 'mounted') return;
    await this.#upload(session, desc, await content(), options);
  }

  // ---------------------------------------------------------------- tag and delete

  /** Points `reference` at the manifest `target`: its bytes are fetched and put again under the tag. */
  async tag(target: Descriptor, reference: string, options: OperationOptions = {}): Promise<void> {
    const ref = this.#referenceOf(reference);
    const bytes = await this.#fetchManifestBytes(target, options);
    await this.#putManifest(ref, target.mediaType, bytes, options);
  }

  /**
   * Deletes a blob or a manifest. Deleting a manifest with a `subject` on a registry without the
   * referrers API also removes it from the tag-schema index. Rejects with `NotFoundError` when the
   * content is absent.
   */
  async delete(target: Descriptor, options: OperationOptions = {}): Promise<void> {
    await this.#delete(target, this.#isManifest(target), options);
  }

  /** `DELETE` on the manifests endpoint when `manifest`, else on the blobs endpoint. */
  async #delete(target: Descriptor, manifest: boolean, options: OperationOptions): Promise<void> {
    let subject: Descriptor | undefined;
    if (manifest && this.#referrersCapability !== true) {
      try {
        subject = subjectOf(await this.#fetchManifestBytes(target, options), target.mediaType);
      } catch (err) {
        if (!NotFoundError.is(err)) throw err;
        throw new NotFoundError(
          `${this.host}/${this.name}@${target.digest}: ${target.mediaType}: not found`,
          { cause: err },
        );
      }
      if (subject && this.#referrersCapability === undefined) await this.#probeReferrers(options);
    }
    const res = await this.#send({
      method: 'DELETE',
      url: this.#url(`${manifest ? 'manifests' : 'blobs'}/${target.digest}`),
      scopes: this.#scopes('delete'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (res.statusCode === 404) {
      await discard(res);
      throw new NotFoundError(`${this.host}/${this.name}@${target.digest}: ${target.mediaType}: not found`);
    }
    if (res.statusCode !== 202 && res.statusCode !== 200 && res.statusCode !== 204)
      throw await toResponseError('DELETE', res);
    await discard(res);
    if (subject && this.#referrersCapability === false) {
      await this.#updateReferrersIndex(subject, { remove: target }, options);
    }
  }

  // ---------------------------------------------------------------- referrers

  /**
   * Yields the referrers of `subject` in pages: from the referrers API, filtered by artifact type
   * (by the registry, or here when it did not say it filtered), following `Link` pages; or, when
   * the registry has no referrers API, from the tag-schema index `<alg>-<hex>`.
   */
  async *referrers(subject: Descriptor, options: ReferrersOptions = {}): AsyncIterable<Descriptor[]> {
    parseDigest(subject.digest);
    if (this.#referrersCapability !== false) {
      yield* this.#referrersFromApi(subject, options);
      if (this.#referrersCapability === true) return;
    }
    const { index } = await this.#fetchReferrersIndex(subject, options);
    const list = filterByArtifactType(index?.manifests ?? [], options.artifactType);
    yield list;
  }

  async *#referrersFromApi(subject: Descriptor, options: ReferrersOptions): AsyncGenerator<Descriptor[]> {
    let url: URL | undefined = this.#url(`referrers/${subject.digest}`);
    if (options.artifactType) url.searchParams.set('artifactType', options.artifactType);
    if (this.#options.referrerListPageSize)
      url.searchParams.set('n', String(this.#options.referrerListPageSize));
    const maxPages = this.#options.referrerListMaxPages ?? DEFAULT_REFERRER_LIST_MAX_PAGES;
    for (let page = 0; url; page++) {
      if (page >= maxPages)
        throw new TooManyPagesError(
          `${this.host}/${this.name}: referrers of ${subject.digest}: more than ${maxPages} pages`,
        );
      const res: RegistryResponse = await this.#send({
        method: 'GET',
        url,
        headers: { accept: MediaType.ImageIndex },
        scopes: this.#scopes('pull'),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (page === 0 && this.#referrersCapability !== true) {
        // 404, or a false 200 that is not an index: no referrers API
        if (res.statusCode === 404 || (res.statusCode === 200 && mediaTypeOf(res) !== MediaType.ImageIndex)) {
          await discard(res);
          this.#referrersCapability = false;
          return;
        }
      }
      if (res.statusCode !== 200) throw await toResponseError('GET', res);
      const bytes = await readCapped(res.body, this.#maxMetadataBytes, `referrers of ${subject.digest}`);
      const index = parseIndexLoose(bytes, `referrers of ${subject.digest}`);
      this.#referrersCapability = true;
      const filtered = /\bartifactType\b/.test(header(res.headers, 'oci-filters-applied') ?? '');
      yield filtered ? index.manifests : filterByArtifactType(index.manifests, options.artifactType);
      url = parseNextLink(res.headers.link, res.url);
    }
  }

  /** Probes the referrers API once (`GET referrers/<zero digest>`) and caches the answer. */
  async #probeReferrers(options: OperationOptions): Promise<boolean> {
    if (this.#referrersCapability !== undefined) return this.#referrersCapability;
    const res = await this.#send({
      method: 'GET',
      url: this.#url(`referrers/${ZERO_DIGEST}`),
      headers: { accept: MediaType.ImageIndex },
      scopes: this.#scopes('pull'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await discard(res);
    if (res.statusCode === 200 && mediaTypeOf(res) === MediaType.ImageIndex) this.#referrersCapability = true;
    else if (res.statusCode === 404 || res.statusCode === 200) this.#referrersCapability = false;
    else throw await toResponseError('GET', res);
    return this.#referrersCapability;
  }

  /**
   * Fetches the tag-schema referrers index of `subject`. A registry that answers the tag with the
   * subject itself (GitLab) or with something that is not an index is treated as having none.
   */
  async #fetchReferrersIndex(
    subject: Descriptor,
    options: OperationOptions,
  ): Promise<{ index?: Index; descriptor?: Descriptor }> {
    const tag = referrersTag(subject.digest);
    let got: { bytes: Uint8Array; mediaType: string };
    try {
      got = await this.#getManifest(tag, MediaType.ImageIndex, options);
    } catch (err) {
      if (NotFoundError.is(err)) return {};
      throw err;
    }
    const digest = digestOf(got.bytes);
    if (digest === subject.digest || got.mediaType !== MediaType.ImageIndex) return {};
    let index: Index;
    try {
      index = parseIndexLoose(got.bytes, `referrers index ${tag}`);
    } catch {
      return {};
    }
    return { index, descriptor: { mediaType: MediaType.ImageIndex, digest, size: got.bytes.byteLength } };
  }

  /** Adds a referrer to, or removes one from, the tag-schema index of `subject`. */
  async #updateReferrersIndex(
    subject: Descriptor,
    change: { add?: Descriptor; remove?: Descriptor },
    options: OperationOptions,
  ): Promise<void> {
    const { index, descriptor: old } = await this.#fetchReferrersIndex(subject, options);
    const current = index?.manifests ?? [];
    let next = current;
    if (change.add) {
      const add = change.add;
      if (current.some((d) => d.digest === add.digest)) return;
      next = [...current, add];
    }
    if (change.remove) {
      const remove = change.remove;
      next = current.filter((d) => d.digest !== remove.digest);
      if (next.length === current.length) return;
    }
    // An empty list is pushed too when the old index will not be deleted (skipReferrersGc), or the
    // stale index would go on listing a deleted referrer (as oras-go does).
    if (next.length > 0 || this.#options.skipReferrersGc) {
      const bytes = serializeIndex({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: next });
      const desc: Descriptor = {
        mediaType: MediaType.ImageIndex,
        digest: digestOf(bytes),
        size: bytes.byteLength,
      };
      await this.#pushManifest(desc, bytes, referrersTag(subject.digest), options, false);
    }
    if (old && !this.#options.skipReferrersGc) {
      try {
        await this.delete(old, options);
      } catch (err) {
        if (!NotFoundError.is(err)) throw err;
      }
    }
  }

  /** The manifests that refer to `node` (its referrers), so copy and extendedCopy can walk up. */
  async predecessors(node: Descriptor, options: OperationOptions = {}): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    for await (const page of this.referrers(node, options)) out.push(...page);
    return out;
  }

  // ---------------------------------------------------------------- tags

  /**
   * Yields the tags in pages (`GET tags/list?n=&last=`), following `Link` headers on the same
   * origin, at most `tagListMaxPages` pages.
   */
  async *tags(options: OperationOptions & { readonly last?: string } = {}): AsyncIterable<string[]> {
    const url: URL | undefined = this.#url('tags/list');
    if (this.#options.tagListPageSize) url.searchParams.set('n', String(this.#options.tagListPageSize));
    if (options.last) url.searchParams.set('last', options.last);
    yield* paginate(
      (req) => this.#send(req),
      url,
      this.#scopes('pull'),
      this.#options.tagListMaxPages ?? DEFAULT_TAG_LIST_MAX_PAGES,
      this.#maxMetadataBytes,
      'tags',
      options.signal,
    );
  }

  // ---------------------------------------------------------------- stores

  /** The blob store: every descriptor is treated as a blob. */
  blobs(): BlobStore {
    const resolveBlob = async (reference: string, options: OperationOptions = {}): Promise<Descriptor> => {
      const digest = this.#referenceOf(reference);
      parseDigest(digest);
      const res = await this.#send({
        method: 'HEAD',
        url: this.#url(`blobs/${digest}`),
        scopes: this.#scopes('pull'),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      await discard(res);
      if (res.statusCode === 404) throw new NotFoundError(`${this.host}/${this.name}@${digest}: not found`);
      if (res.statusCode !== 200) throw await toResponseError('HEAD', res);
      const length = header(res.headers, 'content-length');
      if (length === undefined) throw new UnsupportedError(`${digest}: registry sent no content-length`);
      return { mediaType: 'application/octet-stream', digest, size: Number(length) };
    };
    const asBlob = (desc: Descriptor): Descriptor => ({
      ...desc,
      mediaType: this.#isManifest(desc) ? 'application/octet-stream' : desc.mediaType,
    });
    return {
      fetch: (desc, options) => this.#fetchBlob(desc, options ?? {}),
      push: (desc, content, options) => this.#pushBlob(desc, content, options ?? {}),
      exists: (desc, options) => this.exists(asBlob(desc), options),
      delete: (desc, options) => this.#delete(asBlob(desc), false, options ?? {}),
      resolve: resolveBlob,
      fetchReference: async (reference, options) => {
        const descriptor = await resolveBlob(reference, options);
        return { descriptor, stream: await this.#fetchBlob(descriptor, options ?? {}) };
      },
    };
  }

  /** The manifest store: every descriptor is treated as a manifest. */
  manifests(): ManifestStore {
    return {
      fetch: async (desc, options) =>
        markVerified(toReadableStream(await this.#fetchManifestBytes(desc, options ?? {})), desc),
      push: (desc, content, options) => this.#pushManifest(desc, content, desc.digest, options ?? {}),
      exists: async (desc, options) => {
        const res = await this.#send({
          method: 'HEAD',
          url: this.#url(`manifests/${desc.digest}`),
          headers: { accept: desc.mediaType },
          scopes: this.#scopes('pull'),
          ...(options?.signal ? { signal: options.signal } : {}),
        });
        await discard(res);
        if (res.statusCode === 200) return true;
        if (res.statusCode === 404) return false;
        throw await toResponseError('HEAD', res);
      },
      // a manifest of a type this client does not know is still deleted as a manifest
      delete: (desc, options) => this.#delete(desc, true, options ?? {}),
      resolve: (reference, options) => this.resolve(reference, options),
      fetchReference: (reference, options) => this.fetchReference(reference, options),
      pushReference: (expected, content, reference, options) =>
        this.pushReference(expected, content, reference, options),
      tag: (desc, reference, options) => this.tag(desc, reference, options),
    };
  }
}

function isResumable(err: ResponseError): boolean {
  return err.statusCode >= 500 || err.statusCode === 416 || err.statusCode === 408 || err.statusCode === 429;
}

/**
 * The tag of the tag-schema referrers index of a subject: `<alg>-<hex>`, cut to 128 characters.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
 */
export function referrersTag(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `${algorithm}-${encoded}`.slice(0, 128);
}

function filterByArtifactType(list: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType ? list.filter((d) => d.artifactType === artifactType) : list;
}

function parseIndexLoose(bytes: Uint8Array, what: string): Index {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new InvalidManifestError(`${what}: not JSON`, { cause: err });
  }
  const manifests = (doc as { manifests?: unknown })?.manifests ?? [];
  if (!Array.isArray(manifests)) throw new InvalidManifestError(`${what}: manifests is not a list`);
  return { schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: manifests as Descriptor[] };
}

/** The `subject` of a manifest or index, if it has one. */
function subjectOf(bytes: Uint8Array, mediaType: string): Descriptor | undefined {
  if (!isManifestMediaType(mediaType) && !isIndexMediaType(mediaType)) return undefined;
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { subject?: Descriptor };
    const subject = doc.subject;
    if (subject && typeof subject.digest === 'string' && isDigest(subject.digest)) return subject;
  } catch {
    // not JSON: no subject
  }
  return undefined;
}

/**
 * Follows a paginated list (`tags/list` or `_catalog`), yielding each page's names.
 * @internal
 */
export async function* paginate(
  send: (req: RegistryRequest) => Promise<RegistryResponse>,
  start: URL,
  scopes: readonly string[],
  maxPages: number,
  maxBytes: number,
  key: 'tags' | 'repositories',
  signal: AbortSignal | undefined,
): AsyncGenerator<string[]> {
  let url: URL | undefined = start;
  for (let page = 0; url; page++) {
    if (page >= maxPages)
      throw new TooManyPagesError(`${start.origin}${start.pathname}: more than ${maxPages} pages`);
    const res: RegistryResponse = await send({ method: 'GET', url, scopes, ...(signal ? { signal } : {}) });
    if (res.statusCode === 404 && key === 'tags') {
      await discard(res);
      throw new NotFoundError(`${start.origin}${start.pathname}: repository not found`);
    }
    if (res.statusCode !== 200) throw await toResponseError('GET', res);
    const bytes = await readCapped(res.body, maxBytes, `${start.pathname}`);
    let list: unknown;
    try {
      list = (JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>)[key];
    } catch (err) {
      throw new InvalidManifestError(`${start.origin}${start.pathname}: answer is not JSON`, { cause: err });
    }
    yield Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : [];
    url = parseNextLink(res.headers.link, res.url);
  }
}
