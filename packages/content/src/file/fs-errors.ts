/**
 * Node's file-system errors put in the user's terms: `ENAMETOOLONG: name too long, realpath
 * '/home/u/out/aaaa…'` or `EISDIR: illegal operation on a directory, rename
 * '/home/u/out/.oras-1234-….tmp' -> …` say what the kernel did to which temporary path; the user
 * needs to know which of their names could not be written, and why. The original error stays as
 * the `cause` (the CLI shows it with `--debug`).
 */
import { lstat, stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { OrasError } from '@oras/spec';
import { FileSystemError, InvalidNameError, PathConflictError } from './errors.js';
import { hasCode, isWithin, showName } from './paths.js';

/** What each errno means, in words, for the codes that are not about the name itself. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EFBIG: 'the file is too large for the file system',
  EMLINK: 'too many links',
  EXDEV: 'cannot move across file systems',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is a running program',
};

/**
 * The system calls of file-system work. A socket's error (`read ECONNRESET` from a download) has
 * a `syscall` too, and is no business of these messages.
 */
const FS_SYSCALLS = new Set([
  'access',
  'chmod',
  'close',
  'copyfile',
  'fchmod',
  'fsync',
  'ftruncate',
  'futime',
  'link',
  'lstat',
  'lutime',
  'mkdir',
  'mkdtemp',
  'open',
  'readlink',
  'realpath',
  'rename',
  'rm',
  'rmdir',
  'scandir',
  'stat',
  'symlink',
  'unlink',
  'utime',
  'write',
  'writev',
]);

/** Whether `err` is one of Node's file-system errors (an errno `code`, a file-system `syscall`). */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return (
    err instanceof Error &&
    !OrasError.is(err) &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    FS_SYSCALLS.has(String((err as NodeJS.ErrnoException).syscall))
  );
}

/** How a path on disk is shown: relative to the output directory, or as the tar entry it is. */
export type ShowPath = (path: string) => string;

/** Shows `path` relative to `root` when it lies inside it, else as it is. */
export function relativeTo(root: string): ShowPath {
  return (path) => (isWithin(root, path) && path !== root ? relative(root, path) : path);
}

/**
 * What is in the way of `path`: the deepest existing component of it (itself included) when that
 * is not a folder — a file, a symlink that leads nowhere or to a file. `undefined` when the deepest
 * existing component is a folder.
 */
async function obstacle(path: string, show: ShowPath): Promise<string | undefined> {
  for (let p = path; ; p = dirname(p)) {
    const info = await lstat(p).catch(() => undefined);
    if (info !== undefined) {
      if (info.isDirectory()) return undefined;
      if (info.isSymbolicLink()) {
        const target = await stat(p).catch(() => undefined);
        if (target === undefined) return `the symlink ${showName(show(p))}, which leads nowhere,`;
        if (target.isDirectory()) return undefined;
        return `the symlink ${showName(show(p))} to a file`;
      }
      return `the file ${showName(show(p))}`;
    }
    if (dirname(p) === p) return undefined;
  }
}

/**
 * `err` in the user's terms when it is one of Node's file-system errors met while writing the
 * name `name` (a title or a tar entry) at `path`; any other error as it is. `show` says how a
 * path in the way is named (relative to the output directory, say); `kind` what `name` is, when
 * that helps (`the symlink` for a tar entry that is one).
 *
 * - a name too long for the file system: an `InvalidNameError`, `file name too long: "<name>"`;
 * - a folder where a file goes (`EISDIR`, `ENOTEMPTY`), a file or a broken symlink where a folder
 *   goes (`ENOTDIR`, `EEXIST`, `ENOENT`): a `PathConflictError`, `cannot write "<name>": … is in
 *   the way`;
 * - anything else (`EACCES`, `ENOSPC`, `EROFS`, …): a `FileSystemError`, `cannot write "<name>":
 *   <reason>`.
 */
export async function inUserTerms(
  err: unknown,
  name: string,
  path: string,
  show: ShowPath,
  kind?: string,
): Promise<unknown> {
  if (!isSystemError(err)) return err;
  const what = kind === undefined ? showName(name) : `${kind} ${showName(name)}`;
  if (hasCode(err, 'ENAMETOOLONG')) {
    return new InvalidNameError(`file name too long: ${showName(name)}`, { cause: err });
  }
  if (hasCode(err, 'EISDIR', 'ENOTEMPTY')) {
    return new PathConflictError(`cannot write ${what}: a directory is in the way`, { cause: err });
  }
  if (hasCode(err, 'ENOTDIR', 'EEXIST', 'ENOENT')) {
    const thing = await obstacle(path, show);
    if (thing !== undefined) {
      return new PathConflictError(`cannot write ${what}: ${thing} is in the way`, { cause: err });
    }
    if (hasCode(err, 'ENOENT')) {
      return new FileSystemError(`cannot write ${what}: a folder on its path was removed while writing`, {
        cause: err,
      });
    }
  }
  return new FileSystemError(`cannot write ${what}: ${reasonOf(err)}`, { cause: err });
}

/**
 * `err` in the user's terms when it is one of Node's file-system errors met while writing the
 * temporary file `file` (on that path, or on an open handle, which has none); any other error (one
 * reading the files packed, say) as it is.
 */
export function inTempFolder(err: unknown, file: string): unknown {
  if (!isSystemError(err) || (err.path !== undefined && err.path !== file)) return err;
  const dir = dirname(file);
  return new FileSystemError(`cannot write a temporary file in ${showName(dir)}: ${reasonOf(err)}`, {
    cause: err,
  });
}

/** The reason of a system error in words: ours, or libuv's description without the paths. */
function reasonOf(err: NodeJS.ErrnoException): string {
  const ours = REASONS[String(err.code)];
  if (ours !== undefined) return ours;
  // "EIO: i/o error, open '/x'" -> "i/o error"
  return err.message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+ '.*$/s, '');
}
