/** The chunked upload: `PATCH` with `Content-Range`, resumed from the upload status. */
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { descOf, sha256, useRepositoryFixture } from '../../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('chunked upload', () => {
  beforeEach(() => setup());

  it('uploads in chunks with Content-Range when the blob is larger than maxChunkSize', async () => {
    const r = repo({ maxChunkSize: 1000 });
    const data = Buffer.alloc(2500, 3);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    const ranges = fx.registry.requests.filter((q) => q.method === 'PATCH' || q.method === 'PUT');
    expect(ranges.map((q) => `${q.method} ${q.headers['content-range']}`)).toEqual([
      'PATCH 0-999',
      'PATCH 1000-1999',
      'PUT 2000-2499',
    ]);
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
  });

  it('honours OCI-Chunk-Min-Length over a smaller maxChunkSize', async () => {
    await setup({ chunkMinLength: 2000 });
    const r = repo({ maxChunkSize: 1000 });
    const data = Buffer.alloc(4500, 9);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    const ranges = fx.registry.requests.filter((q) => q.method === 'PATCH' || q.method === 'PUT');
    expect(ranges.map((q) => q.headers['content-range'])).toEqual(['0-1999', '2000-3999', '4000-4499']);
  });

  it('pushStream hashes while it uploads and returns the descriptor', async () => {
    const r = repo({ streamChunkSize: 4096 });
    const data = Buffer.alloc(10_000, 5);
    async function* source() {
      for (let i = 0; i < data.length; i += 1500) yield data.subarray(i, i + 1500);
    }
    const desc = await r.pushStream('application/x-test', source());
    expect(desc).toEqual({ mediaType: 'application/x-test', digest: sha256(data), size: 10_000 });
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
    expect(fx.registry.requests.filter((q) => q.method === 'PATCH')).toHaveLength(2);
  });

  it('pushStream chunks a one-shot source, which cannot be sent again', async () => {
    const r = repo();
    const data = Buffer.alloc(10_000, 3);
    const progress: number[] = [];
    const desc = await r.pushStream('application/x-test', Readable.from([data]), {
      onProgress: (n) => progress.push(n),
    });
    expect(desc.digest).toBe(sha256(data));
    expect(progress).toEqual([10_000]);
    const patches = fx.registry.requests.filter((q) => q.method === 'PATCH');
    expect(patches.every((q) => q.headers['content-range'] !== undefined)).toBe(true);
  });

  it('resumes a chunked upload from the offset the registry reports', async () => {
    const r = repo({ maxChunkSize: 1000 });
    const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const desc = descOf('application/octet-stream', data);
    let failed = false;
    fx.registry.fault = (req, res, body) => {
      if (req.method === 'PATCH' && req.headers['content-range'] === '1000-1999' && !failed) {
        failed = true;
        // the registry keeps the first 400 bytes of the chunk, then the connection dies
        const id = /uploads\/([^?]+)/.exec(req.url ?? '')![1]!;
        const upload = fx.registry.uploads.get(id)!;
        upload.chunks.push(body.subarray(0, 400));
        upload.size += 400;
        res.socket?.destroy();
        return true;
      }
      return false;
    };
    await r.push(desc, data);
    const ranges = fx.registry.requests
      .filter((q) => q.method === 'PATCH' || q.method === 'PUT')
      .map((q) => q.headers['content-range']);
    expect(ranges).toEqual(['0-999', '1000-1999', '1400-1999', '2000-2999']);
    expect(fx.registry.requests.some((q) => q.method === 'GET' && q.url.includes('/uploads/'))).toBe(true);
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
  });
});
