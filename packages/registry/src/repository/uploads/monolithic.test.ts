/** The monolithic upload: the whole blob in one `PUT ?digest=`. */
import { Readable } from 'node:stream';
import { MismatchedDigestError } from '@oras/spec';
import { isVerified } from '@oras/content';
import { beforeEach, describe, expect, it } from 'vitest';
import { ResponseError } from '../../errors.js';
import { descOf, enc, isA, readAll, useRepositoryFixture } from '../../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('monolithic upload', () => {
  beforeEach(() => setup());

  it('pushes a blob monolithically and fetches it back verified', async () => {
    const r = repo();
    const data = enc.encode('hello blob');
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    expect(fx.registry.requests.map((q) => q.method)).toEqual(['HEAD', 'POST', 'PUT']);
    expect(await r.exists(desc)).toBe(true);
    const stream = await r.fetch(desc);
    // marked as checking itself, so a store it is written to does not hash it again
    expect(isVerified(stream, desc)).toBe(true);
    expect((await readAll(stream)).toString()).toBe('hello blob');
  });

  it('streams a blob push from a ReadableStream', async () => {
    const r = repo();
    const data = Buffer.alloc(300_000, 7);
    const desc = descOf('application/octet-stream', data);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < data.length; i += 65536) c.enqueue(data.subarray(i, i + 65536));
        c.close();
      },
    });
    await r.push(desc, stream);
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
  });

  it('refuses content that does not match its descriptor and stores nothing', async () => {
    const r = repo();
    const desc = descOf('application/octet-stream', enc.encode('right'));
    await expect(r.push(desc, enc.encode('wrong'))).rejects.toSatisfy(isA(MismatchedDigestError));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode('wrong'));
        c.close();
      },
    });
    await expect(r.push(desc, stream)).rejects.toThrow();
    expect(fx.registry.blobs.size).toBe(0);
  });

  it('leaves the digest of a large streamed push to the registry, which refuses wrong content', async () => {
    const r = repo();
    const right = Buffer.alloc(5 * 1024 * 1024, 1);
    const wrong = Buffer.alloc(5 * 1024 * 1024, 2);
    const desc = descOf('application/octet-stream', right);
    const err = await r.push(desc, Readable.from([wrong])).catch((e: unknown) => e);
    expect(ResponseError.is(err)).toBe(true);
    expect((err as ResponseError).errors[0]?.code).toBe('DIGEST_INVALID');
    expect(fx.registry.blobs.has(desc.digest)).toBe(false);
  });

  it('fails a large streamed push whose content is longer than its descriptor says', async () => {
    const r = repo();
    const data = Buffer.alloc(5 * 1024 * 1024, 1);
    const desc = descOf('application/octet-stream', data);
    const err = await r.push(desc, Readable.from([data, Buffer.alloc(10)])).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/goes on past its size/);
    expect(fx.registry.blobs.has(desc.digest)).toBe(false);
  });
});
