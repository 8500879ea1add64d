/**
 * Path safety for the file store: lexical checks on names, and checks of the file system for
 * symlinks that lead out of a base directory. These implement the fixes of the oras and oras-go
 * advisories (GHSA-g5v4-5x39-vwhx, GHSA-8xwf-rjm4-xvhv, GHSA-fxhp-mv3v-67qp, GHSA-m37j-52j7-pjw7).
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { InvalidNameError, PathTraversalError } from './errors.js';

/** At most this many symlinks are followed while resolving one path (Linux's MAXSYMLINKS). */
const MAX_SYMLINK_HOPS = 40;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const WINDOWS_DRIVE = /^[A-Za-z]:/;

/** Shows a name in an error message: quoted, escaped, and cut when long. */
export function showName(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}...` : name);
}

/** Whether `err` is a Node file-system error with the given code. */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  return (
    typeof err === 'object' && err !== null && codes.includes(String((err as NodeJS.ErrnoException).code))
  );
}

/** A POSIX path with an empty, `.` or `..` segment, or a trailing slash: not normalised. */
const NOT_NORMALISED = /\/\.{0,2}(?:\/|$)/;

/**
 * `path.resolve(base, name)`. A relative POSIX name without empty, `.` or `..` segments, under an
 * absolute normalised base, is joined as a string: a file store resolves each name it writes, and
 * `path.resolve` builds its result character by character.
 */
export function resolveFrom(base: string, name: string): string {
  if (name !== '' && !name.startsWith('/') && isPlainPosix(base) && isPlainPosix(`/${name}`)) {
    return `${base}/${name}`;
  }
  return resolve(base, name);
}

/** Whether `path` is absolute and normalised, on a platform whose paths are POSIX paths. */
function isPlainPosix(path: string): boolean {
  return sep === '/' && path.startsWith('/') && !NOT_NORMALISED.test(path);
}

/** Whether `child` is `base` or lies under it (both absolute and normalised). */
export function isWithin(base: string, child: string): boolean {
  // POSIX paths that are absolute and normalised compare as strings: a file store asks this a
  // few times per file it writes, and path.relative resolves both paths again each time
  if (isPlainPosix(base) && isPlainPosix(child)) {
    return child === base || (child.startsWith(base) && child.charCodeAt(base.length) === 47);
  }
  const rel = relative(base, child);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * Refuses names no platform can write safely: NUL and other control characters (an
 * {@link InvalidNameError}), Windows drive and UNC paths, and `..` written with backslashes (a
 * separator on Windows; a {@link PathTraversalError}). `what` names the thing checked, for the
 * message.
 */
export function assertPortableName(name: string, what: string): void {
  if (name.includes('\u0000')) {
    throw new InvalidNameError(`${what} ${showName(name)}: contains a NUL character`);
  }
  if (CONTROL_CHARACTERS.test(name)) {
    throw new InvalidNameError(`${what} ${showName(name)}: contains a control character`);
  }
  if (WINDOWS_DRIVE.test(name) || name.startsWith('\\\\') || name.startsWith('\\')) {
    throw new PathTraversalError(`${what} ${showName(name)}: is a windows absolute path`);
  }
  if (name.includes('\\') && name.split(/[\\/]/).includes('..')) {
    throw new PathTraversalError(`${what} ${showName(name)}: climbs out with "..\\"`);
  }
}

/**
 * The real path of `path`, which need not exist: its deepest existing ancestor with symlinks
 * resolved, joined with the rest. A dangling symlink counts as missing.
 */
export async function realPathOfMaybeMissing(path: string): Promise<string> {
  let current = path;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await realpath(current);
      return rest.length === 0 ? real : join(real, ...rest.reverse());
    } catch (err) {
      if (!hasCode(err, 'ENOENT')) throw err;
      const parent = dirname(current);
      if (parent === current) return path;
      rest.push(current.slice(parent.length).replace(/^[\\/]+/, ''));
      current = parent;
    }
  }
}

/**
 * Refuses `target` when its deepest existing ancestor (or itself), with every symlink resolved,
 * lies outside `realBase` (a real path). GHSA-8xwf-rjm4-xvhv: a symlinked folder inside the
 * working directory passed the lexical check and sent writes elsewhere.
 */
export async function assertNoSymlinkEscape(realBase: string, target: string, name: string): Promise<void> {
  const real = await realPathOfMaybeMissing(target);
  if (!isWithin(realBase, real)) {
    throw new PathTraversalError(
      `${showName(name)}: resolves through a symlink to ${showName(real)}, outside the output directory`,
    );
  }
}

/**
 * Refuses a path under `base` (given as relative `parts`) when one of its existing components,
 * except the last, is a symlink. Tar entries may not be written through links (oras-go
 * `ensureBasePath`).
 */
export async function assertNoSymlinkComponents(
  base: string,
  parts: readonly string[],
  name: string,
): Promise<void> {
  let current = base;
  for (const part of parts.slice(0, -1)) {
    current = join(current, part);
    let stats: Awaited<ReturnType<typeof lstat>>;
    try {
      stats = await lstat(current);
    } catch (err) {
      if (hasCode(err, 'ENOENT')) return;
      throw err;
    }
    if (stats.isSymbolicLink()) {
      throw new PathTraversalError(
        `${showName(name)}: goes through the symlink ${showName(relative(base, current))}`,
      );
    }
  }
}

/**
 * Walks `linkTarget` from the directory `from` (both under `base`, a real path) the way the
 * kernel would, following symlinks, and refuses it when any step leaves `base` or a symlink on the
 * way is absolute. Returns where it ends. Missing components are walked lexically.
 *
 * Why walk rather than clean: `d/..` is `.` lexically, yet if `d` is a symlink to `.`, the kernel
 * lands in the parent. Every step is checked, so chains of links cannot climb out
 * (GHSA-m37j-52j7-pjw7).
 */
export async function walkInside(
  base: string,
  from: string,
  linkTarget: string,
  name: string,
): Promise<string> {
  if (isAbsolute(linkTarget) || linkTarget.startsWith('/')) {
    throw new PathTraversalError(`${showName(name)}: links to the absolute path ${showName(linkTarget)}`);
  }
  const pending = linkTarget.split('/');
  let current = from;
  let hops = 0;
  let missing = false;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (current === base || !isWithin(base, current)) {
        throw new PathTraversalError(
          `${showName(name)}: links to ${showName(linkTarget)}, outside its directory`,
        );
      }
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    if (!missing) {
      let stats: Awaited<ReturnType<typeof lstat>> | undefined;
      try {
        stats = await lstat(next);
      } catch (err) {
        if (!hasCode(err, 'ENOENT', 'ENOTDIR')) throw err;
        missing = true;
      }
      if (stats?.isSymbolicLink()) {
        hops += 1;
        if (hops > MAX_SYMLINK_HOPS) {
          throw new PathTraversalError(`${showName(name)}: too many levels of symlinks`);
        }
        const inner = await readlink(next);
        if (isAbsolute(inner)) {
          throw new PathTraversalError(
            `${showName(name)}: links through ${showName(relative(base, next))} to the absolute path ${showName(inner)}`,
          );
        }
        pending.unshift(...inner.split('/'));
        continue;
      }
    }
    current = next;
  }
  if (!isWithin(base, current)) {
    throw new PathTraversalError(
      `${showName(name)}: links to ${showName(linkTarget)}, outside its directory`,
    );
  }
  return current;
}

/**
 * Splits a tar entry name into its parts below `prefix` (the layer's name), or throws when the
 * entry is absolute or does not sit under `<prefix>/`. The entry exactly `prefix` gives `[]`.
 */
export function entryParts(prefix: string, entryName: string): string[] {
  assertPortableName(entryName, 'tar entry');
  if (entryName.startsWith('/')) {
    throw new PathTraversalError(`tar entry ${showName(entryName)}: is an absolute path`);
  }
  const cleanPrefix = posix.normalize(prefix.replaceAll('\\', '/')).replace(/\/+$/, '');
  const cleanEntry = posix.normalize(entryName).replace(/\/+$/, '');
  const rel = posix.relative(cleanPrefix === '.' ? '' : cleanPrefix, cleanEntry === '.' ? '' : cleanEntry);
  if (rel === '..' || rel.startsWith('../') || posix.isAbsolute(rel)) {
    throw new PathTraversalError(`tar entry ${showName(entryName)}: is outside ${showName(`${prefix}/`)}`);
  }
  return rel === '' ? [] : rel.split('/');
}
