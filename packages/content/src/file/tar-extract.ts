/**
 * Unpacks a directory layer (a tar+gzip) into its folder, entry by entry, with every check of
 * oras-go's `extractTarDirectory` and the fixes of its advisories:
 *
 * - an entry must sit under `<name>/`, is not absolute, has no control characters or drive path;
 * - no existing component between the folder and the entry is a symlink;
 * - a file replaces whatever symlink was at its name (written to a temp file, then renamed), so
 *   nothing is ever written through a link, and no half-written file has the final name;
 * - symlink targets must be relative and stay inside the folder at every step of their
 *   resolution; after unpacking every symlink is checked again (a later link may have changed
 *   where an earlier one leads);
 * - hard-link targets are archive paths (a tar hard link names an earlier member of the same
 *   archive, from the archive's root, as GNU tar writes them): they must sit under `<name>/` and
 *   be regular files this same layer wrote (never a file of another layer, never a file outside);
 * - the uncompressed size is capped per layer and, through an {@link UnpackBudget} shared by the
 *   layers of one store, in total (decompression bombs), and the tar's digest is checked against
 *   the layer's `io.deis.oras.content.digest` before anything is written;
 * - a layer that fails part-way is undone: what it created is removed, and the files it replaced
 *   (kept aside as hard links while it unpacks) are put back, so the user's files stay as they were.
 */
import { createReadStream } from 'node:fs';
import {
  chmod,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  rename,
  rm,
  rmdir,
  symlink,
  unlink,
  utimes,
} from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, posix, relative } from 'node:path';
import { pipeline } from 'node:stream';
import {
  AbortedError,
  createDigesterFor,
  MismatchedDigestError,
  OrasError,
  SizeExceedsLimitError,
} from '@oras/spec';
import { PathTraversalError } from './errors.js';
import { inUserTerms } from './fs-errors.js';
import {
  assertNoSymlinkComponents,
  assertPortableName,
  entryParts,
  hasCode,
  isWithin,
  showName,
  walkInside,
} from './paths.js';
import { type TarEntry, TarReader } from './tar-reader.js';
import { TempFiles } from '../internal/temp-files.js';
import { loadZlib } from '../internal/zlib.js';

/**
 * The uncompressed bytes all directory layers of one store may unpack to together, shared by
 * their unpacks (concurrent ones included). A layer that fails gives its bytes back: what it
 * wrote is removed.
 */
export class UnpackBudget {
  /** The most bytes, all layers together. */
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** The bytes still free. */
  get remaining(): number {
    return this.limit - this.#used;
  }

  /** Takes `bytes` for the layer `name`; throws a `SizeExceedsLimitError` when they are not free. */
  take(bytes: number, name: string): void {
    if (this.#used + bytes > this.limit) {
      throw new SizeExceedsLimitError(
        `${showName(name)}: unpacked size exceeds the limit of ${this.limit} bytes for all directory layers together`,
      );
    }
    this.#used += bytes;
  }

  /** Gives back bytes taken by a layer that was undone. */
  release(bytes: number): void {
    this.#used -= bytes;
  }
}

/** How a directory layer is unpacked. */
export interface ExtractOptions {
  /** The layer's name: every entry must sit under `<prefix>/`. */
  readonly prefix: string;
  /** The expected digest of the uncompressed tar; checked before anything is written. */
  readonly tarDigest?: string | undefined;
  /** The most uncompressed bytes to read for this layer. */
  readonly maxBytes: number;
  /** The budget of all layers together, when there is one. */
  readonly budget?: UnpackBudget | undefined;
  /** Apply modes exactly as archived, ignoring the umask (`tar -p`). */
  readonly preservePermissions?: boolean | undefined;
  /** Where temporary files (and backups of replaced files) are recorded while they exist. */
  readonly temps?: TempFiles | undefined;
  /**
   * Clears a folder of the temp files of killed writers before the first write into it; the
   * caller decides which folders it owns. No sweep without it.
   */
  readonly sweep?: ((dir: string) => Promise<void>) | undefined;
  /** Aborts unpacking. */
  readonly signal?: AbortSignal | undefined;
}

/** A layer unpacked, not yet final: the caller keeps it or undoes it. */
export interface ExtractResult {
  /** Absolute paths of the symlinks created (and still there). */
  readonly symlinks: readonly string[];
  /** Makes the layer final: drops the backups of the files it replaced. */
  keep(): Promise<void>;
  /** Removes what the layer created and puts back the files it replaced. */
  undo(): Promise<void>;
}

/**
 * A temp-file name next to `path`, unique enough to be created with `O_EXCL`. It carries the
 * writer's process id, so a later run can tell the leftovers of a killed writer from the files of
 * one still at work ({@link removeStaleTempFiles}).
 */
export function siblingTempPath(path: string): string {
  return tempPathIn(dirname(path));
}

/** Random bytes drawn 8 at a time for temp names: one `randomBytes` call per 256 names. */
let entropy = Buffer.alloc(0);
let entropyOffset = 0;

function randomHex8(): string {
  if (entropyOffset >= entropy.length) {
    entropy = randomBytes(2048);
    entropyOffset = 0;
  }
  const hex = entropy.toString('hex', entropyOffset, entropyOffset + 8);
  entropyOffset += 8;
  return hex;
}

/** A temp-file name in the folder `dir`, as {@link siblingTempPath} makes them. */
export function tempPathIn(dir: string): string {
  return join(dir, `.oras-${process.pid}-${randomHex8()}.tmp`);
}

/**
 * `mkdir -p path`; returns the folders it created, outermost first (none when `path` existed),
 * so that a failure can remove them again.
 */
export async function mkdirs(path: string, mode = 0o777): Promise<string[]> {
  const first = await mkdir(path, { recursive: true, mode });
  const created: string[] = [];
  if (first === undefined) return created;
  for (let p = path; p.length >= first.length && p !== dirname(p); p = dirname(p)) created.unshift(p);
  return created;
}

/** Removes the folders `created` (outermost first, as {@link mkdirs} gives them) that are empty. */
export async function removeEmptyFolders(created: readonly string[]): Promise<void> {
  for (const dir of [...created].reverse()) await rmdir(dir).catch(() => undefined);
}

const TEMP_NAME = /^\.oras-(\d+)-[0-9a-f]{16}\.tmp$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return hasCode(err, 'EPERM');
  }
}

/**
 * Removes from `dir` the temp files of {@link siblingTempPath} whose writer is gone (a pull killed
 * with SIGKILL cannot clean up after itself), so the next run leaves only complete files. Files of
 * live writers, and every other name, stay. `names`, when given, is the folder's listing, already
 * read by the caller.
 */
export async function removeStaleTempFiles(dir: string, names?: readonly string[]): Promise<void> {
  if (names === undefined) {
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    await unlink(join(dir, name)).catch(() => {});
  }
}

/**
 * Yields the uncompressed bytes of a gzip file, counted against `maxBytes` (and passed to `take`,
 * which may refuse them) and fed to `onChunk`.
 */
async function* gunzipFile(
  path: string,
  options: ExtractOptions,
  onChunk: (chunk: Uint8Array) => void,
  take?: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  const gunzip = pipeline(
    createReadStream(path, { highWaterMark: 1 << 20 }),
    loadZlib().createGunzip({ chunkSize: 1 << 18 }),
    () => {},
  );
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > options.maxBytes) {
        throw new SizeExceedsLimitError(
          `${showName(options.prefix)}: unpacked size exceeds the limit of ${options.maxBytes} bytes`,
        );
      }
      take?.(chunk.length);
      onChunk(chunk);
      yield chunk;
    }
  } finally {
    gunzip.destroy();
  }
}

/**
 * Reads the whole uncompressed tar and checks its digest, without writing anything; refuses a
 * tar larger than what the budget has left before anything is written, too.
 */
async function verifyTarDigest(gzPath: string, options: ExtractOptions): Promise<void> {
  const expected = options.tarDigest as string;
  const digester = createDigesterFor(expected);
  let total = 0;
  for await (const chunk of gunzipFile(gzPath, options, (c) => digester.update(c))) {
    options.signal?.throwIfAborted();
    total += chunk.byteLength;
  }
  const actual = digester.digest();
  if (actual !== expected) {
    throw new MismatchedDigestError(
      `${showName(options.prefix)}: content digest mismatch: the tar is ${actual}, the annotation says ${expected}`,
    );
  }
  if (options.budget !== undefined && total > options.budget.remaining) {
    options.budget.take(total, options.prefix); // throws, naming the limit
  }
}

/**
 * Unpacks the tar+gzip at `gzPath` into `base` (a real, existing directory). Throws before writing
 * when the tar digest does not match; a refused entry stops unpacking with a `PathTraversalError`.
 * On any failure what the layer did is undone before this rejects; on success the caller calls
 * `keep()` or `undo()` on the result.
 */
export async function extractTarGzip(
  gzPath: string,
  base: string,
  options: ExtractOptions,
): Promise<ExtractResult> {
  if (options.tarDigest !== undefined) await verifyTarDigest(gzPath, options);
  const digester = options.tarDigest === undefined ? undefined : createDigesterFor(options.tarDigest);
  let taken = 0;
  const take = (bytes: number) => {
    options.budget?.take(bytes, options.prefix);
    taken += bytes;
  };
  const reader = new TarReader(gunzipFile(gzPath, options, (c) => digester?.update(c), take));
  const unpacker = new Unpacker(base, reader, options);
  const undo = async () => {
    await unpacker.undo();
    options.budget?.release(taken);
    taken = 0;
  };
  try {
    for (let entry = await reader.next(); entry !== undefined; entry = await reader.next()) {
      if (options.signal?.aborted)
        throw new AbortedError(`${showName(options.prefix)}: unpacking aborted`, {
          cause: options.signal.reason,
        });
      await unpacker.unpack(entry);
    }
    await reader.drain();
    if (digester !== undefined && digester.digest() !== options.tarDigest) {
      throw new MismatchedDigestError(
        `${showName(options.prefix)}: content digest mismatch: the tar changed while unpacking`,
      );
    }
    await unpacker.recheckSymlinks();
    await unpacker.finishDirectories();
  } catch (err) {
    await undo();
    throw err;
  }
  return { symlinks: [...unpacker.symlinks], keep: () => unpacker.keep(), undo };
}

/**
 * Checks that the symlink at `path`, unpacked into `base`, still resolves inside `base`: links
 * unpacked later (by the same layer or another) can change where it leads. A symlink that now
 * leads out is removed and reported with a `PathTraversalError`. Returns `false` when `path` is no
 * longer a symlink (something replaced it), `true` when it is and is safe.
 */
export async function recheckSymlink(base: string, path: string): Promise<boolean> {
  let target: string;
  try {
    target = await readlink(path);
  } catch (err) {
    if (hasCode(err, 'ENOENT', 'EINVAL')) return false;
    throw err;
  }
  try {
    await walkInside(base, dirname(path), target, relative(base, path));
  } catch (err) {
    if (PathTraversalError.is(err)) await rm(path, { force: true });
    throw err;
  }
  return true;
}

/** How an entry that is not a plain file is named in an error. */
const ENTRY_KINDS: Readonly<Record<string, string>> = {
  Directory: 'the folder',
  SymbolicLink: 'the symlink',
  Link: 'the hard link',
};

class Unpacker {
  readonly symlinks = new Set<string>();
  readonly #base: string;
  readonly #reader: TarReader;
  readonly #options: ExtractOptions;
  readonly #files = new Set<string>();
  readonly #directories: { path: string; mode: number; mtime: Date | undefined }[] = [];
  readonly #temps: TempFiles;
  /** Every path this layer wrote, with the backup of what was there before (none: it was new). */
  readonly #written = new Map<string, string | undefined>();
  /** Folders this layer created, in the order created. */
  readonly #createdDirectories: string[] = [];
  /** Temp files of this layer not renamed into place yet. */
  readonly #pending = new Set<string>();

  constructor(base: string, reader: TarReader, options: ExtractOptions) {
    this.#base = base;
    this.#reader = reader;
    this.#options = options;
    this.#temps = options.temps ?? new TempFiles();
  }

  async unpack(entry: TarEntry): Promise<void> {
    const parts = entryParts(this.#options.prefix, entry.path);
    const path = join(this.#base, ...parts);
    try {
      switch (entry.type) {
        case 'Directory':
          await assertNoSymlinkComponents(this.#base, parts, entry.path);
          return await this.#directory(entry, path);
        case 'File':
        case 'OldFile':
        case 'ContiguousFile':
          await this.#assertWritable(entry, parts);
          return await this.#file(entry, path);
        case 'SymbolicLink':
          await this.#assertWritable(entry, parts);
          return await this.#symlink(entry, path);
        case 'Link':
          await this.#assertWritable(entry, parts);
          return await this.#hardLink(entry, path);
        default:
          // Devices, FIFOs and vendor types are skipped, as oras-go does.
          return;
      }
    } catch (err) {
      throw await inUserTerms(
        err,
        entry.path,
        path,
        (p) => (isWithin(this.#base, p) ? posix.join(this.#options.prefix, relative(this.#base, p)) : p),
        ENTRY_KINDS[entry.type],
      );
    }
  }

  async #assertWritable(entry: TarEntry, parts: readonly string[]): Promise<void> {
    if (parts.length === 0) {
      throw new PathTraversalError(`tar entry ${showName(entry.path)}: would replace the layer's own folder`);
    }
    await assertNoSymlinkComponents(this.#base, parts, entry.path);
    await this.#mkdirs(dirname(join(this.#base, ...parts)), 0o755);
  }

  /** `mkdir -p`, remembering the folders it created so that an undo removes them. */
  async #mkdirs(path: string, mode: number): Promise<void> {
    this.#createdDirectories.push(...(await mkdirs(path, mode)));
  }

  async #directory(entry: TarEntry, path: string): Promise<void> {
    try {
      const stats = await lstat(path);
      if (stats.isSymbolicLink()) {
        throw new PathTraversalError(
          `tar entry ${showName(entry.path)}: a symlink is in the way of the directory`,
        );
      }
      if (!stats.isDirectory()) {
        throw new OrasError(`tar entry ${showName(entry.path)}: a file is in the way of the directory`);
      }
    } catch (err) {
      if (!hasCode(err, 'ENOENT')) throw err;
      await this.#mkdirs(path, (entry.mode & 0o777) | 0o700);
    }
    this.#directories.push({ path, mode: entry.mode, mtime: entry.mtime });
  }

  async #file(entry: TarEntry, path: string): Promise<void> {
    const temp = await this.#newTemp(path);
    const handle = await open(temp, 'wx', entry.mode & 0o777);
    try {
      for await (const chunk of this.#reader.body()) await handle.write(chunk);
    } finally {
      await handle.close();
    }
    if (this.#options.preservePermissions) await chmod(temp, entry.mode & 0o7777);
    if (entry.mtime !== undefined) await utimes(temp, entry.mtime, entry.mtime).catch(() => {});
    await this.#place(temp, path);
    this.#files.add(path);
    this.symlinks.delete(path);
  }

  async #symlink(entry: TarEntry, path: string): Promise<void> {
    if (entry.linkpath === '')
      throw new PathTraversalError(`tar entry ${showName(entry.path)}: symlink without a target`);
    assertPortableName(entry.linkpath, `symlink ${showName(entry.path)} target`);
    await walkInside(this.#base, dirname(path), entry.linkpath, `tar entry ${entry.path}`);
    const temp = await this.#newTemp(path);
    await symlink(entry.linkpath, temp);
    await this.#place(temp, path);
    this.symlinks.add(path);
    this.#files.delete(path);
  }

  async #hardLink(entry: TarEntry, path: string): Promise<void> {
    if (entry.linkpath === '')
      throw new PathTraversalError(`tar entry ${showName(entry.path)}: hard link without a target`);
    assertPortableName(entry.linkpath, `hard link ${showName(entry.path)} target`);
    const target = this.#hardLinkTarget(entry);
    if (!this.#files.has(target)) {
      throw new PathTraversalError(
        `tar entry ${showName(entry.path)}: hard link to ${showName(entry.linkpath)}, which is not a file of this layer`,
      );
    }
    const temp = await this.#newTemp(path);
    await link(target, temp);
    await this.#place(temp, path);
    this.#files.add(path);
    this.symlinks.delete(path);
  }

  /** A temp name beside `path`, recorded, in a folder cleared of killed writers' leftovers. */
  async #newTemp(path: string): Promise<string> {
    await this.#options.sweep?.(dirname(path));
    const temp = siblingTempPath(path);
    this.#temps.add(temp);
    this.#pending.add(temp);
    return temp;
  }

  /**
   * Renames `temp` to `path`. The first time this layer writes `path`, whatever is there (a file
   * or a symlink of the user, or of another layer) is kept aside first as a hard link under a temp
   * name, so that an undo can put it back; where hard links are not supported, it is renamed
   * aside instead (for a moment, `path` does not exist). A folder in the way stays, and the rename
   * fails.
   */
  async #place(temp: string, path: string): Promise<void> {
    if (!this.#written.has(path)) {
      let backup: string | undefined;
      const stats = await lstat(path).catch((err: unknown) => {
        if (hasCode(err, 'ENOENT')) return undefined;
        throw err;
      });
      if (stats !== undefined && !stats.isDirectory()) {
        backup = siblingTempPath(path);
        this.#temps.add(backup, path);
        try {
          await link(path, backup);
        } catch (err) {
          if (!hasCode(err, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS')) {
            this.#temps.delete(backup);
            throw err;
          }
          await rename(path, backup);
        }
      }
      this.#written.set(path, backup);
    }
    // rename replaces a symlink at `path` rather than writing through it.
    await rename(temp, path);
    this.#temps.delete(temp);
    this.#pending.delete(temp);
  }

  /**
   * Where a hard link's target is: its name is the archive path of an earlier member (`app/f`),
   * resolved from the extraction base like any entry name, never from the link's own folder.
   */
  #hardLinkTarget(entry: TarEntry): string {
    const where = `tar entry ${showName(entry.path)}`;
    if (entry.linkpath.startsWith('/')) {
      throw new PathTraversalError(`${where}: hard link to the absolute path ${showName(entry.linkpath)}`);
    }
    let parts: string[];
    try {
      parts = entryParts(this.#options.prefix, entry.linkpath);
    } catch (err) {
      if (!PathTraversalError.is(err)) throw err;
      throw new PathTraversalError(
        `${where}: hard link to ${showName(entry.linkpath)}, outside its directory ${showName(`${this.#options.prefix}/`)}`,
        { cause: err },
      );
    }
    const target = join(this.#base, ...parts);
    if (parts.length === 0 || !isWithin(this.#base, target)) {
      throw new PathTraversalError(
        `${where}: hard link to ${showName(entry.linkpath)}, which is not a file of this layer`,
      );
    }
    return target;
  }

  /** Checks every symlink again now that all exist: each must still resolve inside the folder. */
  async recheckSymlinks(): Promise<void> {
    for (const path of this.symlinks) await recheckSymlink(this.#base, path);
  }

  /** Applies directory modes (with `preservePermissions`) and mtimes, deepest first. */
  async finishDirectories(): Promise<void> {
    for (const dir of [...this.#directories].reverse()) {
      if (!isWithin(this.#base, dir.path)) continue;
      if (this.#options.preservePermissions) await chmod(dir.path, dir.mode & 0o7777);
      if (dir.mtime !== undefined) await utimes(dir.path, dir.mtime, dir.mtime).catch(() => {});
    }
  }

  /** Makes the layer final: the backups of the files it replaced are dropped. */
  async keep(): Promise<void> {
    for (const backup of this.#written.values()) {
      if (backup === undefined) continue;
      await rm(backup, { force: true });
      this.#temps.delete(backup);
    }
    this.#written.clear();
    this.#createdDirectories.length = 0;
  }

  /**
   * Undoes the layer, best effort: removes its temp files and what it created, puts back what it
   * replaced, and removes the folders it created (those left empty). Never throws.
   */
  async undo(): Promise<void> {
    for (const temp of this.#pending) {
      await rm(temp, { force: true }).catch(() => undefined);
      this.#temps.delete(temp);
    }
    this.#pending.clear();
    for (const [path, backup] of [...this.#written].reverse()) {
      try {
        if (backup === undefined) await rm(path, { force: true });
        else {
          await rename(backup, path);
          this.#temps.delete(backup);
        }
      } catch {
        // keep undoing the rest; a backup left over stays recorded for close()
      }
    }
    this.#written.clear();
    await removeEmptyFolders(this.#createdDirectories);
    this.#createdDirectories.length = 0;
    this.symlinks.clear();
  }
}
