import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createDigester, MismatchedSizeError, TrailingDataError } from '@oras/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileChunks, hashedFrom, sizedChunks } from './upload-source.js';

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const isA =
  (C: { is(value: unknown): boolean }) =>
  (e: unknown): boolean =>
    C.is(e);

/** A one-shot source of the given chunks. */
const source = (...chunks: Uint8Array[]): AsyncIterable<Uint8Array> => Readable.from(chunks);

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  // copy each chunk: fileChunks reuses its buffers
  for await (const c of chunks) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

describe('fileChunks', () => {
  let dir: string;
  const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 17) % 256));
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oras-file-chunks-'));
    await writeFile(join(dir, 'f'), data);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the whole file through buffers that take turns', async () => {
    expect((await collect(fileChunks(join(dir, 'f'), 0, 1024))).equals(data)).toBe(true);
  });

  it('reads from an offset, in chunks of at most the chunk size', async () => {
    const sizes: number[] = [];
    const out: Buffer[] = [];
    for await (const c of fileChunks(join(dir, 'f'), 7_000, 1024)) {
      sizes.push(c.byteLength);
      out.push(Buffer.from(c));
    }
    expect(Buffer.concat(out).equals(data.subarray(7_000))).toBe(true);
    expect(sizes).toEqual([1024, 1024, 952]);
  });
});

describe('hashedFrom', () => {
  it('hashes bytes sent again from an earlier offset only once', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    const digester = createDigester();
    const progress = { hashed: 0, sent: 0 };
    // first attempt breaks after 600 bytes; the registry held 400
    await collect(hashedFrom(source(data.subarray(0, 300), data.subarray(300, 600)), 0, digester, progress));
    expect(progress).toEqual({ hashed: 600, sent: 600 });
    await collect(hashedFrom(source(data.subarray(400, 700), data.subarray(700)), 400, digester, progress));
    expect(progress).toEqual({ hashed: 1000, sent: 1000 });
    expect(digester.digest()).toBe(sha256(data));
  });
});

describe('sizedChunks', () => {
  const data = new TextEncoder().encode('hello world');
  const desc = { mediaType: 'text/plain', digest: sha256(data), size: data.byteLength };

  it('passes content of the right size through unchanged', async () => {
    expect(
      (await collect(sizedChunks(source(data.subarray(0, 5), data.subarray(5)), desc))).equals(data),
    ).toBe(true);
  });

  it('fails content that goes on past its size', async () => {
    await expect(collect(sizedChunks(source(data, new Uint8Array(1)), desc))).rejects.toSatisfy(
      isA(TrailingDataError),
    );
  });

  it('fails content that ends early', async () => {
    await expect(collect(sizedChunks(source(data.subarray(0, 4)), desc))).rejects.toSatisfy(
      isA(MismatchedSizeError),
    );
  });
});
