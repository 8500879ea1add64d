/**
 * Reading an OCI image layout: `oci-layout`, `index.json` and `blobs/<alg>/<hex>`, from a
 * directory or from a tar archive of one.
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import { constants } from 'node:fs';
import { lstat, open, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import {
  Annotation,
  type Descriptor,
  IMAGE_LAYOUT_VERSION,
  InvalidManifestError,
  MediaType,
  NotFoundError,
  UnsafeError,
  UnsupportedError,
  isDigest,
  parseDigest,
} from '@oras/spec';
import type { OperationOptions, ReadOnlyGraphTarget, TagLister } from '../interfaces.js';
import { fileStream, isErrno } from '../internal/file-stream.js';
import { plainDescriptor, tagPages } from '../internal/tags.js';
import { DEFAULT_MAX_FETCH_BYTES, readAll, verifyStream } from '../stream.js';
import { describeReferrer, hasSuccessors, successorsOf } from '../successors.js';
import { type TarEntry, indexTar } from './tar-index.js';

/** The name of the layout marker file. */
export const OCI_LAYOUT_FILE = 'oci-layout';
/** The name of the layout's index. */
export const INDEX_FILE = 'index.json';

/** The files of a layout, wherever they live. @internal */
export interface LayoutFiles {
  /** Where the layout lives, for messages. */
  readonly location: string;
  /** The size of a file, or undefined when it does not exist. */
  size(rel: string): Promise<number | undefined>;
  /** A stream of a file's bytes; rejects with the fs error when it does not exist. */
  stream(rel: string): Promise<ReadableStream<Uint8Array>>;
  /** The bytes of a small file, or undefined when it does not exist. */
  read(rel: string): Promise<Uint8Array | undefined>;
}

/** A layout in a directory. @internal */
export class DirectoryFiles implements LayoutFiles {
  readonly location: string;
  /** Folders inside the layout (`blobs`, `blobs/sha256`, `ingest`) already found to be real folders. */
  readonly #realFolders = new Set<string>();
  constructor(root: string) {
    this.location = root;
  }
  path(rel: string): string {
    return join(this.location, rel);
  }
  /**
   * Refuses the folder `rel` (`blobs/sha256`, `ingest`; `.` is the root) when it, or a folder
   * between it and the layout's root, is a symlink. Why: `O_NOFOLLOW` guards only the last
   * component of a path, so a hand-made layout whose `blobs` or `blobs/sha256` links to a folder
   * elsewhere would have blobs read from, and pushes written to, that folder. The root itself may
   * be reached through a symlink (`/tmp` is one on macOS): only folders inside it count.
   *
   * A verdict of "real folder" is kept for the life of this object, so a copy of many blobs pays
   * for one `lstat` per folder, not per blob. A missing folder is not remembered (a writer creates
   * it, then checks again); the fs call that follows reports it, as it reports a file in the way.
   *
   * @throws UnsafeError when one of those folders is a symlink.
   */
  async checkFolder(rel: string): Promise<void> {
    const parts = rel.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      if (folder === '.' || folder === '' || this.#realFolders.has(folder)) continue;
      let info: Awaited<ReturnType<typeof lstat>>;
      try {
        info = await lstat(this.path(folder));
      } catch (err) {
        if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return;
        throw err;
      }
      if (info.isSymbolicLink()) {
        throw new UnsafeError(
          `${this.location}: ${folder}: is a symlink, refused: folders inside a layout must not be symlinks`,
        );
      }
      if (!info.isDirectory()) return;
      this.#realFolders.add(folder);
    }
  }
  /**
   * The size of a regular file; a symlink (even to a file) counts as absent.
   *
   * @throws UnsafeError when a folder on the way is a symlink (see {@link DirectoryFiles.checkFolder}).
   */
  async size(rel: string): Promise<number | undefined> {
    await this.checkFolder(posix.dirname(rel));
    try {
      const info = await lstat(this.path(rel));
      return info.isFile() ? info.size : undefined;
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
      throw err;
    }
  }
  /**
   * A stream of a regular file's bytes. Why not through a symlink: a hand-made layout whose blob
   * links to a file elsewhere (`~/.ssh/id_rsa`, another user's file) would hand that file to
   * whoever copies the layout, as soon as its digest is known.
   *
   * @throws UnsafeError when the file, or a folder on the way, is a symlink, or the file is not a
   * regular file.
   */
  async stream(rel: string): Promise<ReadableStream<Uint8Array>> {
    await this.checkFolder(posix.dirname(rel));
    try {
      return await fileStream(this.path(rel), 0, undefined, { regularFileOnly: true });
    } catch (err) {
      if (isErrno(err, 'ELOOP')) {
        throw new UnsafeError(
          `${this.location}: ${rel}: is a symlink, refused: layout files must be regular files`,
          {
            cause: err,
          },
        );
      }
      if (isErrno(err, 'EINVAL')) {
        throw new UnsafeError(`${this.location}: ${rel}: is not a regular file, refused`, { cause: err });
      }
      throw err;
    }
  }
  /**
   * Reads a small file of the layout (`index.json`, `oci-layout`), or `undefined` when absent.
   * Like blobs, it must be a regular file and not a symlink: a hand-made layout whose `index.json`
   * links to a file elsewhere would have that file read and its content trusted as the index.
   *
   * @throws UnsafeError when the file, or a folder on the way, is a symlink, or the file is not a
   * regular file.
   */
  async read(rel: string): Promise<Uint8Array | undefined> {
    await this.checkFolder(posix.dirname(rel));
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path(rel), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      if (isErrno(err, 'ELOOP')) {
        throw new UnsafeError(`${this.location}: ${rel}: is a symlink, refused`, { cause: err });
      }
      throw err;
    }
    try {
      if (!(await handle.stat()).isFile()) {
        throw new UnsafeError(`${this.location}: ${rel}: is not a regular file, refused`);
      }
      return new Uint8Array(await handle.readFile());
    } finally {
      await handle.close();
    }
  }
}

/** A layout inside a tar archive; files are streamed from their offsets. @internal */
export class TarFiles implements LayoutFiles {
  readonly location: string;
  readonly #entries: Map<string, TarEntry>;
  private constructor(path: string, entries: Map<string, TarEntry>) {
    this.location = path;
    this.#entries = entries;
  }
  static async open(path: string): Promise<TarFiles> {
    return new TarFiles(path, await indexTar(path));
  }
  async size(rel: string): Promise<number | undefined> {
    return this.#entries.get(rel)?.size;
  }
  async stream(rel: string): Promise<ReadableStream<Uint8Array>> {
    const entry = this.#entries.get(rel);
    if (entry === undefined)
      throw Object.assign(new Error(`${rel}: not in ${this.location}`), { code: 'ENOENT' });
    return fileStream(this.location, entry.offset, entry.size);
  }
  async read(rel: string): Promise<Uint8Array | undefined> {
    const entry = this.#entries.get(rel);
    if (entry === undefined) return undefined;
    const chunks: Uint8Array[] = [];
    const reader = (await this.stream(rel)).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }
}

/** The path of a blob inside a layout: `blobs/<alg>/<encoded>` (the digest is validated first). */
export function blobPath(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `blobs/${algorithm}/${encoded}`;
}

/** What `index.json` says: the tags, and every manifest it lists (tagged or not). @internal */
export interface IndexState {
  /** Tag to descriptor (without the ref-name annotation). */
  readonly tags: Map<string, Descriptor>;
  /** Digest to descriptor, for every manifest listed. */
  readonly manifests: Map<string, Descriptor>;
  /** The index's own annotations, kept as found. */
  annotations?: Record<string, string> | undefined;
}

/** An empty index state. @internal */
export function emptyIndexState(): IndexState {
  return { tags: new Map(), manifests: new Map() };
}

function withoutRefName(desc: Descriptor): Descriptor {
  const copy = plainDescriptor(desc);
  if (copy.annotations !== undefined) {
    delete copy.annotations[Annotation.RefName];
    if (Object.keys(copy.annotations).length === 0) delete copy.annotations;
  }
  return copy;
}

/** Parses `index.json`. @internal */
export function parseIndexState(bytes: Uint8Array, location: string): IndexState {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new InvalidManifestError(`${location}: ${INDEX_FILE}: invalid json`, { cause: err });
  }
  const manifests = (doc as { manifests?: unknown } | null)?.manifests;
  if (
    doc === null ||
    typeof doc !== 'object' ||
    !(manifests === undefined || manifests === null || Array.isArray(manifests))
  ) {
    throw new InvalidManifestError(`${location}: ${INDEX_FILE}: expected an image index`);
  }
  const state = emptyIndexState();
  const annotations = (doc as { annotations?: unknown }).annotations;
  if (annotations !== null && typeof annotations === 'object')
    state.annotations = annotations as Record<string, string>;
  for (const entry of (manifests ?? []) as Descriptor[]) {
    if (
      entry === null ||
      typeof entry !== 'object' ||
      !isDigest(entry.digest) ||
      typeof entry.mediaType !== 'string'
    ) {
      throw new InvalidManifestError(`${location}: ${INDEX_FILE}: invalid descriptor`);
    }
    const desc = withoutRefName(entry);
    const ref = entry.annotations?.[Annotation.RefName];
    if (ref !== undefined && ref !== '') state.tags.set(ref, desc);
    if (!state.manifests.has(desc.digest)) state.manifests.set(desc.digest, desc);
  }
  return state;
}

/**
 * Serialises an index state: one entry per tag (with the ref-name annotation), then one entry
 * for each listed manifest that has no tag, so untagged manifests (referrers) stay findable.
 * @internal
 */
export function serializeIndexState(state: IndexState): Uint8Array {
  const manifests: Descriptor[] = [];
  const tagged = new Set<string>();
  for (const [tag, desc] of state.tags) {
    manifests.push({ ...desc, annotations: { ...desc.annotations, [Annotation.RefName]: tag } });
    tagged.add(desc.digest);
  }
  for (const desc of state.manifests.values()) if (!tagged.has(desc.digest)) manifests.push(desc);
  const index: Record<string, unknown> = { schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests };
  if (state.annotations !== undefined) index.annotations = state.annotations;
  return new TextEncoder().encode(JSON.stringify(index));
}

/** Checks the `oci-layout` marker. @internal */
export async function checkLayoutMarker(files: LayoutFiles): Promise<void> {
  const bytes = await files.read(OCI_LAYOUT_FILE);
  if (bytes === undefined)
    throw new NotFoundError(`${files.location}: ${OCI_LAYOUT_FILE}: not found; not an oci layout`);
  let version: unknown;
  try {
    version = (JSON.parse(new TextDecoder().decode(bytes)) as { imageLayoutVersion?: unknown })
      .imageLayoutVersion;
  } catch (err) {
    throw new InvalidManifestError(`${files.location}: ${OCI_LAYOUT_FILE}: invalid json`, { cause: err });
  }
  if (version !== IMAGE_LAYOUT_VERSION) {
    throw new UnsupportedError(
      `${files.location}: ${OCI_LAYOUT_FILE}: unsupported layout version ${JSON.stringify(version)}`,
    );
  }
}

/**
 * Read access to an OCI image layout: fetch (verified), exists, resolve (tags and manifest
 * digests), predecessors and tag listing. Made by `OciLayoutStore.openReadOnly`; the writable
 * `OciLayoutStore` extends it.
 */
export class ReadOnlyOciLayout implements ReadOnlyGraphTarget, TagLister {
  /** @internal */
  protected readonly files: LayoutFiles;
  /** @internal */
  protected state: IndexState;
  readonly #indexed = new Set<string>();
  readonly #predecessors = new Map<string, Set<string>>();
  readonly #successors = new Map<string, string[]>();
  readonly #referrers = new Map<string, Descriptor>();

  /** @internal use `OciLayoutStore.openReadOnly` or `OciLayoutStore.open`. */
  protected constructor(files: LayoutFiles, state: IndexState) {
    this.files = files;
    this.state = state;
  }

  /** @internal loads a layout's index (the read-only entry point). */
  static async load(files: LayoutFiles): Promise<ReadOnlyOciLayout> {
    await checkLayoutMarker(files);
    const bytes = await files.read(INDEX_FILE);
    if (bytes === undefined) throw new NotFoundError(`${files.location}: ${INDEX_FILE}: not found`);
    return new ReadOnlyOciLayout(files, parseIndexState(bytes, files.location));
  }

  /** Where the layout lives (a directory or a tar file). */
  get location(): string {
    return this.files.location;
  }

  /** @internal brings `state` up to date with the disk; nothing to do for a read-only layout. */
  protected async refresh(): Promise<void> {}

  /** Returns a verified stream of the content; rejects with `NotFoundError` when absent. */
  async fetch(target: Descriptor, options: OperationOptions = {}): Promise<ReadableStream<Uint8Array>> {
    options.signal?.throwIfAborted();
    const rel = blobPath(target.digest);
    let stream: ReadableStream<Uint8Array>;
    try {
      stream = await this.files.stream(rel);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`);
      throw err;
    }
    return verifyStream(stream, target);
  }

  /** Whether the layout holds the blob. */
  async exists(target: Descriptor, options: OperationOptions = {}): Promise<boolean> {
    options.signal?.throwIfAborted();
    return (await this.files.size(blobPath(target.digest))) !== undefined;
  }

  /**
   * Resolves a tag, or a digest: the digest of a manifest listed in `index.json` resolves to its
   * listed descriptor; any other digest whose blob the layout holds resolves to
   * `application/octet-stream` with the blob's size (so `blob fetch` works on layouts, tar files too).
   */
  async resolve(reference: string, options: OperationOptions = {}): Promise<Descriptor> {
    options.signal?.throwIfAborted();
    await this.refresh();
    const desc = this.state.tags.get(reference) ?? this.state.manifests.get(reference);
    if (desc !== undefined) return plainDescriptor(desc);
    if (isDigest(reference)) {
      const size = await this.files.size(blobPath(reference));
      if (size !== undefined) return { mediaType: 'application/octet-stream', digest: reference, size };
    }
    throw new NotFoundError(`${reference}: not found`);
  }

  /** Yields the tags in lexical order, in pages, after `last` when given. */
  async *tags(options: OperationOptions & { readonly last?: string } = {}): AsyncIterable<string[]> {
    options.signal?.throwIfAborted();
    await this.refresh();
    yield* tagPages(this.state.tags.keys(), options.last);
  }

  /** The manifests and indexes of the layout that point at `node`, described as the referrers API does. */
  async predecessors(node: Descriptor, options: OperationOptions = {}): Promise<Descriptor[]> {
    options.signal?.throwIfAborted();
    await this.refresh();
    await this.#indexGraph();
    const result: Descriptor[] = [];
    for (const digest of this.#predecessors.get(node.digest) ?? []) {
      const referrer = this.#referrers.get(digest);
      if (referrer !== undefined && (await this.files.size(blobPath(digest))) !== undefined) {
        result.push(plainDescriptor(referrer));
      }
    }
    return result;
  }

  /** @internal records the edges of a manifest whose bytes are known. */
  protected indexNode(desc: Descriptor, bytes: Uint8Array): Descriptor[] {
    if (this.#indexed.has(desc.digest)) return [];
    const children = successorsOf(desc, bytes);
    this.#indexed.add(desc.digest);
    this.#referrers.set(desc.digest, describeReferrer(desc, bytes));
    this.#successors.set(
      desc.digest,
      children.map((c) => c.digest),
    );
    for (const child of children) {
      let set = this.#predecessors.get(child.digest);
      if (set === undefined) {
        set = new Set();
        this.#predecessors.set(child.digest, set);
      }
      set.add(desc.digest);
    }
    return children;
  }

  /** @internal forgets the edges of a deleted node. */
  protected forgetNode(digest: string): void {
    for (const child of this.#successors.get(digest) ?? []) this.#predecessors.get(child)?.delete(digest);
    this.#successors.delete(digest);
    this.#referrers.delete(digest);
    this.#indexed.delete(digest);
  }

  /** Indexes every manifest reachable from `index.json` that is not indexed yet. */
  async #indexGraph(): Promise<void> {
    const queue = [...this.state.manifests.values(), ...this.state.tags.values()];
    while (queue.length > 0) {
      const desc = queue.pop()!;
      if (this.#indexed.has(desc.digest) || !hasSuccessors(desc)) continue;
      const bytes = await this.readManifest(desc);
      if (bytes === undefined) continue;
      try {
        queue.push(...this.indexNode(desc, bytes).filter(hasSuccessors));
      } catch (err) {
        if (!InvalidManifestError.is(err)) throw err;
      }
    }
  }

  /** @internal the verified bytes of a stored manifest, or undefined when it is absent. */
  protected async readManifest(desc: Descriptor): Promise<Uint8Array | undefined> {
    const rel = blobPath(desc.digest);
    if ((await this.files.size(rel)) === undefined) return undefined;
    return readAll(await this.files.stream(rel), desc, { maxBytes: DEFAULT_MAX_FETCH_BYTES });
  }
}

/** Opens a layout directory or tar file for reading. @internal */
export async function openReadOnlyLayout(dirOrTar: string): Promise<ReadOnlyOciLayout> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dirOrTar);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new NotFoundError(`${dirOrTar}: not found`, { cause: err });
    throw err;
  }
  const files = info.isDirectory() ? new DirectoryFiles(dirOrTar) : await TarFiles.open(dirOrTar);
  return ReadOnlyOciLayout.load(files);
}
