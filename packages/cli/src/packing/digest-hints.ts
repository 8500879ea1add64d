/**
 * The digests of the large files this user pushed lately, remembered by file identity (device,
 * inode, size, modification and change times, in nanoseconds), so that pushing one of them again
 * can ask the registry for its blob before hashing it (`digestHint` of `pushFile`): when the
 * registry has it, nothing of the file is sent while it is hashed, where a push without the hint
 * starts the upload at once and sends what it can until the digest is known.
 *
 * A hint, never a verdict: the file is hashed in full on every push and only its own digest
 * decides `Exists` (a stale or forged entry costs the time of the hash, never a wrong blob). The
 * file lives in the user's cache directory (`$XDG_CACHE_HOME/oras` or `~/.cache/oras`, owned by
 * the user, 0700), is written 0600 through a temporary file and a rename, holds at most
 * {@link MAX_HINTS} entries, and is never required: without a cache directory, or with
 * `ORAS_NO_DIGEST_HINTS=1`, pushes run without hints.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDigest } from '@oras/spec';
import { cacheDirectory } from '../compile-cache.js';

/** The most files remembered (the oldest are forgotten first). */
export const MAX_HINTS = 256;

/** The name of the file in the cache directory. */
export const DIGEST_HINTS_FILE = 'pushed-digests.json';

/** The identity of a file as it is now, or `undefined` when it cannot be read. */
function identity(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    if (!s.isFile()) return undefined;
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** Remembered digests: look one up before a push, record what was pushed, save once at the end. */
export class DigestHints {
  readonly #path: string | undefined;
  /** Identity to digest, oldest first. */
  readonly #entries: Map<string, string>;
  #changed = false;

  private constructor(path: string | undefined, entries: Map<string, string>) {
    this.#path = path;
    this.#entries = entries;
  }

  /** Opens the user's hints (none when there is no usable cache directory, or they are off). */
  static load(env: NodeJS.ProcessEnv = process.env): DigestHints {
    if (env.ORAS_NO_DIGEST_HINTS === '1') return new DigestHints(undefined, new Map());
    const dir = cacheDirectory(env);
    if (dir === undefined) return new DigestHints(undefined, new Map());
    const path = join(dir, DIGEST_HINTS_FILE);
    const entries = new Map<string, string>();
    try {
      const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed)) {
          if (typeof value === 'string' && isDigest(value)) entries.set(key, value);
        }
      }
    } catch {
      // no file yet, or one that is not ours to trust: start empty
    }
    return new DigestHints(path, entries);
  }

  /** The digest `path` had when it was last pushed, if it has not changed since. */
  get(path: string): string | undefined {
    if (this.#path === undefined) return undefined;
    const key = identity(path);
    return key === undefined ? undefined : this.#entries.get(key);
  }

  /** Remembers that `path`, as it is now, has `digest`. */
  set(path: string, digest: string): void {
    if (this.#path === undefined) return;
    const key = identity(path);
    if (key === undefined) return;
    if (this.#entries.get(key) === digest) return;
    this.#entries.delete(key);
    this.#entries.set(key, digest);
    while (this.#entries.size > MAX_HINTS) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#changed = true;
  }

  /** Writes the hints back when they changed; errors are ignored (hints are an optimisation). */
  save(): void {
    if (this.#path === undefined || !this.#changed) return;
    const temporary = `${this.#path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, `${JSON.stringify(Object.fromEntries(this.#entries))}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
      renameSync(temporary, this.#path);
      this.#changed = false;
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // nothing more to do
      }
    }
  }
}
