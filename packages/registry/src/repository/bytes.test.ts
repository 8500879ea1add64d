import { Readable } from 'node:stream';
import {
  MismatchedDigestError,
  MismatchedSizeError,
  SizeExceedsLimitError,
  TrailingDataError,
} from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { descOf, enc, isA } from '../test-support/repository-fixture.js';
import { readSource, verifyBytes } from './bytes.js';

describe('readSource', () => {
  it('reads bytes and streams whole, up to the cap', async () => {
    const bytes = enc.encode('hello');
    expect(await readSource(bytes, 5, 'x')).toBe(bytes);
    expect(
      Buffer.from(await readSource(Readable.from([enc.encode('he'), enc.encode('llo')]), 5, 'x')).toString(),
    ).toBe('hello');
  });

  it('rejects past the cap, naming what it read', async () => {
    await expect(readSource(enc.encode('hello'), 4, 'sha256:ab: manifest')).rejects.toThrow(
      /sha256:ab: manifest: size exceeds the limit of 4 bytes/,
    );
    await expect(readSource(Readable.from([enc.encode('hello')]), 4, 'x')).rejects.toSatisfy(
      isA(SizeExceedsLimitError),
    );
  });
});

describe('verifyBytes', () => {
  const desc = descOf('application/octet-stream', enc.encode('right'));

  it('accepts content that matches its descriptor', () => {
    expect(() => verifyBytes(enc.encode('right'), desc)).not.toThrow();
  });

  it('tells trailing data, a short read and a wrong digest apart', () => {
    const error = (bytes: Uint8Array) => {
      try {
        verifyBytes(bytes, desc);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(isA(TrailingDataError)(error(enc.encode('right!')))).toBe(true);
    expect(isA(MismatchedSizeError)(error(enc.encode('righ')))).toBe(true);
    expect(isA(MismatchedDigestError)(error(enc.encode('wrong')))).toBe(true);
  });
});
