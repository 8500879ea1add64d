import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Descriptor, MismatchedDigestError, MismatchedSizeError, NotFoundError } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchToFile } from './fetch-to-file.js';
import type { Fetcher } from './interfaces.js';
import { MemoryStore } from './memory/index.js';
import type { TransferProgress } from './progress.js';
import { descriptorOf, pushBytes, toReadableStream } from './stream.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oras-fetch-to-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fetcher that serves `bytes` whatever it is asked for (to lie about content). */
const lying = (bytes: Uint8Array): Fetcher => ({ fetch: async () => toReadableStream(bytes) });

describe('fetchToFile', () => {
  it('writes verified content into place, reporting progress, leaving nothing else behind', async () => {
    const store = new MemoryStore();
    const content = new Uint8Array(2 * 1024 * 1024 + 3).map((_, i) => i % 251);
    const desc = await pushBytes(store, 'application/octet-stream', content);
    const path = join(dir, 'blob.bin');
    const seen: TransferProgress[] = [];
    await fetchToFile(store, desc, path, { fsync: true, onProgress: (p) => seen.push(p) });
    expect(Buffer.compare(await readFile(path), Buffer.from(content))).toBe(0);
    expect(await readdir(dir)).toEqual(['blob.bin']);
    expect(seen.at(-1)).toEqual({ descriptor: desc, bytes: content.byteLength, total: content.byteLength });
  });

  it('replaces an existing file only once the content checks out', async () => {
    const path = join(dir, 'file.txt');
    await writeFile(path, 'old');
    const good = new TextEncoder().encode('new content');
    const desc = descriptorOf('text/plain', good);
    const bad = new TextEncoder().encode('new CONTENT');
    await expect(fetchToFile(lying(bad), desc, path)).rejects.toBeInstanceOf(MismatchedDigestError);
    expect(await readFile(path, 'utf8')).toBe('old');
    await expect(fetchToFile(lying(good.subarray(0, 5)), desc, path)).rejects.toBeInstanceOf(
      MismatchedSizeError,
    );
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['file.txt']);
    await fetchToFile(lying(good), desc, path, { mode: 0o600 });
    expect(await readFile(path, 'utf8')).toBe('new content');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('removes the temporary file when the fetch fails or is aborted', async () => {
    const store = new MemoryStore();
    const missing: Descriptor = descriptorOf('text/plain', new TextEncoder().encode('absent'));
    await expect(fetchToFile(store, missing, join(dir, 'absent'))).rejects.toSatisfy((e: unknown) =>
      NotFoundError.is(e),
    );
    const controller = new AbortController();
    const endless: Fetcher = {
      fetch: async () =>
        new ReadableStream<Uint8Array>({
          pull(c) {
            c.enqueue(new Uint8Array(1024));
            controller.abort(new Error('stop'));
          },
        }),
    };
    const desc = { mediaType: 'application/octet-stream', digest: missing.digest, size: 1 << 30 };
    await expect(fetchToFile(endless, desc, join(dir, 'big'), { signal: controller.signal })).rejects.toThrow(
      'stop',
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
