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
 * - the uncompressed size is capped (decompression bombs), and the tar's digest is checked
 *   against the layer's `io.deis.oras.content.digest` before anything is written.
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
  symlink,
  unlink,
  utimes,
} from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  AbortedError,
  createDigesterFor,
  MismatchedDigestError,
  OrasError,
  SizeExceedsLimitError,
} from '@oras/spec';
import { PathTraversalError } from './errors.js';
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

/** How a directory layer is unpacked. */
export interface ExtractOptions {
  /** The layer's name: every entry must sit under `<prefix>/`. */
  readonly prefix: string;
  /** The expected digest of the uncompressed tar; checked before anything is written. */
  readonly tarDigest?: string | undefined;
  /** The most uncompressed bytes to read. */
  readonly maxBytes: number;
  /** Apply modes exactly as archived, ignoring the umask (`tar -p`). */
  readonly preservePermissions?: boolean | undefined;
  /** Aborts unpacking. */
  readonly signal?: AbortSignal | undefined;
}

/** What an unpack created. */
export interface ExtractResult {
  /** Absolute paths of the symlinks created (and still there). */
  readonly symlinks: readonly string[];
}

/**
 * A temp-file name next to `path`, unique enough to be created with `O_EXCL`. It carries the
 * writer's process id, so a later run can tell the leftovers of a killed writer from the files of
 * one still at work ({@link removeStaleTempFiles}).
 */
export function siblingTempPath(path: string): string {
  return join(dirname(path), `.oras-${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
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
 * live writers, and every other name, stay.
 */
export async function removeStaleTempFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    await unlink(join(dir, name)).catch(() => {});
  }
}

/** Yields the uncompressed bytes of a gzip file, counted against `maxBytes` and fed to `onChunk`. */
async function* gunzipFile(
  path: string,
  maxBytes: number,
  name: string,
  onChunk: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  const gunzip = pipeline(
    createReadStream(path, { highWaterMark: 1 << 20 }),
    createGunzip({ chunkSize: 1 << 18 }),
    () => {},
  );
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new SizeExceedsLimitError(
          `${showName(name)}: unpacked size exceeds the limit of ${maxBytes} bytes`,
        );
      }
      onChunk(chunk);
      yield chunk;
    }
  } finally {
    gunzip.destroy();
  }
}

/** Reads the whole uncompressed tar and checks its digest, without writing anything. */
async function verifyTarDigest(gzPath: string, options: ExtractOptions): Promise<void> {
  const expected = options.tarDigest as string;
  const digester = createDigesterFor(expected);
  for await (const _ of gunzipFile(gzPath, options.maxBytes, options.prefix, (c) => digester.update(c))) {
    options.signal?.throwIfAborted();
  }
  const actual = digester.digest();
  if (actual !== expected) {
    throw new MismatchedDigestError(
      `${showName(options.prefix)}: content digest mismatch: the tar is ${actual}, the annotation says ${expected}`,
    );
  }
}

/**
 * Unpacks the tar+gzip at `gzPath` into `base` (a real, existing directory). Throws before writing
 * when the tar digest does not match; a refused entry stops unpacking with a `PathTraversalError`.
 */
export async function extractTarGzip(
  gzPath: string,
  base: string,
  options: ExtractOptions,
): Promise<ExtractResult> {
  if (options.tarDigest !== undefined) await verifyTarDigest(gzPath, options);
  const digester = options.tarDigest === undefined ? undefined : createDigesterFor(options.tarDigest);
  const reader = new TarReader(
    gunzipFile(gzPath, options.maxBytes, options.prefix, (c) => digester?.update(c)),
  );
  const unpacker = new Unpacker(base, reader, options);
  try {
    for (let entry = await reader.next(); entry !== undefined; entry = await reader.next()) {
      if (options.signal?.aborted)
        throw new AbortedError(`${showName(options.prefix)}: unpacking aborted`, {
          cause: options.signal.reason,
        });
      await unpacker.unpack(entry);
    }
    await reader.drain();
  } catch (err) {
    await unpacker.cleanUp();
    throw err;
  }
  if (digester !== undefined && digester.digest() !== options.tarDigest) {
    throw new MismatchedDigestError(
      `${showName(options.prefix)}: content digest mismatch: the tar changed while unpacking`,
    );
  }
  await unpacker.recheckSymlinks();
  await unpacker.finishDirectories();
  return { symlinks: [...unpacker.symlinks] };
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

class Unpacker {
  readonly symlinks = new Set<string>();
  readonly #base: string;
  readonly #reader: TarReader;
  readonly #options: ExtractOptions;
  readonly #files = new Set<string>();
  readonly #directories: { path: string; mode: number; mtime: Date | undefined }[] = [];
  readonly #temps = new Set<string>();
  readonly #swept = new Set<string>();

  constructor(base: string, reader: TarReader, options: ExtractOptions) {
    this.#base = base;
    this.#reader = reader;
    this.#options = options;
  }

  async unpack(entry: TarEntry): Promise<void> {
    const parts = entryParts(this.#options.prefix, entry.path);
    const path = join(this.#base, ...parts);
    switch (entry.type) {
      case 'Directory':
        await assertNoSymlinkComponents(this.#base, parts, entry.path);
        return this.#directory(entry, path);
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        await this.#assertWritable(entry, parts);
        return this.#file(entry, path);
      case 'SymbolicLink':
        await this.#assertWritable(entry, parts);
        return this.#symlink(entry, path);
      case 'Link':
        await this.#assertWritable(entry, parts);
        return this.#hardLink(entry, path);
      default:
        // Devices, FIFOs and vendor types are skipped, as oras-go does.
        return;
    }
  }

  async #assertWritable(entry: TarEntry, parts: readonly string[]): Promise<void> {
    if (parts.length === 0) {
      throw new PathTraversalError(`tar entry ${showName(entry.path)}: would replace the layer's own folder`);
    }
    await assertNoSymlinkComponents(this.#base, parts, entry.path);
    await mkdir(dirname(join(this.#base, ...parts)), { recursive: true, mode: 0o755 });
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
      await mkdir(path, { recursive: true, mode: (entry.mode & 0o777) | 0o700 });
    }
    this.#directories.push({ path, mode: entry.mode, mtime: entry.mtime });
  }

  async #file(entry: TarEntry, path: string): Promise<void> {
    await this.#sweep(dirname(path));
    const temp = siblingTempPath(path);
    this.#temps.add(temp);
    const handle = await open(temp, 'wx', entry.mode & 0o777);
    try {
      for await (const chunk of this.#reader.body()) await handle.write(chunk);
    } finally {
      await handle.close();
    }
    if (this.#options.preservePermissions) await chmod(temp, entry.mode & 0o7777);
    if (entry.mtime !== undefined) await utimes(temp, entry.mtime, entry.mtime).catch(() => {});
    // rename replaces a symlink at `path` rather than writing through it.
    await rename(temp, path);
    this.#temps.delete(temp);
    this.#files.add(path);
    this.symlinks.delete(path);
  }

  async #symlink(entry: TarEntry, path: string): Promise<void> {
    if (entry.linkpath === '')
      throw new PathTraversalError(`tar entry ${showName(entry.path)}: symlink without a target`);
    assertPortableName(entry.linkpath, `symlink ${showName(entry.path)} target`);
    await walkInside(this.#base, dirname(path), entry.linkpath, `tar entry ${entry.path}`);
    await this.#sweep(dirname(path));
    const temp = siblingTempPath(path);
    this.#temps.add(temp);
    await symlink(entry.linkpath, temp);
    await rename(temp, path);
    this.#temps.delete(temp);
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
    await this.#sweep(dirname(path));
    const temp = siblingTempPath(path);
    this.#temps.add(temp);
    await link(target, temp);
    await rename(temp, path);
    this.#temps.delete(temp);
    this.#files.add(path);
    this.symlinks.delete(path);
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

  /** Removes the leftovers of killed writers from a folder, once per unpack. */
  async #sweep(dir: string): Promise<void> {
    if (this.#swept.has(dir)) return;
    this.#swept.add(dir);
    await removeStaleTempFiles(dir);
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

  async cleanUp(): Promise<void> {
    for (const temp of this.#temps) await rm(temp, { force: true });
  }
}
