/** The streamed upload: a reopenable source in one `PATCH`, hashed on the way. */
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { PlainClient } from '../../http.js';
import { sha256, useRepositoryFixture } from '../../test-support/repository-fixture.js';
import { createTransport } from '../../transport.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('streamed upload', () => {
  beforeEach(() => setup());

  it('pushStream sends a reopenable source in one PATCH, hashed on the way, and commits with an empty PUT', async () => {
    const r = repo();
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    const opened: number[] = [];
    const desc = await r.pushStream('application/x-test', (offset) => {
      opened.push(offset);
      return Readable.from([data.subarray(offset, 100_000), data.subarray(Math.max(offset, 100_000))]);
    });
    expect(desc).toEqual({ mediaType: 'application/x-test', digest: sha256(data), size: 300_000 });
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
    expect(opened).toEqual([0]);
    const writes = fx.registry.requests.filter((q) => q.method === 'PATCH' || q.method === 'PUT');
    expect(writes.map((q) => q.method)).toEqual(['PATCH', 'PUT']);
    expect(writes[0]?.headers['content-range']).toBeUndefined();
    expect(writes[1]?.headers['content-length']).toBe('0');
    expect(writes[1]?.url).toContain(`digest=${encodeURIComponent(desc.digest)}`);
  });

  it('pushStream resumes a broken streamed PATCH from the offset the registry holds', async () => {
    const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 13) % 251));
    let failed = false;
    fx.registry.fault = (req, res, body) => {
      if (req.method === 'PATCH' && !failed) {
        failed = true;
        // the registry keeps the first 70 000 bytes, then the connection dies
        const id = /uploads\/([^?]+)/.exec(req.url ?? '')![1]!;
        const upload = fx.registry.uploads.get(id)!;
        upload.chunks.push(body.subarray(0, 70_000));
        upload.size += 70_000;
        res.socket?.destroy();
        return true;
      }
      return false;
    };
    const opened: number[] = [];
    const noRetry = createTransport({ retry: false });
    try {
      const desc = await repo({ client: new PlainClient({ dispatcher: noRetry }) }).pushStream(
        'application/octet-stream',
        (offset) => {
          opened.push(offset);
          return Readable.from([data.subarray(offset)]);
        },
      );
      expect(desc.digest).toBe(sha256(data));
      expect(desc.size).toBe(200_000);
      expect(opened).toEqual([0, 70_000]);
      expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
      expect(fx.registry.requests.some((q) => q.method === 'GET' && q.url.includes('/uploads/'))).toBe(true);
    } finally {
      await noRetry.close();
    }
  });

  it('pushStream starts over in chunks when the registry refuses a large PATCH', async () => {
    await setup({ maxPatchBytes: 64 * 1024 });
    const data = Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 3) % 256));
    const opened: number[] = [];
    const desc = await repo().pushStream('application/octet-stream', (offset) => {
      opened.push(offset);
      return Readable.from([data.subarray(offset)]);
    });
    expect(desc.digest).toBe(sha256(data));
    expect(opened).toEqual([0, 0]);
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
    expect(fx.registry.uploads.size).toBe(0);
  });
});
