import { SizeExceedsLimitError, UnsupportedError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { TarReader } from './tar-reader.js';
import { craftTar } from './test-support/tarball.js';

/** Feeds `bytes` in chunks of `size`, to cross block boundaries. */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function list(bytes: Uint8Array, chunk = 100): Promise<{ path: string; type: string; body: string }[]> {
  const reader = new TarReader(chunked(bytes, chunk));
  const out = [];
  for (let e = await reader.next(); e !== undefined; e = await reader.next()) {
    const parts: Buffer[] = [];
    if (e.path.endsWith('read')) for await (const c of reader.body()) parts.push(c);
    out.push({ path: e.path, type: e.type, body: Buffer.concat(parts).toString() });
  }
  return out;
}

describe('TarReader', () => {
  it('reads entries in order, with or without reading their bodies', async () => {
    const tar = craftTar([
      { path: 'a/skip', body: 'x'.repeat(700) },
      { path: 'a/read', body: 'y'.repeat(513) },
      { path: 'a/d', type: 'Directory' },
      { path: 'a/l', type: 'SymbolicLink', linkpath: 'read' },
    ]);
    for (const chunk of [1, 7, 512, 100_000]) {
      expect(await list(tar, chunk)).toEqual([
        { path: 'a/skip', type: 'File', body: '' },
        { path: 'a/read', type: 'File', body: 'y'.repeat(513) },
        { path: 'a/d', type: 'Directory', body: '' },
        { path: 'a/l', type: 'SymbolicLink', body: '' },
      ]);
    }
  });

  it('takes the path and link target of a PAX header over the ustar fields', async () => {
    const long = `a/${'p'.repeat(300)}`;
    const tar = craftTar([{ path: long, type: 'SymbolicLink', linkpath: `${'t'.repeat(200)}`, pax: true }]);
    const reader = new TarReader(chunked(tar, 512));
    const entry = await reader.next();
    expect(entry?.path).toBe(long);
    expect(entry?.linkpath).toBe('t'.repeat(200));
  });

  it('ends at the first zero block and drains the rest', async () => {
    const tar = Buffer.concat([craftTar([{ path: 'a/f', body: 'f' }]), Buffer.alloc(10_240)]);
    const reader = new TarReader(chunked(tar, 4096));
    expect((await reader.next())?.path).toBe('a/f');
    expect(await reader.next()).toBeUndefined();
    await reader.drain();
  });

  it('rejects a truncated archive', async () => {
    const tar = craftTar([{ path: 'a/read', body: 'z'.repeat(2000) }]).subarray(0, 1000);
    await expect(list(tar)).rejects.toThrow(UnsupportedError);
  });

  it('rejects a header with a bad checksum', async () => {
    const tar = craftTar([{ path: 'a/f', body: 'f' }]);
    tar[0] = 'b'.charCodeAt(0);
    await expect(list(tar)).rejects.toThrow(/invalid header checksum/);
  });

  it('refuses an extended header larger than 1 MiB', async () => {
    const tar = craftTar([{ path: 'big', type: 'File', body: Buffer.alloc((1 << 20) + 1, 'a') }]);
    // Turn the entry into a PAX header of that size.
    tar[156] = 'x'.charCodeAt(0);
    let sum = 0;
    tar.fill(0x20, 148, 156);
    for (let i = 0; i < 512; i++) sum += tar[i] as number;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    await expect(list(tar, 65536)).rejects.toThrow(SizeExceedsLimitError);
  });
});
