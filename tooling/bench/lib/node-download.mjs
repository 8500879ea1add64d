#!/usr/bin/env node
// The floor for a pull: the plainest correct Node download. GET the blob, hash while writing a
// temporary file, check size and digest, rename into place.
// usage: node-download.mjs <url> <sha256:digest> <size> <output-file>
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

const [url, digest, size, out] = process.argv.slice(2);
const hash = createHash('sha256');
let bytes = 0;
const tmp = `${out}.part`;
const res = await new Promise((resolve, reject) => get(url, resolve).on('error', reject));
if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode}`);
await pipeline(
  res,
  new Transform({
    transform(chunk, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  }),
  createWriteStream(tmp),
);
const got = `sha256:${hash.digest('hex')}`;
if (got !== digest || bytes !== Number(size)) {
  await rm(tmp, { force: true });
  throw new Error(`mismatch: ${got} ${bytes}`);
}
await rename(tmp, out);
