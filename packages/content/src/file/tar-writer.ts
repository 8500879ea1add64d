/**
 * Packs a directory as a tar stream the way oras-go's `tarDirectory` does: entry names prefixed
 * with the layer's name, uid and gid 0, no user or group names, symlinks kept as symlinks, hard
 * links stored as regular files. Entries are always in byte order of their names; in reproducible
 * mode every mtime is one fixed time, so the same folder always gives the same bytes.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HeaderData } from 'tar';
import { InvalidArgumentError, UnsupportedError } from '@oras/spec';
import { type TarModule, loadTar } from '../internal/tar.js';

const BLOCK = 512;
const ZERO_BLOCKS = Buffer.alloc(2 * BLOCK);

/** How a directory is packed. */
export interface TarDirectoryOptions {
  /**
   * When set, every entry gets this mtime (seconds since the epoch) instead of the file's own, so
   * the tar depends only on names, modes and contents.
   */
  readonly fixedMtime?: number | undefined;
  /** Aborts packing. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The mtime of reproducible tarballs: `SOURCE_DATE_EPOCH` when set (whole seconds), else 0.
 * @see https://reproducible-builds.org/specs/source-date-epoch/
 */
export function reproducibleMtime(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.SOURCE_DATE_EPOCH;
  if (value === undefined || value === '') return 0;
  if (!/^\d+$/.test(value)) {
    throw new InvalidArgumentError(
      `SOURCE_DATE_EPOCH ${JSON.stringify(value)}: expected whole seconds since 1970`,
    );
  }
  return Number(value);
}

/** Byte order of UTF-8 names, as Go's `filepath.Walk` sorts them. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function headerBytes({ Header, Pax }: TarModule, data: HeaderData): Buffer {
  const header = new Header(data);
  const block = Buffer.alloc(BLOCK);
  header.encode(block, 0);
  if (!header.needPax) return block;
  const pax = new Pax({
    path: data.path,
    linkpath: data.linkpath || undefined,
    size: data.size,
    mtime: data.mtime,
  } as HeaderData).encode();
  return Buffer.concat([pax, block]);
}

/**
 * Yields the tar of the directory `root`, each entry named `<prefix>/<relative path>` (the root
 * itself is `<prefix>`). File contents are streamed, never held whole.
 */
export async function* tarDirectory(
  root: string,
  prefix: string,
  options: TarDirectoryOptions = {},
): AsyncGenerator<Buffer> {
  const tar = await loadTar('packing a directory');
  const rootStats = await stat(root);
  yield* entry(tar, root, prefix, rootStats, options);
  yield ZERO_BLOCKS;
}

async function* entry(
  tar: TarModule,
  path: string,
  name: string,
  stats: Awaited<ReturnType<typeof lstat>>,
  options: TarDirectoryOptions,
): AsyncGenerator<Buffer> {
  options.signal?.throwIfAborted();
  const mtime = new Date((options.fixedMtime ?? Math.floor(Number(stats.mtimeMs) / 1000)) * 1000);
  const common = {
    path: name,
    mode: Number(stats.mode) & 0o7777,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    mtime,
  };
  if (stats.isDirectory()) {
    yield headerBytes(tar, { ...common, type: 'Directory', size: 0 });
    const names = (await readdir(path)).sort(compareNames);
    for (const child of names) {
      const childPath = join(path, child);
      yield* entry(tar, childPath, `${name}/${child}`, await lstat(childPath), options);
    }
    return;
  }
  if (stats.isSymbolicLink()) {
    yield headerBytes(tar, { ...common, type: 'SymbolicLink', size: 0, linkpath: await readlink(path) });
    return;
  }
  if (!stats.isFile()) {
    throw new UnsupportedError(
      `${path}: unsupported file type: only files, directories and symlinks are packed`,
    );
  }
  const size = Number(stats.size);
  yield headerBytes(tar, { ...common, type: 'File', size });
  let written = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    written += chunk.length;
    if (written > size) break;
    yield chunk;
  }
  if (written !== size) {
    throw new UnsupportedError(`${path}: the file changed size while being packed`);
  }
  const rest = size % BLOCK;
  if (rest !== 0) yield Buffer.alloc(BLOCK - rest);
}
