/**
 * A lock around the read-modify-write of a docker config file, so that ten `oras login` to ten
 * registries at once keep ten entries: each reads the file, adds its entry and renames its copy
 * over the original, and without a lock the last rename wins and the others' entries are lost.
 *
 * The lock is a file next to the config (`config.json.lock`), created whole: its owner (pid, host
 * name and a random nonce) is written to a temporary file first, which is then hard-linked to the
 * lock's name (a link fails when the name exists, like `O_EXCL`, and never shows a half-written
 * owner). Where hard links are not supported it is created with `O_EXCL` and written. A lock
 * whose owner is a dead process on this host is taken over at once; a lock whose owner cannot be
 * checked (another host, an unreadable owner) once it is older than {@link LOCK_STALE_MS}. A
 * waiter gives up after {@link LOCK_WAIT_MS} with an error that names the lock file.
 *
 * Only writers that take this lock are kept out: `docker login` does not, so a docker and an
 * oras writing at the same moment can still lose an entry (the atomic rename still keeps the file
 * whole).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CredentialsError } from './errors.js';

/** How long a writer waits for the lock before it gives up (ms). */
export const LOCK_WAIT_MS = 15_000;

/** How old a lock whose owner cannot be checked must be to count as abandoned (ms). */
export const LOCK_STALE_MS = 10_000;

/** Options of {@link withConfigLock} (tests shorten the times). */
export interface ConfigLockOptions {
  readonly waitMs?: number;
  readonly staleMs?: number;
}

/** The tail of every lock chain of this process, by lock path: one holder per process at a time. */
const inProcess = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while holding the lock of the config file at `path`, against other calls in this
 * process and other processes.
 *
 * @throws CredentialsError when the lock stays held for longer than the wait allows.
 */
export async function withConfigLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: ConfigLockOptions = {},
): Promise<T> {
  const lockPath = `${await realpath(path).catch(() => path)}.lock`;
  const previous = inProcess.get(lockPath) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const release = await acquire(path, lockPath, options);
      try {
        return await fn();
      } finally {
        await release();
      }
    });
  const tail = run.catch(() => undefined);
  inProcess.set(lockPath, tail);
  void tail.then(() => {
    if (inProcess.get(lockPath) === tail) inProcess.delete(lockPath);
  });
  return run;
}

interface Owner {
  readonly pid: number | undefined;
  readonly host: string | undefined;
  readonly ino: number;
  readonly ageMs: number;
}

async function acquire(
  path: string,
  lockPath: string,
  options: ConfigLockOptions,
): Promise<() => Promise<void>> {
  const waitMs = options.waitMs ?? LOCK_WAIT_MS;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const token = `${process.pid}\n${hostname()}\n${randomBytes(8).toString('hex')}\n`;
  await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    if (await create(lockPath, token)) {
      return async () => {
        const now = await readFile(lockPath, 'utf8').catch(() => undefined);
        if (now === token) await rm(lockPath, { force: true });
      };
    }
    const owner = await ownerOf(lockPath);
    if (owner === undefined) continue; // released in between
    if (isAbandoned(owner, staleMs)) {
      await takeOver(lockPath, owner.ino);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = owner.pid === undefined ? 'another process' : `process ${owner.pid}`;
      throw new CredentialsError(
        `${path}: config file is locked by ${who} (${lockPath}); remove the lock file if no oras login or logout is running`,
      );
    }
    await sleep(Math.min(10 * 2 ** Math.min(attempt, 4), 100) + Math.random() * 10);
  }
}

/** Creates the lock holding `token`; false when it exists. */
async function create(lockPath: string, token: string): Promise<boolean> {
  const temp = `${lockPath}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(token, 'utf8');
    } finally {
      await handle.close();
    }
    try {
      await link(temp, lockPath);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes((err as NodeJS.ErrnoException).code ?? '')) {
        throw err;
      }
    }
    // no hard links here: create it with O_EXCL and write the owner
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(token, 'utf8');
      } finally {
        await handle.close();
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  } catch (err) {
    throw new CredentialsError(`${lockPath}: cannot create the config file lock`, { cause: err });
  } finally {
    await rm(temp, { force: true });
  }
}

/** Who holds the lock; `undefined` when there is no lock any more. */
async function ownerOf(lockPath: string): Promise<Owner | undefined> {
  try {
    // the inode and the owner read through one handle, so both are of the same lock
    const handle = await open(lockPath, 'r');
    let info: Awaited<ReturnType<typeof handle.stat>>;
    let text: string;
    try {
      info = await handle.stat();
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
    const [pidText = '', host = ''] = text.split('\n');
    const pid = /^\d+$/.test(pidText) ? Number(pidText) : undefined;
    return {
      pid,
      host: host === '' ? undefined : host,
      ino: info.ino,
      ageMs: Date.now() - info.mtimeMs,
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialsError(`${lockPath}: cannot read the config file lock`, { cause: err });
  }
}

/** Whether the owner is gone: a dead process of this host, or an unverifiable owner of an old lock. */
function isAbandoned(owner: Owner, staleMs: number): boolean {
  const checkable = owner.pid !== undefined && owner.host === hostname() && owner.pid !== process.pid;
  if (!checkable) return owner.ageMs > staleMs;
  try {
    process.kill(owner.pid as number, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes the abandoned lock with inode `ino`. It is renamed aside first, so that of two waiters
 * taking the same abandoned lock over, the second cannot remove the lock the first has created
 * since: a lock renamed aside that turns out to be another one is put back.
 */
async function takeOver(lockPath: string, ino: number): Promise<void> {
  const aside = `${lockPath}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new CredentialsError(`${lockPath}: cannot take over the abandoned lock`, { cause: err });
  }
  try {
    if ((await stat(aside)).ino !== ino) await link(aside, lockPath).catch(() => undefined);
  } finally {
    await rm(aside, { force: true });
  }
}
