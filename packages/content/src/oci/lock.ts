/**
 * A lock file shared by processes, holding its owner's token (`pid host time random`). A lock
 * whose holder is a dead process on this host, or that is older than `staleMs` (whoever holds it:
 * the lock guards one short read-modify-write), is broken. Used to serialise read-modify-write of
 * an OCI layout's `index.json` (oras-go#286: oras-go's store is not safe across processes).
 *
 * Why a hard link: the token is written to a temporary file first, which is then linked to the
 * lock's name (`link` fails when the name exists, as `O_EXCL` does). The lock is never seen
 * empty, so an empty lock is the leftover of a writer killed between creating and writing it
 * (an older version of this code) and is taken over at once, instead of blocking every writer
 * until it is old enough. Where the file system has no hard links, the lock is created with
 * `O_EXCL` and written, and its owner checks afterwards that the lock still holds its token (a
 * writer that took it over while empty wins; the other tries again).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ErrorCode, OrasError } from '@oras/spec';
import { isErrno } from '../internal/file-stream.js';

/** Options of {@link acquireLock}. */
export interface LockOptions {
  /** How long to wait for the lock before failing (default 30 s). */
  readonly timeoutMs?: number | undefined;
  /** Age after which any lock counts as stale (default 60 s); a lock of a dead process on this host is stale at once. */
  readonly staleMs?: number | undefined;
  /** Aborts the wait. */
  readonly signal?: AbortSignal | undefined;
}

/** How long {@link acquireLock} waits by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** When a lock counts as stale by age. */
export const DEFAULT_LOCK_STALE_MS = 60_000;

/** A held lock. */
export interface Lock {
  /** Releases the lock, if it is still ours. */
  release(): Promise<void>;
}

const HOST = hostname();

/** The locks this process holds: path to token. */
const held = new Map<string, string>();

/**
 * Removes, synchronously, every lock this process holds (each only when it still holds this
 * process's token): for a signal or exit handler, where `release()` would not get to run. A lock
 * left behind would be taken over at once on this host anyway (its owner is dead), but not from
 * another host sharing the folder until it is old enough. Never throws. @internal
 */
export function releaseHeldLocksSync(): void {
  for (const [path, token] of held) {
    try {
      if (readFileSync(path, 'utf8') === token) unlinkSync(path);
    } catch {
      // best effort: the process is going away
    }
  }
  held.clear();
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !isErrno(err, 'ESRCH');
  }
}

async function isStale(path: string, content: string, staleMs: number): Promise<boolean> {
  const [pidText, host] = content.split(' ');
  const pid = Number(pidText);
  if (host === HOST && Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !processIsAlive(pid)) {
    return true;
  }
  // A live pid may have been reused after a crash; the lock is held for milliseconds, so age decides.
  try {
    const info = await stat(path);
    return Date.now() - info.mtimeMs > staleMs;
  } catch {
    return false;
  }
}

/**
 * Creates the lock at `path` holding `token`, atomically (see the module comment). Resolves
 * `true` when taken, `false` when the lock exists.
 */
async function createLock(path: string, token: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, token, { flag: 'wx' });
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    if (!isErrno(err, 'EPERM') && !isErrno(err, 'ENOTSUP') && !isErrno(err, 'ENOSYS')) throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return createLockWithoutLinks(path, token);
}

/** {@link createLock} on a file system without hard links: create, write, then check it is still ours. */
async function createLockWithoutLinks(path: string, token: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx');
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  }
  try {
    await handle.writeFile(token);
  } finally {
    await handle.close();
  }
  // Another writer may have taken the lock over while it was empty: then it is theirs.
  return (await readFile(path, 'utf8').catch(() => undefined)) === token;
}

/** Breaks a stale lock without ever removing a lock someone else took meanwhile. */
async function breakLock(path: string, staleContent: string): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleContent) {
    // We moved a fresh lock taken after our check: put it back unless another has been taken.
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Takes the lock file at `path`, waiting (with jittered polling) while another holder has it. */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<Lock> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const token = `${process.pid} ${HOST} ${Date.now()} ${randomBytes(8).toString('hex')}`;
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await createLock(path, token)) {
      held.set(path, token);
      return {
        async release() {
          if (held.get(path) === token) held.delete(path);
          const content = await readFile(path, 'utf8').catch(() => undefined);
          if (content === token) await unlink(path).catch(() => undefined);
        },
      };
    }
    const content = await readFile(path, 'utf8').catch(() => undefined);
    // An empty lock is a killed writer's (see the module comment): taken over at once.
    if (content !== undefined && (content === '' || (await isStale(path, content, staleMs)))) {
      await breakLock(path, content);
      continue;
    }
    if (Date.now() > deadline) {
      throw new OrasError(
        `${path}: lock held by another process (${content ?? 'unknown'}) for over ${timeoutMs} ms`,
        {
          code: ErrorCode.Timeout,
        },
      );
    }
    await sleep(delay + Math.random() * delay, options.signal);
    delay = Math.min(delay * 2, 50);
  }
}

/** Runs `fn` while holding the lock at `path`. */
export async function withLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = await acquireLock(path, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
