import { ErrorCode, digestOf } from '@oras/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAll, toReadableStream } from './stream.js';

/** Splits `bytes` at the given cut points into a stream of chunks. */
function chunked(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.map((c) => c % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.byteLength]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  async function* gen() {
    yield* chunks;
  }
  return toReadableStream(gen());
}

describe('verifyStream properties', () => {
  it('accepts the described bytes however they are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat()), async (bytes, cuts) => {
        const desc = { mediaType: 'x/y', digest: digestOf(bytes), size: bytes.byteLength };
        expect(await readAll(chunked(bytes, cuts), desc)).toEqual(bytes);
      }),
    );
  });

  it('refuses any change of one byte, any truncation and any extension', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 1024 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.array(fc.nat()),
        async (bytes, at, delta, cuts) => {
          const desc = { mediaType: 'x/y', digest: digestOf(bytes), size: bytes.byteLength };
          const changed = new Uint8Array(bytes);
          const i = at % bytes.byteLength;
          changed[i] = ((changed[i] ?? 0) + delta) & 0xff;
          await expect(readAll(chunked(changed, cuts), desc)).rejects.toMatchObject({
            code: ErrorCode.MismatchedDigest,
          });
          await expect(readAll(chunked(bytes.subarray(0, i), cuts), desc)).rejects.toMatchObject({
            code: ErrorCode.MismatchedSize,
          });
          const longer = new Uint8Array(bytes.byteLength + 1 + (at % 7));
          longer.set(bytes);
          await expect(readAll(chunked(longer, cuts), desc)).rejects.toMatchObject({
            code: ErrorCode.TrailingData,
          });
        },
      ),
    );
  });
});
