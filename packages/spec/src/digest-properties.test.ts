import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDigesterFor, digestOf, digestOfStream, isDigest, parseDigest } from './digest.js';
import { InvalidDigestError, UnsupportedError } from './errors.js';

const algorithm = fc.constantFrom('sha256' as const, 'sha512' as const);

/** Splits bytes at the given cut points. */
function chunks(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    out.push(bytes.subarray(start, point));
    start = point;
  }
  return out;
}

describe('digest properties', () => {
  it('a computed digest parses back to its algorithm and hex, and matches node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), algorithm, (bytes, alg) => {
        const digest = digestOf(bytes, alg);
        expect(parseDigest(digest)).toEqual({
          algorithm: alg,
          encoded: createHash(alg).update(bytes).digest('hex'),
        });
        expect(isDigest(digest)).toBe(true);
        expect(`${parseDigest(digest).algorithm}:${parseDigest(digest).encoded}`).toBe(digest);
      }),
    );
  });

  it('hashing in chunks, however cut, gives the digest of the whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        algorithm,
        async (bytes, cuts, alg) => {
          const whole = digestOf(bytes, alg);
          const digester = createDigesterFor(whole);
          for (const chunk of chunks(bytes, cuts)) digester.update(chunk);
          expect(digester.digest()).toBe(whole);
          expect(digester.bytes).toBe(bytes.length);
          async function* source() {
            yield* chunks(bytes, cuts);
          }
          expect(await digestOfStream(source(), alg)).toEqual({ digest: whole, size: bytes.length });
        },
      ),
    );
  });

  it('any other string is refused with a digest error, never a crash', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z0-9]{1,8}:[a-zA-Z0-9=_-]{0,140}$/)),
        (text) => {
          try {
            const parsed = parseDigest(text);
            expect(text).toBe(`${parsed.algorithm}:${parsed.encoded}`);
            expect(text).toMatch(/^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/);
          } catch (error) {
            expect(InvalidDigestError.is(error) || UnsupportedError.is(error)).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses huge and backtracking-prone strings with a short message', () => {
    for (const text of [
      `sha256:${'a'.repeat(1_000_000)}`,
      `${'a+'.repeat(500_000)}:x!`,
      `${'a'.repeat(1_000_000)}`,
    ]) {
      try {
        parseDigest(text);
        expect.unreachable();
      } catch (error) {
        expect(InvalidDigestError.is(error) || UnsupportedError.is(error)).toBe(true);
        expect((error as Error).message.length).toBeLessThan(300);
      }
    }
  });
});
