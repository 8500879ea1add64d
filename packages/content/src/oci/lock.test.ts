import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as oci from './index.js';
import { OciLayoutStore, acquireLock } from './index.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oras-lock-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A pid no process has any more: a child that has exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (pid === undefined) throw new Error('no child pid');
  return pid;
}

/** A wait budget far below the default 30 s and the 60 s stale age: taking the lock must not wait. */
const SMALL_BUDGET = { timeoutMs: 500 };

describe('acquireLock', () => {
  it('takes over at once an empty lock a killed writer left', async () => {
    // found by an outside review (issue 15): the lock was created, then written, so a writer
    // killed in between left it empty, and every later writer waited 30 s and failed
    const path = join(root, 'index.json.lock');
    await writeFile(path, '');
    const lock = await acquireLock(path, SMALL_BUDGET);
    expect(await readFile(path, 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    await lock.release();
    expect(await readdir(root)).toEqual([]);
  });

  it('takes over at once the lock of a dead process on this host', async () => {
    const path = join(root, 'index.json.lock');
    await writeFile(path, `${deadPid()} ${hostname()} ${Date.now()} 0123456789abcdef`);
    const lock = await acquireLock(path, SMALL_BUDGET);
    await lock.release();
    expect(await readdir(root)).toEqual([]);
  });

  it('is never seen empty while it is taken and released', async () => {
    const path = join(root, 'x.lock');
    let seenEmpty = 0;
    let done = false;
    const watcher = (async () => {
      while (!done) {
        const content = await readFile(path, 'utf8').catch(() => undefined);
        if (content === '') seenEmpty += 1;
      }
    })();
    for (let i = 0; i < 200; i++) await (await acquireLock(path, SMALL_BUDGET)).release();
    done = true;
    await watcher;
    expect(seenEmpty).toBe(0);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('OciLayoutStore', () => {
  it('writes its index at once after a writer was killed holding an empty lock', async () => {
    const store = await OciLayoutStore.open(root, { lock: SMALL_BUDGET });
    await writeFile(join(root, 'index.json.lock'), '');
    const config = new TextEncoder().encode('{}');
    const desc = {
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      size: 2,
    };
    await store.push(desc, config);
    await store.tag(desc, 'after-crash');
    expect((await store.resolve('after-crash')).digest).toBe(desc.digest);
  });
});

describe('cleanupOciLayoutsSync', () => {
  it('removes the blob being written and the index lock this process holds', async () => {
    const store = await OciLayoutStore.open(root, { lock: SMALL_BUDGET });
    const bytes = new Uint8Array(256 * 1024).fill(7);
    const { createHash } = await import('node:crypto');
    const desc = {
      mediaType: 'application/octet-stream',
      digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      size: bytes.length,
    };
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(bytes.subarray(0, 1000));
          return;
        }
        await gate;
        controller.enqueue(bytes.subarray(1000));
        controller.close();
      },
    });
    const pushing = store.push(desc, stream).then(
      () => undefined,
      (e: unknown) => e,
    );
    const ingest = join(root, oci.INGEST_DIR);
    for (let i = 0; i < 2000 && (await readdir(ingest).catch(() => [])).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await readdir(ingest)).length).toBe(1);
    const lockPath = join(root, 'other.lock');
    await acquireLock(lockPath, SMALL_BUDGET);
    oci.cleanupOciLayoutsSync();
    expect(await readdir(ingest)).toEqual([]);
    expect((await readdir(root)).filter((n) => n.endsWith('.lock'))).toEqual([]);
    release();
    expect(await pushing).toBeInstanceOf(Error);
    expect(await store.exists(desc)).toBe(false);
    expect(await readdir(ingest)).toEqual([]);
  });
});
