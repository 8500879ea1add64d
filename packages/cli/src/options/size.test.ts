import { describe, expect, it } from 'vitest';
import { parseByteSize } from './size.js';

describe('parseByteSize', () => {
  it.each([
    ['1', 1],
    ['1048576', 1048576],
    ['10GiB', 10 * 1024 ** 3],
    ['10gib', 10 * 1024 ** 3],
    ['1.5MiB', 1.5 * 1024 ** 2],
    ['64k', 64 * 1024],
    ['2 KiB', 2048],
    ['512MB', 512_000_000],
    ['1kB', 1000],
    ['3TB', 3_000_000_000_000],
    ['16G', 16 * 1024 ** 3],
    ['100B', 100],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseByteSize(text, '--max-unpack-size')).toBe(bytes);
  });

  it.each(['', '0', '-1', 'abc', '10XB', '1e3', '0.1B', '99999999999TiB', 'GiB'])(
    'refuses %j, naming the flag',
    (text) => {
      expect(() => parseByteSize(text, '--max-unpack-size')).toThrow(
        /^invalid --max-unpack-size .*: use a positive number of bytes/,
      );
    },
  );
});
