/**
 * The file store: the `Target` behind `oras push` and `oras pull`, in the manner of oras-go's
 * `content/file.Store`. Named content (a descriptor with an `org.opencontainers.image.title`) is
 * a file or a folder under the working directory; unnamed content (manifests, configs) lives in a
 * small in-memory fallback; tags and the predecessor graph live in memory, so a store cannot be
 * reopened from disk.
 * @see https://github.com/oras-project/oras-go/blob/main/content/file/file.go
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type Dirent, renameSync, rmSync } from 'node:fs';
import { link, lstat, mkdir, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortedError,
  Annotation,
  type Descriptor,
  MediaType,
  MissingReferenceError,
  NotFoundError,
  OrasError,
  SizeExceedsLimitError,
} from '@oras/spec';
import type { ContentSource, OperationOptions, Target, PredecessorFinder } from '../interfaces.js';
import { readAll, toReadableStream, verifyStream } from '../stream.js';
import { describeReferrer, hasSuccessors, successorsOf } from '../successors.js';
import { SYNC_WRITE_BYTES, verifyBytes, writeNewFileSync, writeVerified } from './content.js';
import {
  DuplicateNameError,
  MissingNameError,
  InvalidNameError,
  OverwriteDisallowedError,
  PathTraversalError,
  StoreClosedError,
} from './errors.js';
import { inTempFolder, inUserTerms, relativeTo } from './fs-errors.js';
import {
  assertNoSymlinkEscape,
  assertPortableName,
  hasCode,
  isWithin,
  realPathOfMaybeMissing,
  resolveFrom,
  showName,
} from './paths.js';
import {
  extractTarGzip,
  mkdirs,
  recheckSymlink,
  removeEmptyFolders,
  removeStaleTempFiles,
  siblingTempPath,
  tempPathIn,
  UnpackBudget,
} from './tar-extract.js';
import { TempFiles } from '../internal/temp-files.js';
import { loadZlib } from '../internal/zlib.js';
import { reproducibleMtime, tarDirectory } from './tar-writer.js';

/** The most bytes of unnamed content the default fallback store holds per blob: 4 MiB. */
export const DEFAULT_FALLBACK_LIMIT = 4 * 1024 * 1024;

/** The most uncompressed bytes one directory layer may unpack to by default: 16 GiB. */
export const DEFAULT_MAX_UNPACK_BYTES = 16 * 1024 * 1024 * 1024;

/**
 * The most uncompressed bytes all directory layers written to one store may unpack to together
 * by default: 64 GiB (or `maxUnpackBytes`, when that is larger).
 */
export const DEFAULT_MAX_UNPACK_TOTAL_BYTES = 64 * 1024 * 1024 * 1024;

/** The media type of an added file when none is given. */
export const DEFAULT_FILE_MEDIA_TYPE: string = MediaType.ImageLayer;

/** The media type of an added directory (a tar+gzip) when none is given. */
export const DEFAULT_DIRECTORY_MEDIA_TYPE: string = MediaType.ImageLayerGzip;

/** Options of {@link FileStore.add}. */
export interface FileStoreAddOptions extends OperationOptions {
  /**
   * Called while a directory is packed, with how many bytes of its tar stream (the files'
   * contents and their headers) have been read so far: for a "packing" state on a progress
   * display. Not called for a file.
   */
  readonly onPacking?: ((bytesRead: number) => void) | undefined;
}

/** How a {@link FileStore} reads and writes. Every flag is off by default. */
export interface FileStoreOptions {
  /**
   * Allow names that lead outside the working directory (`..`, absolute paths). Tar entries of
   * directory layers are checked all the same: this widens where a layer goes, not what it holds.
   */
  readonly allowPathTraversalOnWrite?: boolean | undefined;
  /** Refuse to write where a file already exists (`oras pull --keep-old-files`). */
  readonly disableOverwrite?: boolean | undefined;
  /**
   * Do not restore files deduplicated by content: when two layers have the same digest and
   * different names, a copy writes only the first. By default the store writes the others too.
   */
  readonly forceCAS?: boolean | undefined;
  /** Discard unnamed content instead of keeping it in the fallback store. */
  readonly ignoreNoName?: boolean | undefined;
  /** Save directory layers as their tar+gzip instead of unpacking them. */
  readonly skipUnpack?: boolean | undefined;
  /** Apply archived modes exactly, ignoring the umask (`tar -p`). */
  readonly preservePermissions?: boolean | undefined;
  /**
   * Pack added directories reproducibly: every mtime is `SOURCE_DATE_EPOCH` (or 0), so the same
   * folder always gives the same digest. Entries are always sorted and owned by uid/gid 0.
   */
  readonly tarReproducible?: boolean | undefined;
  /** The most bytes of one unnamed blob the fallback store accepts (default 4 MiB). */
  readonly fallbackLimit?: number | undefined;
  /** The most uncompressed bytes one directory layer may unpack to (default 16 GiB). */
  readonly maxUnpackBytes?: number | undefined;
  /**
   * The most uncompressed bytes all directory layers written to this store may unpack to together
   * (default 64 GiB, or `maxUnpackBytes` when that is larger). A store serves one pull, so this is
   * the limit per pull; a layer that would go past it is refused and undone, and the layers before
   * it stay.
   */
  readonly maxUnpackTotalBytes?: number | undefined;
  /**
   * Where the store keeps its temporary files: the tar+gzip of directories added, and the
   * download of directory layers while they unpack. By default, added directories are packed in
   * the OS temp dir, and directory layers are downloaded into the working directory (as
   * `.oras-<pid>-<random>.tmp`: on the same file system as where they unpack, and removed by the
   * next store writing there if this process is killed).
   */
  readonly tempDir?: string | undefined;
  /**
   * Called after the store wrote a file again under another name (the successor `desc` of a
   * manifest just pushed, whose content the store held under a different title, unless
   * `forceCAS`); `oras pull` prints "Restored" for it. A copy moves content with one digest only
   * once, so without this hook the second name would go unreported.
   */
  readonly onRestored?: ((desc: Descriptor) => void | Promise<void>) | undefined;
  /**
   * Called when a directory layer `desc` has been received and verified and its unpacking into
   * the working directory starts (not with `skipUnpack`). Unpacking a large folder takes a while
   * after the last byte arrived; this says what the store is doing meanwhile.
   */
  readonly onUnpacking?: ((desc: Descriptor) => void | Promise<void>) | undefined;
}

/**
 * A folder the store writes files into, as it was when first written to: where it really is
 * (symlinks resolved), and which of its entries were symlinks then.
 */
interface Folder {
  /** The folder's real path (of its deepest existing ancestor, joined with the rest, if missing). */
  readonly real: string;
  /** Whether it lies inside the working directory, by name and really. */
  readonly inside: boolean;
  /**
   * The names of the symlinks it held when listed: a file written under one of them is checked
   * where it leads. Unknown (every file is checked) when the folder could not be listed.
   */
  readonly symlinks: ReadonlySet<string> | undefined;
}

/** The stores of this process that are open, for {@link cleanupFileStoresSync}. */
const openStores = new Set<FileStore>();

/**
 * Removes, synchronously, the temporary files of every {@link FileStore} of this process that is
 * still open, and closes those stores: for a `SIGINT`/`SIGTERM` or `exit` handler, where nothing
 * asynchronous gets to finish. Never throws. See {@link FileStore.cleanupSync}.
 */
export function cleanupFileStoresSync(): void {
  for (const store of [...openStores]) store.cleanupSync();
}

/**
 * A content store on the file system: a {@link Target} with tags kept in memory, able to find
 * predecessors. Call {@link FileStore.close} when done; it removes the temporary files (and
 * {@link FileStore.cleanupSync} does, synchronously, from a signal handler).
 *
 * Why names matter: a named blob is located by its title, not its digest, so two names with the
 * same content are two files, and a second push of one name is a {@link DuplicateNameError}.
 */
export class FileStore implements Target, PredecessorFinder {
  /** The absolute working directory. */
  readonly workingDir: string;
  readonly #options: FileStoreOptions;
  #closed = false;
  readonly #digestToPath = new Map<string, string>();
  readonly #names = new Set<string>();
  readonly #tempFiles = new TempFiles();
  readonly #unpackBudget: UnpackBudget;
  /** Folders already cleared of the temp files of killed writers. */
  readonly #swept = new Set<string>();
  readonly #fallback = new Map<string, Uint8Array>();
  readonly #tags = new Map<string, Descriptor>();
  readonly #manifests = new Map<string, Descriptor>();
  readonly #predecessors = new Map<string, Map<string, Descriptor>>();
  /**
   * Symlinks unpacked by directory layers (real paths) and the folder each must stay in: later
   * layers may not go through them, and are checked not to turn them outward.
   */
  readonly #layerSymlinks = new Map<string, string>();
  /**
   * The working directory's real path, resolved once (see {@link FileStore.#realRoot}): the
   * promise, then its value once it is known.
   */
  #realRootPath: Promise<string> | string | undefined;
  /**
   * The folders files were written into (see {@link FileStore.#folder}): a promise while one is
   * looked at, then its value.
   */
  readonly #folders = new Map<string, Promise<Folder> | Folder>();

  /** A store rooted at `workingDir` (made absolute against the process's working directory). */
  constructor(workingDir: string, options: FileStoreOptions = {}) {
    this.workingDir = resolve(workingDir);
    this.#options = options;
    const perLayer = options.maxUnpackBytes ?? DEFAULT_MAX_UNPACK_BYTES;
    this.#unpackBudget = new UnpackBudget(
      options.maxUnpackTotalBytes ?? Math.max(DEFAULT_MAX_UNPACK_TOTAL_BYTES, perLayer),
    );
    openStores.add(this);
  }

  /** Opens a store rooted at `workingDir`; the same as the constructor, for symmetry with other stores. */
  static async open(workingDir: string, options: FileStoreOptions = {}): Promise<FileStore> {
    return new FileStore(workingDir, options);
  }

  /**
   * Adds the file or directory at `path` (relative to the working directory; default `name`)
   * under `name`, and returns its descriptor, titled `name`. A file keeps its bytes (default
   * media type `application/vnd.oci.image.layer.v1.tar`); a directory is packed as tar+gzip into
   * a temporary file (default `...tar+gzip`) with the annotations `io.deis.oras.content.digest`
   * (sha256 of the uncompressed tar) and `io.deis.oras.content.unpack: "true"`.
   */
  async add(name: string, mediaType = '', path = '', options: FileStoreAddOptions = {}): Promise<Descriptor> {
    this.#assertOpen();
    if (name === '') throw new MissingNameError('file store: add: missing name');
    this.#claimName(name);
    try {
      const source = resolve(this.workingDir, path === '' ? name : path);
      const stats = await stat(source);
      const desc = stats.isDirectory()
        ? await this.#descriptorFromDirectory(name, mediaType, source, options.signal, options.onPacking)
        : await this.#descriptorFromFile(mediaType, source, options.signal);
      return { ...desc, annotations: { ...desc.annotations, [Annotation.Title]: name } };
    } catch (err) {
      this.#names.delete(name);
      throw err;
    }
  }

  /**
   * Returns the content as a stream verified against `target`'s size and digest. A titled
   * descriptor is found only when its name exists in the store.
   */
  async fetch(target: Descriptor, _options: OperationOptions = {}): Promise<ReadableStream<Uint8Array>> {
    this.#assertOpen();
    const name = titleOf(target);
    if (name !== '' && !this.#names.has(name)) {
      throw new NotFoundError(`${name}: ${target.mediaType}: not found`);
    }
    const path = this.#digestToPath.get(target.digest);
    if (path !== undefined) {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, 'r');
      } catch (err) {
        if (hasCode(err, 'ENOENT'))
          throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`, { cause: err });
        throw err;
      }
      return verifyStream(toReadableStream(handle.createReadStream({ highWaterMark: 1 << 20 })), target);
    }
    const bytes = this.#fallback.get(target.digest);
    if (bytes !== undefined) return verifyStream(toReadableStream(bytes), target);
    throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`);
  }

  /**
   * Stores `content`. Titled content is written under its title (a folder, unpacked, when it is a
   * directory layer); untitled content goes to the fallback store, or nowhere with `ignoreNoName`.
   * A file is written to a temporary name beside its target and renamed only after its size and
   * digest are verified. After a manifest, files that share content with another name are
   * restored (unless `forceCAS`, each reported to `onRestored`) and the manifest's successors are
   * indexed for `predecessors`.
   */
  async push(expected: Descriptor, content: ContentSource, options: OperationOptions = {}): Promise<void> {
    this.#assertOpen();
    const name = titleOf(expected);
    if (name === '') {
      if (this.#options.ignoreNoName) {
        if (content instanceof ReadableStream) await content.cancel();
        return;
      }
      await this.#pushFallback(expected, content, options.signal);
    } else {
      await this.#pushNamed(name, expected, content, options.signal);
    }
    if (!hasSuccessors(expected)) return;
    const bytes = await readAll(await this.fetch(expected), expected, { signal: options.signal });
    const successors = successorsOf(expected, bytes);
    if (!this.#options.forceCAS) await this.#restoreDuplicates(successors, options.signal);
    this.#manifests.set(expected.digest, expected);
    const predecessor = describeReferrer(expected, bytes);
    for (const successor of successors) {
      let set = this.#predecessors.get(successor.digest);
      if (set === undefined) {
        set = new Map();
        this.#predecessors.set(successor.digest, set);
      }
      set.set(expected.digest, predecessor);
    }
  }

  /** Whether the content exists; a titled descriptor exists only when its name does. */
  exists(target: Descriptor, _options: OperationOptions = {}): Promise<boolean> {
    // (not an async function: a copy asks this of every node, and the answer is known at once)
    try {
      this.#assertOpen();
      const name = titleOf(target);
      if (name !== '' && !this.#names.has(name)) return Promise.resolve(false);
      return Promise.resolve(this.#digestToPath.has(target.digest) || this.#fallback.has(target.digest));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Resolves a tag, or the digest of a manifest pushed to the store, to its descriptor. */
  async resolve(reference: string, _options: OperationOptions = {}): Promise<Descriptor> {
    this.#assertOpen();
    if (reference === '') throw new MissingReferenceError('file store: resolve: missing reference');
    const desc = this.#tags.get(reference) ?? this.#manifests.get(reference);
    if (desc === undefined) throw new NotFoundError(`${reference}: not found`);
    return desc;
  }

  /** Points the tag `reference` at `target`, which must exist in the store. */
  async tag(target: Descriptor, reference: string, options: OperationOptions = {}): Promise<void> {
    this.#assertOpen();
    if (reference === '') throw new MissingReferenceError('file store: tag: missing reference');
    if (!(await this.exists(target, options))) {
      throw new NotFoundError(`${target.digest}: ${target.mediaType}: not found`);
    }
    this.#tags.set(reference, target);
  }

  /**
   * The manifests and indexes pushed to the store that point at `node`, each described as the
   * referrers API lists it (with its `artifactType` and annotations).
   */
  async predecessors(node: Descriptor, _options: OperationOptions = {}): Promise<Descriptor[]> {
    this.#assertOpen();
    return [...(this.#predecessors.get(node.digest)?.values() ?? [])];
  }

  /** Closes the store and removes its temporary files; later calls reject with {@link StoreClosedError}. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    openStores.delete(this);
    const failures = await this.#tempFiles.removeAll();
    if (failures.length > 0) {
      throw new OrasError(`file store: close: ${failures.length} temporary file(s) could not be removed`, {
        cause: new AggregateError(failures),
      });
    }
  }

  /**
   * Removes every temporary file the store created, synchronously, and closes the store: for a
   * signal or exit handler, where `close()` would not get to finish. Writes in progress fail
   * afterwards; a file a directory layer had replaced is put back under its name. Never throws.
   * Safe to call more than once, and after `close()`.
   */
  cleanupSync(): void {
    this.#closed = true;
    openStores.delete(this);
    this.#tempFiles.removeAllSync();
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('file store: the store is closed');
  }

  #claimName(name: string): void {
    if (this.#names.has(name)) throw new DuplicateNameError(`${showName(name)}: duplicate name`);
    this.#names.add(name);
  }

  /**
   * Removes the temp files of killed writers from `dir` (once per folder), when `dir` lies inside
   * the working directory, really (symlinks resolved) and not only by name: the sweep never looks
   * at a folder the store does not own, even one it may write to (`allowPathTraversalOnWrite`).
   */
  async #sweep(dir: string): Promise<void> {
    if (this.#swept.has(dir)) return;
    this.#swept.add(dir);
    if (!isWithin(this.workingDir, dir)) return;
    const realRoot = await this.#realRoot();
    if (!isWithin(realRoot, await realPathOfMaybeMissing(dir))) return;
    await removeStaleTempFiles(dir);
  }

  /**
   * The real path of the working directory, resolved once per store: every check of a name
   * compares with it. (Resolved again after a failure.)
   */
  #realRoot(): Promise<string> | string {
    if (this.#realRootPath === undefined) {
      const resolving = realPathOfMaybeMissing(this.workingDir).then(
        (real) => {
          if (this.#realRootPath === resolving) this.#realRootPath = real;
          return real;
        },
        (err: unknown) => {
          if (this.#realRootPath === resolving) this.#realRootPath = undefined;
          throw err;
        },
      );
      this.#realRootPath = resolving;
    }
    return this.#realRootPath;
  }

  /**
   * Prepares the folder `dir` for the files written into it, once per folder rather than once per
   * file (a pull of many small files spent most of its file-system time here): resolves where it
   * really is; unless it leads outside the working directory (and path traversal is not allowed),
   * creates it, removes the temp files of killed writers from it ({@link FileStore.#sweep}'s rule:
   * only inside the working directory), and notes which of its entries are symlinks. Forgotten
   * after each directory layer, which may add folders and symlinks anywhere.
   */
  #folder(dir: string): Promise<Folder> | Folder {
    let folder = this.#folders.get(dir);
    if (folder === undefined) {
      const opening = this.#openFolder(dir);
      folder = opening;
      this.#folders.set(dir, opening);
      // once known, kept as a value (read without an `await` by every file written there),
      // unless the folders were forgotten meanwhile
      opening.then(
        (value) => {
          if (this.#folders.get(dir) === opening) this.#folders.set(dir, value);
        },
        () => {
          if (this.#folders.get(dir) === opening) this.#folders.delete(dir);
        },
      );
    }
    return folder;
  }

  async #openFolder(dir: string): Promise<Folder> {
    const realRoot = await this.#realRoot();
    const real = await realPathOfMaybeMissing(dir);
    const inside = isWithin(this.workingDir, dir) && isWithin(realRoot, real);
    if (!inside && !this.#options.allowPathTraversalOnWrite) return { real, inside, symlinks: undefined };
    if (!inside) {
      await mkdir(dir, { recursive: true });
      return { real, inside, symlinks: undefined };
    }
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (hasCode(err, 'ENOTDIR')) throw err; // a file is in the way
      if (!hasCode(err, 'ENOENT')) return { real, inside, symlinks: undefined };
      // created here: empty, unless another writer made it first
      const created = await mkdir(dir, { recursive: true });
      try {
        entries = created === undefined ? await readdir(dir, { withFileTypes: true }) : [];
      } catch {
        return { real, inside, symlinks: undefined };
      }
    }
    if (!this.#swept.has(dir)) {
      this.#swept.add(dir);
      await removeStaleTempFiles(
        dir,
        entries.map((e) => e.name),
      );
    }
    const symlinks = new Set<string>();
    for (const entry of entries) if (entry.isSymbolicLink()) symlinks.add(entry.name);
    return { real, inside, symlinks };
  }

  #tempPath(suffix: string): string {
    return join(this.#options.tempDir ?? tmpdir(), `oras_file_${randomBytes(8).toString('hex')}${suffix}`);
  }

  async #descriptorFromFile(
    mediaType: string,
    path: string,
    signal: AbortSignal | undefined,
  ): Promise<Descriptor> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path, {
      highWaterMark: 1 << 20,
      signal,
    }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    const digest = `sha256:${hash.digest('hex')}`;
    this.#digestToPath.set(digest, path);
    return { mediaType: mediaType || DEFAULT_FILE_MEDIA_TYPE, digest, size };
  }

  async #descriptorFromDirectory(
    name: string,
    mediaType: string,
    dir: string,
    signal: AbortSignal | undefined,
    onPacking: ((bytesRead: number) => void) | undefined,
  ): Promise<Descriptor> {
    const gzPath = this.#tempPath('.tar.gz');
    this.#tempFiles.add(gzPath);
    const tarHash = createHash('sha256');
    const gzHash = createHash('sha256');
    let size = 0;
    let read = 0;
    const fixedMtime = this.#options.tarReproducible ? reproducibleMtime() : undefined;
    try {
      await pipeline(
        Readable.from(tarDirectory(dir, name, { fixedMtime, signal })),
        hashing((chunk) => {
          tarHash.update(chunk);
          read += chunk.length;
          onPacking?.(read);
        }),
        loadZlib().createGzip({ chunkSize: 1 << 18 }),
        hashing((chunk) => {
          gzHash.update(chunk);
          size += chunk.length;
        }),
        createWriteStream(gzPath, { flags: 'wx', mode: 0o600 }),
        signal === undefined ? {} : { signal },
      );
    } catch (err) {
      await rm(gzPath, { force: true });
      this.#tempFiles.delete(gzPath);
      if (signal?.aborted) throw new AbortedError(`${showName(name)}: packing aborted`, { cause: err });
      throw inTempFolder(err, gzPath);
    }
    const digest = `sha256:${gzHash.digest('hex')}`;
    this.#digestToPath.set(digest, gzPath);
    return {
      mediaType: mediaType || DEFAULT_DIRECTORY_MEDIA_TYPE,
      digest,
      size,
      annotations: {
        [Annotation.OrasContentDigest]: `sha256:${tarHash.digest('hex')}`,
        [Annotation.OrasContentUnpack]: 'true',
      },
    };
  }

  async #pushFallback(
    expected: Descriptor,
    content: ContentSource,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const limit = this.#options.fallbackLimit ?? DEFAULT_FALLBACK_LIMIT;
    if (expected.size > limit) {
      if (content instanceof ReadableStream) await content.cancel();
      throw new SizeExceedsLimitError(
        `${expected.digest}: ${expected.mediaType}: unnamed content of ${expected.size} bytes is over the fallback limit of ${limit}`,
      );
    }
    const bytes = await readAll(toReadableStream(content), expected, { maxBytes: limit, signal });
    this.#fallback.set(expected.digest, bytes);
  }

  async #pushNamed(
    name: string,
    expected: Descriptor,
    content: ContentSource,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    this.#claimName(name);
    try {
      const unpack =
        expected.annotations?.[Annotation.OrasContentUnpack] === 'true' && !this.#options.skipUnpack;
      const target = await this.#resolveWritePath(name, unpack);
      if (unpack) {
        await this.#pushDirectory(name, target, expected, content, signal);
      } else if (
        content instanceof Uint8Array &&
        content.byteLength <= SYNC_WRITE_BYTES &&
        !this.#options.disableOverwrite
      ) {
        this.#pushSmallFile(target, expected, content, signal);
      } else {
        await this.#pushFile(target, expected, content, signal);
      }
    } catch (err) {
      this.#names.delete(name);
      if (content instanceof ReadableStream && !content.locked) await content.cancel().catch(() => {});
      throw await inUserTerms(err, name, this.#lexicalPath(name), relativeTo(this.workingDir));
    }
  }

  /** Where `name` is, by name alone (no file-system check). */
  #lexicalPath(name: string): string {
    return isAbsolute(name) ? resolve(name) : resolveFrom(this.workingDir, name);
  }

  /**
   * Where `name` is written. Unless path traversal is allowed: refuses control characters and
   * Windows paths, names outside the working directory (lexically), names whose existing
   * ancestors resolve outside it through symlinks, and names that go through a symlink unpacked by
   * an earlier layer. With `disableOverwrite`, refuses a name that exists. For a file, its folder
   * is created (once: {@link FileStore.#folder}), and the file's own name is resolved only when it
   * was a symlink (or the folder could not be listed): `rename` replaces any other entry there.
   *
   * Always (path traversal allowed or not) refuses a file (`unpack` false) whose name is the
   * working directory itself or one of its parents (`.`, `a/..`, `../out`, the absolute path):
   * a file can never replace that folder, and its temporary file would be created beside it,
   * outside the working directory. A directory layer may be named `.` (`oras push .`): it
   * unpacks into the working directory.
   */
  async #resolveWritePath(name: string, unpack: boolean): Promise<string> {
    if (name.includes('\u0000'))
      throw new InvalidNameError(`name ${showName(name)}: contains a NUL character`);
    const path = this.#lexicalPath(name);
    if (!unpack && isWithin(path, this.workingDir)) {
      const what =
        path === this.workingDir ? 'the output directory itself' : 'a parent of the output directory';
      throw new InvalidNameError(`name ${showName(name)}: names ${what}, not a file in it`);
    }
    const checked = !this.#options.allowPathTraversalOnWrite;
    let realRoot = '';
    if (checked) {
      assertPortableName(name, 'name');
      if (!isWithin(this.workingDir, path)) {
        throw new PathTraversalError(`name ${showName(name)}: is outside the output directory`);
      }
      const root = this.#realRoot();
      realRoot = typeof root === 'string' ? root : await root;
      // (path is inside the working directory: the same path when that is its real path)
      const realPath = realRoot === this.workingDir ? path : join(realRoot, relative(this.workingDir, path));
      for (let p = realPath; isWithin(realRoot, p) && p !== realRoot; p = dirname(p)) {
        if (this.#layerSymlinks.has(p)) {
          throw new PathTraversalError(
            `name ${showName(name)}: goes through the symlink ${showName(relative(realRoot, p))} unpacked by another layer`,
          );
        }
      }
      if (unpack) await assertNoSymlinkEscape(realRoot, path, name);
    }
    if (!unpack) {
      // The folder is checked (and created) once; the file itself only when a symlink had its name.
      const known = this.#folder(dirname(path));
      const folder = known instanceof Promise ? await known : known;
      if (checked && !folder.inside) {
        throw new PathTraversalError(
          `${showName(name)}: resolves through a symlink to ${showName(join(folder.real, basename(path)))}, outside the output directory`,
        );
      }
      if (checked && (folder.symlinks === undefined || folder.symlinks.has(basename(path)))) {
        await assertNoSymlinkEscape(realRoot, path, name);
      }
    }
    if (this.#options.disableOverwrite) {
      try {
        await lstat(path);
        throw new OverwriteDisallowedError(`${showName(name)}: ${path} already exists`);
      } catch (err) {
        if (!hasCode(err, 'ENOENT')) throw err;
      }
    }
    return path;
  }

  /**
   * {@link FileStore.#pushFile} of small content in memory, without `disableOverwrite`: checked
   * before any file exists, then written and renamed with blocking calls (no async step at all,
   * so no promise or turn of the event loop per small file).
   */
  #pushSmallFile(
    target: string,
    expected: Descriptor,
    content: Uint8Array,
    signal: AbortSignal | undefined,
  ): void {
    verifyBytes(content, expected, signal);
    const temp = siblingTempPath(target);
    this.#tempFiles.add(temp);
    try {
      writeNewFileSync(temp, content);
      this.#assertOpen(); // cleanupSync() ran meanwhile: nothing more is written
      // rename() replaces a symlink at the target instead of writing through it.
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    } finally {
      this.#tempFiles.delete(temp);
    }
    this.#digestToPath.set(expected.digest, target);
  }

  async #pushFile(
    target: string,
    expected: Descriptor,
    content: ContentSource,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    // small content in memory (here with `disableOverwrite`: see #pushSmallFile for the rest) is
    // checked before any file exists, then written with blocking calls
    const small = content instanceof Uint8Array && content.byteLength <= SYNC_WRITE_BYTES;
    if (small) verifyBytes(content, expected, signal);
    const temp = siblingTempPath(target);
    this.#tempFiles.add(temp);
    try {
      if (small) {
        writeNewFileSync(temp, content);
      } else {
        const handle = await open(temp, 'wx', 0o666);
        try {
          await writeVerified(handle, content, expected, signal);
        } finally {
          await handle.close();
        }
      }
      this.#assertOpen(); // cleanupSync() ran meanwhile: nothing more is written
      if (this.#options.disableOverwrite) {
        // link() never replaces: a file that appeared meanwhile is not overwritten.
        await link(temp, target).catch((err: unknown) => {
          if (hasCode(err, 'EEXIST'))
            throw new OverwriteDisallowedError(`${target} already exists`, { cause: err });
          throw err;
        });
        await rm(temp, { force: true });
      } else {
        // rename() replaces a symlink at the target instead of writing through it.
        await rename(temp, target);
      }
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    } finally {
      this.#tempFiles.delete(temp);
    }
    this.#digestToPath.set(expected.digest, target);
  }

  /**
   * Downloads a directory layer to a temporary file (in `tempDir`, else in the working
   * directory, named like the temp files a sweep removes), then unpacks it into `target`. A
   * layer that fails is undone: what it created is removed (the folders too), the files it
   * replaced are put back.
   */
  async #pushDirectory(
    name: string,
    target: string,
    expected: Descriptor,
    content: ContentSource,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    let gzPath: string;
    if (this.#options.tempDir === undefined) {
      await mkdir(this.workingDir, { recursive: true });
      await this.#sweep(this.workingDir);
      gzPath = tempPathIn(this.workingDir);
    } else {
      gzPath = this.#tempPath('.tar.gz');
    }
    this.#tempFiles.add(gzPath);
    let created: string[] = [];
    try {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(gzPath, 'wx', 0o600);
      } catch (err) {
        throw inTempFolder(err, gzPath);
      }
      try {
        await writeVerified(handle, content, expected, signal).catch((err: unknown) => {
          throw inTempFolder(err, gzPath);
        });
      } finally {
        await handle.close();
      }
      this.#assertOpen(); // cleanupSync() ran meanwhile: nothing more is written
      await this.#options.onUnpacking?.(expected);
      // The working directory stays even when made for this layer: other writes may be under way in it.
      created = (await mkdirs(target)).filter(
        (dir) => dir !== this.workingDir && isWithin(this.workingDir, dir),
      );
      const base = await realpath(target);
      if (!this.#options.allowPathTraversalOnWrite) {
        await assertNoSymlinkEscape(await this.#realRoot(), base, name);
      }
      // The layer may add folders and symlinks anywhere: what the store knew of folders goes
      // stale, during the unpacking and after it.
      this.#folders.clear();
      let layer: Awaited<ReturnType<typeof extractTarGzip>>;
      try {
        layer = await extractTarGzip(gzPath, base, {
          prefix: name,
          tarDigest: expected.annotations?.[Annotation.OrasContentDigest] || undefined,
          maxBytes: this.#options.maxUnpackBytes ?? DEFAULT_MAX_UNPACK_BYTES,
          budget: this.#unpackBudget,
          preservePermissions: this.#options.preservePermissions,
          temps: this.#tempFiles,
          sweep: (dir) => this.#sweep(dir),
          signal,
        });
      } finally {
        this.#folders.clear();
      }
      try {
        for (const link of layer.symlinks) this.#layerSymlinks.set(link, base);
        await this.#recheckLayerSymlinks();
      } catch (err) {
        for (const link of layer.symlinks) this.#layerSymlinks.delete(link);
        await layer.undo();
        throw err;
      }
      await layer.keep();
    } catch (err) {
      await removeEmptyFolders(created);
      this.#folders.clear();
      await rm(gzPath, { force: true });
      this.#tempFiles.delete(gzPath);
      throw err;
    }
    this.#digestToPath.set(expected.digest, gzPath);
  }

  /** Checks that no symlink of an earlier layer leads out now that another layer was unpacked. */
  async #recheckLayerSymlinks(): Promise<void> {
    for (const [link, base] of this.#layerSymlinks) {
      if (!(await recheckSymlink(base, link))) this.#layerSymlinks.delete(link);
    }
  }

  /** Writes again, under their own names, successors whose content the store holds under another. */
  async #restoreDuplicates(
    successors: readonly Descriptor[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    for (const successor of successors) {
      const name = titleOf(successor);
      if (name === '' || this.#names.has(name)) continue;
      const plain = { mediaType: successor.mediaType, digest: successor.digest, size: successor.size };
      let stream: ReadableStream<Uint8Array>;
      try {
        stream = await this.fetch(plain);
      } catch (err) {
        if (NotFoundError.is(err)) continue; // a manifest may come before its blobs
        throw err;
      }
      try {
        await this.#pushNamed(name, successor, stream, signal);
      } catch (err) {
        if (DuplicateNameError.is(err)) continue;
        throw new OrasError(`${showName(name)}: ${successor.mediaType}: failed to restore duplicated file`, {
          cause: err,
          code: OrasError.is(err) ? err.code : undefined,
        });
      }
      await this.#options.onRestored?.(successor);
    }
  }
}

function titleOf(desc: Descriptor): string {
  return desc.annotations?.[Annotation.Title] ?? '';
}

function hashing(onChunk: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      callback(null, chunk);
    },
  });
}
