/**
 * Snapshots of a whole folder tree (every entry, with lstat: type, size, mode, the sha256 of each
 * file, the target of each symlink), and the difference of two, so a case can prove that nothing
 * was written where it should not have been and that the user's files are as they were.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** One entry of a tree. */
export interface TreeEntry {
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  readonly size: number;
  readonly mode: number;
  /** `sha256:<hex>` of a file's content. */
  readonly digest?: string;
  /** Where a symlink points. */
  readonly target?: string;
}

/** A tree: entry path (relative, `/`-separated) to entry. */
export type TreeSnapshot = ReadonlyMap<string, TreeEntry>;

/** The sha256 of a file, as `sha256:<hex>`, streamed. */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Every entry under `root` (not following symlinks). A missing root is an empty tree. */
export async function snapshotTree(root: string): Promise<TreeSnapshot> {
  const out = new Map<string, TreeEntry>();
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      const key = relative(root, path).split(sep).join('/');
      const st = await lstat(path);
      if (st.isSymbolicLink()) {
        out.set(key, { type: 'symlink', size: st.size, mode: st.mode, target: await readlink(path) });
      } else if (st.isDirectory()) {
        out.set(key, { type: 'dir', size: 0, mode: st.mode });
        await walk(path);
      } else if (st.isFile()) {
        out.set(key, { type: 'file', size: st.size, mode: st.mode, digest: await fileDigest(path) });
      } else {
        out.set(key, { type: 'other', size: st.size, mode: st.mode });
      }
    }
  };
  await walk(root);
  return out;
}

/** What changed between two snapshots of one tree. */
export interface TreeDiff {
  readonly added: string[];
  readonly removed: string[];
  /** Entries whose type, size, content or link target changed (mode changes are not counted). */
  readonly changed: string[];
}

/** The entries added, removed and changed from `before` to `after`. */
export function diffTrees(before: TreeSnapshot, after: TreeSnapshot): TreeDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const [path, entry] of after) {
    const old = before.get(path);
    if (!old) added.push(path);
    else if (
      old.type !== entry.type ||
      old.size !== entry.size ||
      old.digest !== entry.digest ||
      old.target !== entry.target
    ) {
      changed.push(path);
    }
  }
  for (const path of before.keys()) if (!after.has(path)) removed.push(path);
  return { added, removed, changed };
}

/** The diff's paths that do not start with one of `prefixes` (`out` matches `out` and `out/...`). */
export function pathsOutside(diff: TreeDiff, prefixes: readonly string[]): string[] {
  const inside = (path: string) => prefixes.some((p) => path === p || path.startsWith(`${p}/`));
  return [...diff.added, ...diff.removed, ...diff.changed].filter((path) => !inside(path)).sort();
}

/** The regular files of a snapshot under `prefix`, as path (relative to the prefix) to digest. */
export function filesUnder(tree: TreeSnapshot, prefix: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const [path, entry] of tree) {
    if (entry.type === 'file' && path.startsWith(`${prefix}/`) && entry.digest) {
      files.set(path.slice(prefix.length + 1), entry.digest);
    }
  }
  return files;
}
