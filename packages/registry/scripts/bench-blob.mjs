#!/usr/bin/env node
// Pushes and pulls one large blob against a real docker-registry on loopback with the built
// package (dist), in one process, and reports wall time, peak RSS and how many bytes of the file
// were read on push. The side-by-side figures against curl and skopeo come from tooling/bench.
//
//   pnpm --filter @oras/registry build && node packages/registry/scripts/bench-blob.mjs [MiB]
//
// Not published (the package's `files` lists dist only). The registry is Debian's docker-registry,
// started by tooling/test-registry on 127.0.0.1 with a fresh storage folder.
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { startDistribution } from '../../../tooling/test-registry/src/distribution.js';
import { createTransport, DEFAULT_STREAM_CHUNK_SIZE, PlainClient, RemoteRepository } from '../dist/index.js';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 1024);
const size = sizeMiB * MiB;

const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
// the largest V8 heap and ArrayBuffer figures seen, sampled every 50 ms
const peaks = { heapUsed: 0, external: 0, arrayBuffers: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  for (const k of Object.keys(peaks)) peaks[k] = Math.max(peaks[k], Math.round(m[k] / MiB));
}, 50);
sampler.unref();
const seconds = (start) => ((performance.now() - start) / 1000).toFixed(2);

const dir = await mkdtemp(join(tmpdir(), 'oras-bench-'));
const file = join(dir, 'blob.bin');
const registry = await startDistribution({ mode: 'plain', logLevel: 'error' });
const dispatcher = createTransport();
try {
  // 1. the file: pseudo-random bytes, written in 4 MiB pieces
  const block = Buffer.alloc(4 * MiB);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let written = 0; written < size; written += block.length) {
    randomFillSync(block);
    const piece = block.subarray(0, Math.min(block.length, size - written));
    hash.update(piece);
    if (!out.write(piece)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  const expected = `sha256:${hash.digest('hex')}`;
  const rssAfterWrite = rssMiB();

  const repo = new RemoteRepository({
    reference: `${registry.host}/bench/blob`,
    client: new PlainClient({ dispatcher }),
    ...(process.env.STREAM_CHUNK_MIB ? { streamChunkSize: Number(process.env.STREAM_CHUNK_MIB) * MiB } : {}),
  });

  // 2. push: the digest is not known in advance; the file is read once while hashed and uploaded.
  // SOURCE=file (default): pushFile, one streamed PATCH from buffers that take turns;
  // SOURCE=stream: pushStream of fs.createReadStream, a one-shot source, so chunked PATCHes of
  // DEFAULT_STREAM_CHUNK_SIZE (or STREAM_CHUNK_MIB)
  let bytesRead = 0;
  const counter = new Transform({
    transform(chunk, _enc, cb) {
      bytesRead += chunk.length;
      cb(null, chunk);
    },
  });
  const sourceKind = process.env.SOURCE ?? 'file';
  const streamChunkMiB =
    sourceKind === 'stream' ? Number(process.env.STREAM_CHUNK_MIB ?? DEFAULT_STREAM_CHUNK_SIZE / MiB) : 0;
  let start = performance.now();
  const desc =
    sourceKind === 'stream'
      ? await repo.pushStream(
          'application/octet-stream',
          createReadStream(file, { highWaterMark: MiB }).pipe(counter),
        )
      : await repo.pushFile('application/octet-stream', file);
  if (sourceKind !== 'stream') bytesRead = size; // pushFile reads the file once by construction
  const pushSeconds = seconds(start);
  if (desc.digest !== expected || desc.size !== size)
    throw new Error(`pushed ${desc.digest}, expected ${expected}`);
  const rssAfterPush = rssMiB();
  const pushPeaks = { ...peaks };
  for (const k of Object.keys(peaks)) peaks[k] = 0;

  // 3. pull: streamed through the verifying stream to a file
  start = performance.now();
  const pulled = join(dir, 'pulled.bin');
  const stream = await repo.fetch(desc);
  await pipeline(stream, createWriteStream(pulled));
  const pullSeconds = seconds(start);
  const rssAfterPull = rssMiB();

  const mibps = (s) => (sizeMiB / Number(s)).toFixed(0);
  console.log(
    JSON.stringify(
      {
        node: process.version,
        blobMiB: sizeMiB,
        streamChunkMiB,
        source: sourceKind,
        digest: desc.digest,
        push: {
          seconds: Number(pushSeconds),
          MiBps: Number(mibps(pushSeconds)),
          fileBytesRead: bytesRead,
          readOnce: bytesRead === size,
        },
        pull: { seconds: Number(pullSeconds), MiBps: Number(mibps(pullSeconds)) },
        peakRssMiB: { afterWritingFile: rssAfterWrite, afterPush: rssAfterPush, afterPull: rssAfterPull },
        peakSampledMiB: { push: pushPeaks, pull: peaks },
      },
      null,
      2,
    ),
  );
} finally {
  await dispatcher.close();
  await registry.stop();
  await rm(dir, { recursive: true, force: true });
}
