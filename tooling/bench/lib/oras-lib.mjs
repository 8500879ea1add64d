#!/usr/bin/env node
// oras-ts at the library level: what `oras push` and `oras pull` do with the fastest paths of
// @oras/registry (built: packages/registry/dist), so the benchmark shows the library's figures
// next to the CLI's.
//
//   oras-lib.mjs push <host/repo:tag> <file>        pushFile (hashed ahead of one streamed PATCH,
//                                                   skipped when the registry has it), then an
//                                                   artifact manifest
//   oras-lib.mjs push-with <strategy> <host/repo:tag> <file>
//                                                   the same with the layer pushed by hash-ahead
//                                                   (pushFile), hash-first or single-pass
//   oras-lib.mjs pull <host/repo:tag> <out-dir>     the manifest, then each layer streamed through
//                                                   the verifying fetch into a temporary file, renamed
//   oras-lib.mjs pull-ranged <n> <host/repo:tag> <out-dir>
//                                                   experiment: the layer in <n> parallel Range
//                                                   requests written in place, then hashed in order
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, get } from 'node:http';
import { RemoteRepository } from '../../../packages/registry/dist/index.js';

// What @oras/registry's README recommends to a process that counts its memory, and what the
// oras CLI does: no background optimisation of undici's WebAssembly HTTP parser (a transient
// ~35 MiB), and a young generation kept at its starting size. Set ORAS_BENCH_DEFAULT_V8=1 to
// measure without either.
if (process.env.ORAS_BENCH_DEFAULT_V8 !== '1') {
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--semi-space-growth-factor=1');
}

const MiB = 1024 * 1024;
const [command, ...rest] = process.argv.slice(2);

function repositoryOf(ref) {
  const at = ref.lastIndexOf(':');
  const slash = ref.indexOf('/');
  const tag = at > slash ? ref.slice(at + 1) : 'latest';
  const name = at > slash ? ref.slice(0, at) : ref;
  return { repo: new RemoteRepository({ reference: name, plainHttp: true }), tag };
}

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * A file in chunks of 1 MiB read into four buffers that take turns: what pushFile reads a file
 * with (`fileChunks` of @oras/registry, not exported), for the alternatives below.
 */
async function* fileChunks(file, start) {
  const handle = await open(file, 'r');
  try {
    const buffers = Array.from({ length: 4 }, () => Buffer.allocUnsafe(MiB));
    for (let turn = 0, position = start; ; turn = (turn + 1) % 4) {
      const { bytesRead } = await handle.read(buffers[turn], 0, MiB, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffers[turn].subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * The layer push of each strategy (issue 18 compares them):
 * - `hash-ahead`: `pushFile` (the upload starts at once, the file is hashed beside it, a `HEAD`
 *   once the digest is known, the upload cancelled when the registry has the blob);
 * - `hash-first`: hash the file, `HEAD`, then a monolithic `PUT` of known digest when absent;
 * - `single-pass`: `pushStream` of the file, hashed while it streams (no skip possible).
 * Each prints `Exists` or `Uploaded` and the file name, as the CLI does.
 */
const layerPush = {
  'hash-ahead': async (repo, mediaType, file) => {
    let exists = false;
    const desc = await repo.pushFile(mediaType, file, { onChecked: (_, there) => (exists = there) });
    return { desc, exists };
  },
  'hash-first': async (repo, mediaType, file) => {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of fileChunks(file, 0)) {
      hash.update(chunk);
      size += chunk.length;
    }
    const desc = { mediaType, digest: `sha256:${hash.digest('hex')}`, size };
    if (await repo.exists(desc)) return { desc, exists: true };
    await repo.push(desc, fileChunks(file, 0));
    return { desc, exists: false };
  },
  'single-pass': async (repo, mediaType, file) => ({
    desc: await repo.pushStream(mediaType, (offset) => fileChunks(file, offset)),
    exists: false,
  }),
};

async function push(ref, file, strategy = 'hash-ahead') {
  const { repo, tag } = repositoryOf(ref);
  const pushLayer = layerPush[strategy];
  if (!pushLayer) throw new Error(`unknown push strategy ${strategy}`);
  const { desc: layer, exists } = await pushLayer(repo, 'application/vnd.oci.image.layer.v1.tar', file);
  console.log(`${exists ? 'Exists   ' : 'Uploaded '} ${layer.digest.slice(7, 19)} ${basename(file)}`);
  const config = Buffer.from('{}');
  const configDesc = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: 2 };
  await repo.push(configDesc, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.unknown.artifact.v1',
      config: configDesc,
      layers: [{ ...layer, annotations: { 'org.opencontainers.image.title': basename(file) } }],
    }),
  );
  const desc = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha256(manifest),
    size: manifest.length,
  };
  await repo.pushReference(desc, manifest, tag);
  console.log(desc.digest);
}

async function manifestOf(repo, tag) {
  const { stream } = await repo.fetchReference(tag);
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function pull(ref, out) {
  const { repo, tag } = repositoryOf(ref);
  const manifest = await manifestOf(repo, tag);
  await mkdir(out, { recursive: true });
  await Promise.all(
    manifest.layers.map(async (layer) => {
      const target = join(
        out,
        layer.annotations?.['org.opencontainers.image.title'] ?? layer.digest.slice(7),
      );
      const temp = `${target}.part`;
      await pipeline(
        Readable.fromWeb(await repo.fetch(layer)),
        createWriteStream(temp, { highWaterMark: Number(process.env.WHWM ?? MiB) }),
      );
      await rename(temp, target);
    }),
  );
}

async function pullRanged(parts, ref, out) {
  const { repo, tag } = repositoryOf(ref);
  const manifest = await manifestOf(repo, tag);
  await mkdir(out, { recursive: true });
  for (const layer of manifest.layers) {
    const target = join(out, layer.annotations?.['org.opencontainers.image.title'] ?? layer.digest.slice(7));
    const temp = `${target}.part`;
    const handle = await open(temp, 'w+');
    try {
      const url = `http://${repo.host}/v2/${repo.name}/blobs/${layer.digest}`;
      const step = Math.ceil(layer.size / parts);
      const agent = new Agent({ keepAlive: true, maxSockets: parts });
      await Promise.all(
        Array.from({ length: parts }, async (_, i) => {
          const start = i * step;
          const end = Math.min(layer.size, start + step) - 1;
          if (start > end) return;
          const res = await new Promise((resolve, reject) =>
            get(url, { agent, headers: { range: `bytes=${start}-${end}` } }, resolve).on('error', reject),
          );
          if (res.statusCode !== 206) throw new Error(`range ${start}-${end}: status ${res.statusCode}`);
          let position = start;
          for await (const chunk of res) {
            await handle.write(chunk, 0, chunk.length, position);
            position += chunk.length;
          }
          if (position !== end + 1) throw new Error(`range ${start}-${end}: ended at ${position}`);
        }),
      );
      // hashed in order once every range is in place (from the page cache)
      const hash = createHash('sha256');
      const buffer = Buffer.allocUnsafe(4 * MiB);
      for (let position = 0; position < layer.size; ) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
      if (`sha256:${hash.digest('hex')}` !== layer.digest)
        throw new Error(`${layer.digest}: digest mismatch`);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  }
}

if (command === 'push') await push(rest[0], rest[1]);
else if (command === 'push-with') await push(rest[1], rest[2], rest[0]);
else if (command === 'pull') await pull(rest[0], rest[1]);
else if (command === 'pull-ranged') await pullRanged(Number(rest[0]), rest[1], rest[2]);
else {
  console.error(
    'usage: oras-lib.mjs push <ref> <file> | push-with <strategy> <ref> <file> | pull <ref> <dir> | pull-ranged <n> <ref> <dir>',
  );
  process.exit(2);
}
