/**
 * Loads a CommonJS bundle with a V8 code cache, so that a run does not parse and compile the
 * bundle's functions again (~45-70 ms of CPU for `oras resolve`, see docs/benchmarks.notes.md).
 *
 * The cache is one file per bundle, Node version and V8 flags, in `$XDG_CACHE_HOME/oras` or
 * `~/.cache/oras`: a directory of the user's own (created 0700; not used when another user owns
 * it or when its group or others may write to it), never a shared temporary directory. V8 checks
 * the data itself and rejects what does not fit (`cachedDataRejected`); the file is then written
 * again. The cache never fails a run: without a home, on a read-only disk or with
 * `ORAS_NO_COMPILE_CACHE=1`, the bundle is compiled from source.
 *
 * One file per command, too ({@link commandKey}): V8 compiles most functions on their first call,
 * and a cache holds what the process that wrote it had compiled, the code of the command that ran
 * then. A pull of 200 small files whose cache a `resolve` wrote compiled the copy engine and the
 * file store in every run (~14 ms of CPU, ~17 ms of its ~680 ms here); one cache for both, written
 * again by the first run of each command, made every `resolve` ~6 ms slower (V8 reads all of a
 * cache, used or not). A command without a cache of its own starts from the smallest of the
 * build's others ({@link fallbackCache}): most of a command's code is shared with every other.
 *
 * Each upgrade of the CLI or of Node (and each other set of flags) makes new files of ~0.7-0.8 MB;
 * writing one removes all but the {@link KEPT_CACHE_FILES} most recently written, and the
 * temporary files that killed processes left (older than {@link STALE_TEMPORARY_MS}).
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/** A CommonJS module's `require`, as the bundle receives it. */
type Require = (id: string) => unknown;

/**
 * The CLI's cache directory (`$XDG_CACHE_HOME/oras` or `~/.cache/oras`, made 0700), or `undefined`
 * when there is none to use safely: it also holds the digests `oras push` remembers
 * (`./packing/digest-hints.ts`).
 */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined; // no owner to check (Windows): no cache
  const xdg = env.XDG_CACHE_HOME;
  const base =
    xdg !== undefined && isAbsolute(xdg)
      ? xdg
      : env.HOME !== undefined && isAbsolute(env.HOME)
        ? join(env.HOME, '.cache')
        : undefined;
  if (base === undefined) return undefined;
  const dir = join(base, 'oras');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * The cache file's name: `bundle-<build>-<command>.v8cache`, where `<build>` hashes the bundle, the
 * Node version and everything that sets V8 flags (what V8 checks a cache against), and `<command>`
 * the command. The files of one build share the prefix {@link buildPrefix}.
 */
function cacheName(bundleHash: string, v8Flags: readonly string[], command: string): string {
  const commandHash = createHash('sha256').update(command).digest('hex').slice(0, 8);
  return `${buildPrefix(bundleHash, v8Flags)}${commandHash}.v8cache`;
}

/** `bundle-<build>-`: the start of the names of one build's cache files. */
function buildPrefix(bundleHash: string, v8Flags: readonly string[]): string {
  const key = createHash('sha256')
    .update(
      [
        bundleHash,
        process.version,
        process.arch,
        process.execArgv.join(' '),
        process.env.NODE_OPTIONS ?? '',
        v8Flags.join(' '),
      ].join('\0'),
    )
    .digest('hex');
  return `bundle-${key.slice(0, 32)}-`;
}

/**
 * The cache a command without one of its own starts from: the smallest file of the same build in
 * `files` (the least code of other commands to read), or undefined. Its first run then compiles
 * only what is its own (a first pull after a `resolve`: 642 ms against 704 from source, 12 runs),
 * and writes a file of its own at exit.
 */
export function fallbackCache(
  files: readonly { readonly name: string; readonly size: number }[],
  prefix: string,
  own: string,
): string | undefined {
  let best: { readonly name: string; readonly size: number } | undefined;
  for (const file of files) {
    if (file.name === own || !file.name.startsWith(prefix) || !CACHE_FILE.test(file.name)) continue;
    if (best === undefined || file.size < best.size) best = file;
  }
  return best?.name;
}

/** The cache files of `dir` (names and sizes; regular files only), or none when it cannot be read. */
function cacheFilesIn(dir: string, prefix: string): { name: string; size: number }[] {
  try {
    const out: { name: string; size: number }[] = [];
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(prefix) || !CACHE_FILE.test(name)) continue;
      const stat = lstatSync(join(dir, name), { throwIfNoEntry: false });
      if (stat?.isFile()) out.push({ name, size: stat.size });
    }
    return out;
  } catch {
    return [];
  }
}

/** The cache file's bytes, if it is a regular file of ours that no one else may write. */
function readOwnFile(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * How many cache files a directory keeps (at most ~12 MB): the one just written and the most
 * recent others, enough for the commands one uses (a file per command), and for a machine that
 * switches between two Node versions or two installations of the CLI to keep most of each. A
 * cache removed that is still used is written again by its command's next run.
 */
export const KEPT_CACHE_FILES = 16;

/** A temporary cache file older than this was left by a process that did not finish writing it. */
const STALE_TEMPORARY_MS = 10 * 60 * 1000;

/** A cache file's name (`bundle-<build>.v8cache` is what versions before the command key wrote). */
const CACHE_FILE = /^bundle-[0-9a-f]{32}(-[0-9a-f]{8})?\.v8cache$/;
const TEMPORARY_FILE = /^bundle-[0-9a-f]{32}(-[0-9a-f]{8})?\.v8cache\.\d+\.tmp$/;

/**
 * Removes the cache files of `dir` beyond the {@link KEPT_CACHE_FILES} most recently written
 * (`written` always stays) and stale temporary ones. Only regular files named as this module
 * names them are touched; errors are ignored.
 */
function sweep(dir: string, written: string): void {
  try {
    const now = Date.now();
    const caches: { name: string; mtimeMs: number }[] = [];
    for (const name of readdirSync(dir)) {
      const isCache = CACHE_FILE.test(name);
      if (!isCache && !TEMPORARY_FILE.test(name)) continue;
      const stat = lstatSync(join(dir, name), { throwIfNoEntry: false });
      if (stat === undefined || !stat.isFile()) continue;
      if (isCache) {
        if (name !== written) caches.push({ name, mtimeMs: stat.mtimeMs });
      } else if (now - stat.mtimeMs > STALE_TEMPORARY_MS) {
        rmSync(join(dir, name), { force: true });
      }
    }
    caches.sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const { name } of caches.slice(KEPT_CACHE_FILES - 1)) rmSync(join(dir, name), { force: true });
  } catch {
    // the cache is an optimisation: an old file left is no failure
  }
}

/** Writes `data` to `path` (mode 0600) through a temporary file and a rename; errors are ignored. */
function writeQuietly(path: string, data: Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, data, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing more to do: the cache is an optimisation
    }
  }
}

/** Where the bundle is and what keys its cache. */
export interface CommonJsBundle {
  /** The bundle's path: a CommonJS file, or one wrapped already ({@link COMMONJS_WRAPPER_HEAD}). */
  readonly file: string;
  /** A hash of the bundle's content, computed at build time. */
  readonly hash: string;
  /** The V8 flags set before the bundle is compiled (part of the cache key). */
  readonly v8Flags: readonly string[];
  /** The `require` the bundle's code gets. */
  readonly require: Require;
  /** What this run does ({@link commandKey} of its arguments): each command has its own cache. */
  readonly command?: string;
}

/**
 * The command a command line runs, as a cache key: its leading words (`pull`, `manifest fetch`),
 * at most two, up to the first flag or argument that is not a plain lower-case word (a reference
 * such as `localhost:5000/repo`, a file name with a dot). A bare word argument (`oras push
 * localhost f`) makes a key of its own: one more file, which {@link KEPT_CACHE_FILES} bounds. A
 * command line that starts with a flag is `-`.
 */
export function commandKey(argv: readonly string[]): string {
  const words: string[] = [];
  for (const arg of argv) {
    if (words.length === 2 || !/^[a-z][a-z0-9-]*$/.test(arg)) break;
    words.push(arg);
  }
  return words.length === 0 ? '-' : words.join(' ');
}

/**
 * What a CommonJS module's code is wrapped in to be compiled as a function (Node's own wrapper).
 * `scripts/bundle.mjs` writes `dist/oras.cjs` wrapped already: wrapping it here made a second
 * 1 MB string that V8 copied whole before compiling (~6 ms and ~300 page faults of every run
 * here; the compile itself went from ~9 to ~3 ms).
 */
export const COMMONJS_WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {';
/** The end of {@link COMMONJS_WRAPPER_HEAD}'s wrapper. */
export const COMMONJS_WRAPPER_TAIL = '\n})';

/** Whether `source` is a module's code wrapped already (see {@link COMMONJS_WRAPPER_HEAD}). */
function isWrapped(source: string): boolean {
  return source.startsWith(COMMONJS_WRAPPER_HEAD) && source.endsWith(COMMONJS_WRAPPER_TAIL);
}

/**
 * Compiles and evaluates a CommonJS bundle with the code cache and returns its exports. When the
 * cache was missing or rejected, it is written when the process exits, after the command, so that
 * it holds the functions the command compiled lazily too.
 */
export function loadCommonJs(bundle: CommonJsBundle): Record<string, unknown> {
  // The bundle is ASCII (esbuild escapes the rest, and scripts/bundle.mjs checks it): read as
  // latin1, the same string without UTF-8 decoding (a few ms of a 1 MB read here).
  const source = readFileSync(bundle.file, 'latin1');
  const wrapper = isWrapped(source) ? source : `${COMMONJS_WRAPPER_HEAD}${source}${COMMONJS_WRAPPER_TAIL}`;
  const dir = process.env.ORAS_NO_COMPILE_CACHE === '1' ? undefined : cacheDirectory();
  const cacheFile =
    dir === undefined ? undefined : join(dir, cacheName(bundle.hash, bundle.v8Flags, bundle.command ?? '-'));
  let cachedData = cacheFile === undefined ? undefined : readOwnFile(cacheFile);
  const own = cachedData !== undefined;
  if (dir !== undefined && cacheFile !== undefined && !own) {
    // no cache of this command yet: start from another command's of the same build
    const prefix = buildPrefix(bundle.hash, bundle.v8Flags);
    const other = fallbackCache(cacheFilesIn(dir, prefix), prefix, basename(cacheFile));
    cachedData = other === undefined ? undefined : readOwnFile(join(dir, other));
  }
  let script: Script;
  try {
    script = new Script(wrapper, { filename: bundle.file, cachedData });
  } catch (error) {
    if (cachedData === undefined) throw error;
    script = new Script(wrapper, { filename: bundle.file });
  }
  if (dir !== undefined && cacheFile !== undefined && (!own || script.cachedDataRejected === true)) {
    process.once('exit', () => {
      try {
        writeQuietly(cacheFile, script.createCachedData());
      } catch {
        // no cache this time
      }
      sweep(dir, basename(cacheFile));
    });
  }
  const module = { exports: {} as Record<string, unknown> };
  const dirname = join(bundle.file, '..');
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    bundle.require,
    module,
    bundle.file,
    dirname,
  );
  return module.exports;
}
