/**
 * A writable OCI image layout, the TypeScript counterpart of oras-go's `content/oci.Store`, made
 * safe for several processes writing one layout at once (which oras-go is not, oras-go#286).
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  AlreadyExistsError,
  type Descriptor,
  IMAGE_LAYOUT_VERSION,
  InvalidArgumentError,
  NotFoundError,
  isDigest,
  isManifestMediaType,
} from '@oras/spec';
import type { ContentSource, Deleter, GraphTarget, OperationOptions, Untagger } from '../interfaces.js';
import { isErrno } from '../internal/file-stream.js';
import { TempFiles } from '../internal/temp-files.js';
import { plainDescriptor } from '../internal/tags.js';
import { DEFAULT_MAX_FETCH_BYTES, assertDescriptor, toReadableStream, verifyStream } from '../stream.js';
import { hasSuccessors, successorsOf } from '../successors.js';
import {
  DirectoryFiles,
  INDEX_FILE,
  type IndexState,
  OCI_LAYOUT_FILE,
  ReadOnlyOciLayout,
  blobPath,
  checkLayoutMarker,
  emptyIndexState,
  openReadOnlyLayout,
  parseIndexState,
  serializeIndexState,
} from './layout.js';
import { type LockOptions, releaseHeldLocksSync, withLock } from './lock.js';

/** The folder, inside the layout, where blobs are written before they are renamed into place. */
export const INGEST_DIR = 'ingest';

/** The temporary files that layout stores of this process are writing now (blobs, indexes). */
const inFlight = new TempFiles();

/**
 * Removes, synchronously, the temporary files that the {@link OciLayoutStore}s of this process
 * are writing (a blob in `ingest/`, a new `index.json`), and the `index.json` locks they hold: for
 * a `SIGINT`/`SIGTERM` or `exit` handler, where nothing asynchronous gets to finish. Writes in
 * progress fail afterwards; the layout stays as it was before them. Never throws.
 */
export function cleanupOciLayoutsSync(): void {
  inFlight.removeAllSync();
  releaseHeldLocksSync();
}

/** Options of {@link OciLayoutStore.open}. */
export interface OciLayoutStoreOptions {
  /** How the `index.json` lock waits and when it counts as stale. */
  readonly lock?: LockOptions | undefined;
}

/** Options of {@link OciLayoutStore.gc}. */
export interface GcOptions extends OperationOptions {
  /**
   * Keep unreferenced blobs (and ingest files) younger than this, in milliseconds (default 0).
   * Another process may have pushed a layer whose manifest it has not pushed yet; a grace period
   * keeps such blobs when collecting a layout others are writing.
   */
  readonly minAgeMs?: number | undefined;
}

/** What {@link OciLayoutStore.gc} removed. */
export interface GcResult {
  /** The digests of the blobs removed. */
  readonly removed: string[];
}

function stateKey(info: { ino: number; mtimeMs: number; size: number }): string {
  return `${info.ino}:${info.mtimeMs}:${info.size}`;
}

async function writeFully(handle: Awaited<ReturnType<typeof open>>, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

/**
 * An OCI image layout on disk, read and written: blobs under `blobs/<alg>/<hex>`, tags as
 * `org.opencontainers.image.ref.name` entries of `index.json`, and every pushed manifest listed in
 * `index.json` whether tagged or not (so untagged referrers stay findable).
 *
 * Blobs are written to `ingest/` and renamed into place once verified, so a failed or aborted push
 * never leaves a partial blob. `index.json` is changed under a lock file (`index.json.lock`,
 * created exclusively; stale locks of dead processes are broken): the store re-reads the index,
 * applies its one change, writes a temporary file and renames it over `index.json`. Two processes
 * writing one layout therefore lose nothing, and readers never see a half-written index.
 */
export class OciLayoutStore extends ReadOnlyOciLayout implements GraphTarget, Deleter, Untagger {
  readonly #root: string;
  readonly #files: DirectoryFiles;
  readonly #lockOptions: LockOptions;
  #stateKey = '';
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(files: DirectoryFiles, options: OciLayoutStoreOptions) {
    super(files, emptyIndexState());
    this.#root = files.location;
    this.#files = files;
    this.#lockOptions = options.lock ?? {};
  }

  /**
   * Opens the layout at `root` for reading and writing, creating the folder, `oci-layout` and
   * `index.json` when they are missing. Rejects with `UnsupportedError` for another layout version.
   */
  static async open(root: string, options: OciLayoutStoreOptions = {}): Promise<OciLayoutStore> {
    await mkdir(root, { recursive: true });
    const store = new OciLayoutStore(new DirectoryFiles(root), options);
    const marker = join(root, OCI_LAYOUT_FILE);
    try {
      const handle = await open(marker, 'wx');
      await handle.writeFile(JSON.stringify({ imageLayoutVersion: IMAGE_LAYOUT_VERSION }));
      await handle.close();
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    await checkLayoutMarker(store.files);
    await mkdir(join(root, 'blobs'), { recursive: true });
    if ((await store.files.size(INDEX_FILE)) === undefined) await store.#updateIndex(() => undefined);
    await store.refresh();
    return store;
  }

  /**
   * Opens a layout read-only, from a directory or from a tar archive of one (files are streamed
   * out of the archive, which is never unpacked).
   */
  static openReadOnly(dirOrTar: string): Promise<ReadOnlyOciLayout> {
    return openReadOnlyLayout(dirOrTar);
  }

  /** The layout's folder. */
  get root(): string {
    return this.#root;
  }

  /** @internal re-reads `index.json` when another writer has replaced it. */
  protected override async refresh(): Promise<void> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(join(this.#root, INDEX_FILE));
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      this.state = emptyIndexState();
      this.#stateKey = '';
      return;
    }
    const key = stateKey(info);
    if (key === this.#stateKey) return;
    const bytes = await this.files.read(INDEX_FILE);
    this.state = bytes === undefined ? emptyIndexState() : parseIndexState(bytes, this.#root);
    this.#stateKey = key;
  }

  /**
   * Verifies and stores the content. Manifests and indexes are also listed in `index.json`.
   * Rejects with `AlreadyExistsError` when the blob is present.
   */
  async push(expected: Descriptor, content: ContentSource, options: OperationOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    assertDescriptor(expected);
    const rel = blobPath(expected.digest);
    const stream = toReadableStream(content);
    if ((await this.files.size(rel)) !== undefined) {
      await stream.cancel().catch(() => undefined);
      throw new AlreadyExistsError(`${expected.digest}: ${expected.mediaType}: already exists`);
    }
    const keep = hasSuccessors(expected) && expected.size <= DEFAULT_MAX_FETCH_BYTES;
    const kept: Uint8Array[] = [];
    const ingest = join(this.#root, INGEST_DIR);
    await mkdir(ingest, { recursive: true });
    // The size check above refused symlinked blob folders; a symlinked `ingest` would put the
    // bytes outside the layout as well.
    await this.#files.checkFolder(INGEST_DIR);
    const temp = join(ingest, `${expected.digest.replace(':', '-')}.${randomBytes(6).toString('hex')}`);
    inFlight.add(temp);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(temp, 'wx');
    } catch (err) {
      inFlight.delete(temp);
      throw err;
    }
    try {
      const reader = verifyStream(stream, expected).getReader();
      // An abort cancels a read that may be waiting on a stalled source.
      const onAbort = () => void reader.cancel(options.signal?.reason).catch(() => undefined);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for (;;) {
          options.signal?.throwIfAborted();
          const { done, value } = await reader.read();
          if (done) break;
          await writeFully(handle, value);
          if (keep) kept.push(value);
        }
        // A cancelled reader reports `done` without verifying: never keep what an abort cut short.
        options.signal?.throwIfAborted();
      } catch (err) {
        await reader.cancel(err).catch(() => undefined);
        throw err;
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
      await handle.close();
      const final = join(this.#root, rel);
      await mkdir(dirname(final), { recursive: true });
      // `mkdir` accepts a symlink to a folder where the folder should be: check what is there now
      // (free once the folders are known to be real).
      await this.#files.checkFolder(dirname(rel));
      await rename(temp, final);
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    } finally {
      inFlight.delete(temp);
    }
    if (hasSuccessors(expected)) {
      const bytes = keep ? new Uint8Array(Buffer.concat(kept)) : await this.readManifest(expected);
      if (bytes !== undefined) this.indexNode(expected, bytes);
      const desc = plainDescriptor(expected);
      await this.#updateIndex((state) => {
        state.manifests.set(desc.digest, desc);
      });
    }
  }

  /** Points `reference` at `target`, which must be in the layout; recorded in `index.json`. */
  async tag(target: Descriptor, reference: string, options: OperationOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    if (reference === '') throw new InvalidArgumentError('tag: empty reference');
    assertDescriptor(target);
    if (!(await this.exists(target)))
      throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`);
    const desc = plainDescriptor(target);
    if (isDigest(reference) && reference !== target.digest) {
      throw new InvalidArgumentError(
        `${reference}: a digest reference must be the digest of ${target.digest}`,
      );
    }
    await this.#updateIndex((state) => {
      if (!isDigest(reference)) state.tags.set(reference, desc);
      if (isManifestMediaType(desc.mediaType) || isDigest(reference)) state.manifests.set(desc.digest, desc);
    });
  }

  /** Removes the tag `reference`; the manifest stays listed, untagged. */
  async untag(reference: string, options: OperationOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    await this.#updateIndex((state) => {
      if (!state.tags.delete(reference)) throw new NotFoundError(`${reference}: not found`);
    });
  }

  /** Deletes the blob and, for a manifest, its entries (tags included) in `index.json`. */
  async delete(target: Descriptor, options: OperationOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const rel = blobPath(target.digest);
    if ((await this.files.size(rel)) === undefined)
      throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`);
    await this.#updateIndex((state) => {
      state.manifests.delete(target.digest);
      for (const [tag, desc] of state.tags) if (desc.digest === target.digest) state.tags.delete(tag);
    });
    try {
      await unlink(join(this.#root, rel));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`);
      throw err;
    }
    this.forgetNode(target.digest);
  }

  /**
   * Removes every blob not reachable from `index.json` (and stale files in `ingest/`), holding
   * the index lock so that no manifest is added while it runs. Returns the removed digests.
   */
  async gc(options: GcOptions = {}): Promise<GcResult> {
    const minAgeMs = options.minAgeMs ?? 0;
    return this.#serialised(() =>
      withLock(
        this.#lockPath,
        async () => {
          options.signal?.throwIfAborted();
          await this.refresh();
          const reachable = new Set<string>();
          const queue = [...this.state.manifests.values(), ...this.state.tags.values()];
          while (queue.length > 0) {
            const desc = queue.pop()!;
            if (reachable.has(desc.digest)) continue;
            reachable.add(desc.digest);
            if (!hasSuccessors(desc)) continue;
            const bytes = await this.readManifest(desc);
            if (bytes !== undefined) queue.push(...successorsOf(desc, bytes));
          }
          const removed: string[] = [];
          const now = Date.now();
          const blobsDir = join(this.#root, 'blobs');
          // Never list, let alone delete, the files of a folder a symlink points at: check every
          // folder before removing anything.
          await this.#files.checkFolder('blobs');
          const algorithms = await readdir(blobsDir).catch(() => [] as string[]);
          for (const algorithm of algorithms) await this.#files.checkFolder(`blobs/${algorithm}`);
          await this.#files.checkFolder(INGEST_DIR);
          for (const algorithm of algorithms) {
            for (const encoded of await readdir(join(blobsDir, algorithm)).catch(() => [] as string[])) {
              const digest = `${algorithm}:${encoded}`;
              if (reachable.has(digest)) continue;
              const path = join(blobsDir, algorithm, encoded);
              const info = await stat(path).catch(() => undefined);
              if (info === undefined || !info.isFile() || now - info.mtimeMs < minAgeMs) continue;
              await unlink(path).catch(() => undefined);
              this.forgetNode(digest);
              removed.push(digest);
            }
          }
          const ingest = join(this.#root, INGEST_DIR);
          for (const name of await readdir(ingest).catch(() => [] as string[])) {
            const info = await stat(join(ingest, name)).catch(() => undefined);
            if (info !== undefined && now - info.mtimeMs >= Math.max(minAgeMs, 60_000)) {
              await rm(join(ingest, name), { force: true, recursive: true });
            }
          }
          return { removed: removed.sort() };
        },
        this.#lockOptions,
      ),
    );
  }

  get #lockPath(): string {
    return join(this.#root, `${INDEX_FILE}.lock`);
  }

  /** Runs `fn` after every earlier index change of this store object has finished. */
  #serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies `change` to the current `index.json` under the lock: re-read, change, write a
   * temporary file, rename it over the index. A change that throws leaves the index as it was.
   */
  #updateIndex(change: (state: IndexState) => void): Promise<void> {
    return this.#serialised(() =>
      withLock(
        this.#lockPath,
        async () => {
          const bytes = await this.files.read(INDEX_FILE);
          const state = bytes === undefined ? emptyIndexState() : parseIndexState(bytes, this.#root);
          change(state);
          const path = join(this.#root, INDEX_FILE);
          const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
          inFlight.add(temp);
          const handle = await open(temp, 'wx').catch((err: unknown) => {
            inFlight.delete(temp);
            throw err;
          });
          try {
            await handle.writeFile(serializeIndexState(state));
            await handle.datasync();
            await handle.close();
            await rename(temp, path);
          } catch (err) {
            await handle.close().catch(() => undefined);
            await unlink(temp).catch(() => undefined);
            throw err;
          } finally {
            inFlight.delete(temp);
          }
          this.state = state;
          this.#stateKey = stateKey(await stat(path));
        },
        this.#lockOptions,
      ),
    );
  }
}
