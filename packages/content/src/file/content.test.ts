import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MismatchedDigestError, MismatchedSizeError, TrailingDataError } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markVerified, toReadableStream } from '../stream.js';
import { writeVerified } from './content.js';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const descOf = (b: Uint8Array) => ({
  mediaType: 'application/octet-stream',
  digest: sha256(b),
  size: b.length,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oras-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeTo(
  name: string,
  source: Parameters<typeof writeVerified>[1],
  desc: ReturnType<typeof descOf>,
) {
  const handle = await open(join(dir, name), 'w');
  try {
    await writeVerified(handle, source, desc);
  } finally {
    await handle.close();
  }
  return readFile(join(dir, name));
}

/** `bytes` cut into `count` chunks of uneven sizes, some empty. */
function* unevenChunks(bytes: Buffer, count: number): Generator<Uint8Array> {
  let at = 0;
  for (let i = 0; i < count - 1 && at < bytes.length; i++) {
    const size = (i * 7919) % 9001;
    yield bytes.subarray(at, at + size);
    at += size;
  }
  yield bytes.subarray(at);
}

describe('writeVerified', () => {
  it('writes thousands of uneven chunks in order, overlapping reads and writes', async () => {
    const bytes = randomBytes(12 * 1024 * 1024);
    const source = (async function* () {
      for (const chunk of unevenChunks(bytes, 3000)) {
        yield chunk;
        if (chunk.length % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const written = await writeTo('many', source, descOf(bytes));
    expect(written.equals(bytes)).toBe(true);
  });

  it('refuses content that hashes to another digest, or runs long or short', async () => {
    const bytes = randomBytes(100_000);
    const other = Buffer.from(bytes);
    other[5000] = (other[5000] ?? 0) ^ 1;
    await expect(writeTo('bad', other, descOf(bytes))).rejects.toSatisfy((e: unknown) =>
      MismatchedDigestError.is(e),
    );
    await expect(writeTo('long', Buffer.concat([bytes, Buffer.from('x')]), descOf(bytes))).rejects.toSatisfy(
      (e: unknown) => TrailingDataError.is(e),
    );
    await expect(writeTo('short', bytes.subarray(1), descOf(bytes))).rejects.toSatisfy((e: unknown) =>
      MismatchedSizeError.is(e),
    );
  });

  it('trusts the hash of a stream marked as verifying this digest, and still counts its size', async () => {
    const bytes = randomBytes(50_000);
    const lying = Buffer.from(bytes);
    lying[0] = (lying[0] ?? 0) ^ 1;
    // marked for this digest: the mark is taken at its word (the real streams error themselves)
    const trusted = await writeTo(
      'trusted',
      markVerified(toReadableStream(lying), descOf(bytes)),
      descOf(bytes),
    );
    expect(trusted.equals(lying)).toBe(true);
    await expect(
      writeTo(
        'longer',
        markVerified(toReadableStream(Buffer.concat([bytes, bytes])), descOf(bytes)),
        descOf(bytes),
      ),
    ).rejects.toSatisfy((e: unknown) => TrailingDataError.is(e));
    await expect(
      writeTo('shorter', markVerified(toReadableStream(bytes.subarray(9)), descOf(bytes)), descOf(bytes)),
    ).rejects.toSatisfy((e: unknown) => MismatchedSizeError.is(e));
    // marked for another digest: hashed here, and refused
    const otherDesc = descOf(randomBytes(50_000));
    await expect(
      writeTo('other', markVerified(toReadableStream(lying), otherDesc), descOf(bytes)),
    ).rejects.toSatisfy((e: unknown) => MismatchedDigestError.is(e));
  });

  it('passes a write failure on, with no write left running', async () => {
    const bytes = randomBytes(8 * 1024 * 1024);
    await writeFile(join(dir, 'ro'), '');
    const handle = await open(join(dir, 'ro'), 'r');
    try {
      await expect(writeVerified(handle, toReadableStream(bytes), descOf(bytes))).rejects.toMatchObject({
        code: 'EBADF',
      });
    } finally {
      await handle.close();
    }
  });
});
