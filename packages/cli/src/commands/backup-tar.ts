/**
 * Writes an OCI image layout folder as a tar archive, the way `oras backup --output x.tar` does:
 * every file and folder under the root with its path relative to the root, sorted, regular files
 * streamed from disk. POSIX ustar headers, with a PAX record for a path over 100 bytes or a file
 * of 8 GiB or more.
 *
 * `@oras/content/oci` reads layouts from tar files but does not write them; this belongs there.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OrasError } from '@oras/spec';

const BLOCK = 512;
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

/** One header block (ustar), or a PAX header plus the header when a field does not fit. */
export function tarHeader(name: string, size: number, type: '0' | '5', mode: number, mtime: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const records: string[] = [];
  if (nameBytes.byteLength > 100) records.push(paxRecord('path', name));
  if (size > MAX_OCTAL_SIZE) records.push(paxRecord('size', String(size)));
  const header = ustar(
    records.length > 0 ? nameBytes.subarray(0, 100) : nameBytes,
    size > MAX_OCTAL_SIZE ? 0 : size,
    type,
    mode,
    mtime,
  );
  if (records.length === 0) return header;
  const body = Buffer.from(records.join(''), 'utf8');
  const pax = ustar(Buffer.from(`PaxHeader/${name}`.slice(0, 100)), body.byteLength, 'x', 0o644, mtime);
  return Buffer.concat([pax, body, Buffer.alloc(padding(body.byteLength)), header]);
}

/** A PAX record: `<length> <key>=<value>\n`, the length counting itself. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(rest) + 1;
  while (String(length).length + Buffer.byteLength(rest) !== length) length++;
  return `${length}${rest}`;
}

function ustar(name: Uint8Array, size: number, type: string, mode: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.set(name.subarray(0, 100), 0);
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, mtime);
  block.fill(0x20, 148, 156);
  block.write(type, 156, 'ascii');
  block.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'ascii');
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(
    `${Math.floor(value)
      .toString(8)
      .padStart(length - 1, '0')}\u0000`,
    offset,
    'ascii',
  );
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The files and folders under `root`, relative, folders first then sorted by path. */
async function walk(root: string, rel = ''): Promise<{ rel: string; dir: boolean }[]> {
  const out: { rel: string; dir: boolean }[] = [];
  const entries = (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  for (const e of entries) {
    const path = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      out.push({ rel: `${path}/`, dir: true }, ...(await walk(root, path)));
    } else if (e.isFile()) {
      out.push({ rel: path, dir: false });
    }
  }
  return out;
}

/** Writes the folder `root` as the tar archive `file`; returns the archive's size. */
export async function writeTarOfDirectory(root: string, file: string): Promise<number> {
  const handle = await open(file, 'w');
  let written = 0;
  const put = async (bytes: Uint8Array) => {
    let offset = 0;
    while (offset < bytes.byteLength) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
      offset += bytesWritten;
    }
    written += bytes.byteLength;
  };
  try {
    for (const entry of await walk(root)) {
      const info = await stat(join(root, entry.rel));
      const mtime = Math.floor(info.mtimeMs / 1000);
      if (entry.dir) {
        await put(tarHeader(entry.rel, 0, '5', 0o755, mtime));
        continue;
      }
      await put(tarHeader(entry.rel, info.size, '0', 0o644, mtime));
      let size = 0;
      for await (const chunk of createReadStream(join(root, entry.rel))) {
        size += (chunk as Buffer).byteLength;
        await put(chunk as Buffer);
      }
      if (size !== info.size) throw new OrasError(`${entry.rel}: changed while it was archived`);
      await put(Buffer.alloc(padding(size)));
    }
    await put(Buffer.alloc(2 * BLOCK));
  } finally {
    await handle.close();
  }
  return written;
}
