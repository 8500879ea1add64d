import { mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withConfigLock } from './config-lock.js';
import { CredentialsError } from './errors.js';

let dir: string;
let config: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oras-auth-lock-'));
  config = join(dir, 'config.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid no process has: above the kernel's largest. */
const DEAD_PID = 4_194_304 + 1;

describe('withConfigLock', () => {
  it('runs one holder at a time in a process, and leaves no file behind', async () => {
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        withConfigLock(config, async () => {
          order.push(`${name} in`);
          expect(await readFile(`${config}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid}\\n`));
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(`${name} out`);
        }),
      ),
    );
    // one at a time: each holder leaves before the next comes in (in whichever order they got
    // the lock: each call resolves the config's real path first, which may finish in any order)
    const names = order.filter((_, i) => i % 2 === 0).map((step) => step.split(' ')[0]);
    expect([...names].sort()).toEqual(['a', 'b', 'c']);
    expect(order).toEqual(names.flatMap((name) => [`${name} in`, `${name} out`]));
    expect(await readdir(dir)).toEqual([]);
  });

  it('releases the lock when the holder fails', async () => {
    await expect(withConfigLock(config, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await readdir(dir)).toEqual([]);
    await expect(withConfigLock(config, async () => 'next')).resolves.toBe('next');
  });

  it('takes over at once a lock whose owner on this host is dead', async () => {
    await writeFile(`${config}.lock`, `${DEAD_PID}\n${hostname()}\nabc\n`);
    await expect(withConfigLock(config, async () => 'got it', { waitMs: 60_000 })).resolves.toBe('got it');
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over an old lock whose owner cannot be checked (another host, an empty file)', async () => {
    for (const owner of [`${process.ppid}\nanother-host\nabc\n`, '']) {
      await writeFile(`${config}.lock`, owner);
      const old = new Date(Date.now() - 60_000);
      await utimes(`${config}.lock`, old, old);
      await expect(withConfigLock(config, async () => 'got it', { staleMs: 30_000 })).resolves.toBe('got it');
    }
  });

  it('waits for a live owner, then gives up naming the lock file', async () => {
    // the parent of this process is alive and on this host
    await writeFile(`${config}.lock`, `${process.ppid}\n${hostname()}\nabc\n`);
    const err = await withConfigLock(config, async () => 'never', { waitMs: 200 }).catch((e: unknown) => e);
    expect(CredentialsError.is(err)).toBe(true);
    expect((err as Error).message).toBe(
      `${config}: config file is locked by process ${process.ppid} (${config}.lock); remove the lock file if no oras login or logout is running`,
    );
    expect(await readFile(`${config}.lock`, 'utf8')).toBe(`${process.ppid}\n${hostname()}\nabc\n`);
  });

  it('locks the target of a symlinked config', async () => {
    const target = join(dir, 'real.json');
    await writeFile(target, '{}');
    await symlink(target, config);
    await withConfigLock(config, async () => {
      expect((await readdir(dir)).sort()).toEqual(['config.json', 'real.json', 'real.json.lock']);
    });
  });
});
