/**
 * A minimal, read-only tar index: where each regular file of a tar archive starts and how long it
 * is, so that files can be streamed straight out of the archive without unpacking it. Understands
 * POSIX ustar (with `prefix`), pax extended headers (`path`, `size`) and GNU long names.
 * @see https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06
 */
import { open } from 'node:fs/promises';
import { InvalidArgumentError } from '@oras/spec';

/** Where a file's bytes sit inside the archive. */
export interface TarEntry {
  /** Offset of the first byte of the file's content. */
  readonly offset: number;
  /** Size of the file in bytes. */
  readonly size: number;
}

const BLOCK = 512;

function cString(block: Uint8Array, start: number, length: number): string {
  const slice = block.subarray(start, start + length);
  const nul = slice.indexOf(0);
  return new TextDecoder().decode(nul === -1 ? slice : slice.subarray(0, nul));
}

function numeric(block: Uint8Array, start: number, length: number): number {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian, first byte's high bit set.
    let value = first & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (block[start + i] ?? 0);
    return value;
  }
  const text = cString(block, start, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function checksumOk(block: Uint8Array): boolean {
  const expected = numeric(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum === expected;
}

function parsePax(bytes: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  const text = new TextDecoder().decode(bytes);
  let i = 0;
  while (i < text.length) {
    const space = text.indexOf(' ', i);
    if (space === -1) break;
    const length = Number.parseInt(text.slice(i, space), 10);
    if (!Number.isSafeInteger(length) || length <= 0) break;
    const record = text.slice(space + 1, i + length - 1);
    const eq = record.indexOf('=');
    if (eq !== -1) records.set(record.slice(0, eq), record.slice(eq + 1));
    i += length;
  }
  return records;
}

/** Removes a leading `./` or `/` so that archive names compare as relative paths. */
export function normaliseTarName(name: string): string {
  let n = name;
  while (n.startsWith('./')) n = n.slice(2);
  while (n.startsWith('/')) n = n.slice(1);
  return n;
}

/**
 * Reads the headers of the tar file at `path` and returns its regular files by normalised name.
 * Throws `InvalidArgumentError` when the file is not a tar archive.
 */
export async function indexTar(path: string): Promise<Map<string, TarEntry>> {
  const handle = await open(path, 'r');
  const entries = new Map<string, TarEntry>();
  try {
    const fileSize = (await handle.stat()).size;
    const header = new Uint8Array(BLOCK);
    let offset = 0;
    let longName: string | undefined;
    let pax = new Map<string, string>();
    while (offset + BLOCK <= fileSize) {
      const { bytesRead } = await handle.read(header, 0, BLOCK, offset);
      if (bytesRead < BLOCK) break;
      if (header.every((b) => b === 0)) break;
      if (!checksumOk(header))
        throw new InvalidArgumentError(`${path}: not a tar archive (bad header at ${offset})`);
      const type = String.fromCharCode(header[156] ?? 0);
      let size = numeric(header, 124, 12);
      const paxSize = pax.get('size');
      if (paxSize !== undefined) size = Number(paxSize);
      const dataOffset = offset + BLOCK;
      if (dataOffset + size > fileSize) throw new InvalidArgumentError(`${path}: truncated tar archive`);
      const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'x' || type === 'g' || type === 'L') {
        const body = new Uint8Array(size);
        await handle.read(body, 0, size, dataOffset);
        if (type === 'x') pax = parsePax(body);
        if (type === 'L') longName = cString(body, 0, size);
        offset = next;
        continue;
      }
      let name = cString(header, 0, 100);
      const magic = cString(header, 257, 6);
      if (magic.startsWith('ustar')) {
        const prefix = cString(header, 345, 155);
        if (prefix !== '') name = `${prefix}/${name}`;
      }
      name = pax.get('path') ?? longName ?? name;
      if (type === '0' || type === '\0' || type === '7')
        entries.set(normaliseTarName(name), { offset: dataOffset, size });
      pax = new Map();
      longName = undefined;
      offset = next;
    }
  } finally {
    await handle.close();
  }
  return entries;
}
