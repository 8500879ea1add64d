import { describe, expect, it } from 'vitest';
import { createDigester, digestOf, digestOfStream, isDigest, parseDigest } from './digest.js';
import { InvalidDigestError, UnsupportedError } from './errors.js';
import { EMPTY_DESCRIPTOR, emptyJsonBytes } from './types.js';

const HELLO = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

describe('digests', () => {
  it('computes sha256 and sha512 of bytes', () => {
    expect(digestOf('hello')).toBe(HELLO);
    expect(digestOf(new TextEncoder().encode('hello'), 'sha512')).toMatch(/^sha512:[a-f0-9]{128}$/);
  });

  it('matches the empty descriptor of the image-spec', () => {
    expect(digestOf(emptyJsonBytes())).toBe(EMPTY_DESCRIPTOR.digest);
  });

  it('computes incrementally, chunk by chunk', async () => {
    const d = createDigester();
    d.update(new TextEncoder().encode('hel'));
    d.update(new TextEncoder().encode('lo'));
    expect(d.bytes).toBe(5);
    expect(d.digest()).toBe(HELLO);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('he'));
        c.enqueue(new TextEncoder().encode('llo'));
        c.close();
      },
    });
    expect(await digestOfStream(stream)).toEqual({ digest: HELLO, size: 5 });
  });

  it('parses valid digests and refuses bad ones with the expected form', () => {
    expect(parseDigest(HELLO)).toEqual({ algorithm: 'sha256', encoded: HELLO.slice(7) });
    for (const bad of [
      '',
      'sha256',
      'sha256:',
      `sha256:${'A'.repeat(64)}`,
      `sha256:${'a'.repeat(63)}`,
      'SHA256:ab',
      'sha256:ab\n',
      // 71 characters, as a sha256 digest, yet not one
      `sha256:${'a'.repeat(63)}\n`,
      `sha256:${'g'.repeat(64)}`,
      `sha256:${'a'.repeat(63)}A`,
    ]) {
      expect(() => parseDigest(bad), bad).toThrow(InvalidDigestError);
    }
    expect(() => parseDigest('md5:abcd')).toThrow(UnsupportedError);
    expect(() => parseDigest(`sha384:${'a'.repeat(64)}`)).toThrow(UnsupportedError);
    const sha512 = `sha512:${'b'.repeat(128)}`;
    expect(parseDigest(sha512)).toEqual({ algorithm: 'sha512', encoded: 'b'.repeat(128) });
    expect(isDigest(HELLO)).toBe(true);
    expect(isDigest(42)).toBe(false);
  });
});
