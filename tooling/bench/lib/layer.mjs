#!/usr/bin/env node
// One layer of oras-ts fetching every layer blob of an artifact, for layers.mjs: the process
// loads the built libraries (packages/*/dist) and reads the manifest first, then times only the
// fetches (wall and the process's CPU), so start-up is left out and each layer's figure is
// what it adds per blob.
//
//   layer.mjs <layer> <host> <repo:tag> <out-dir> [rounds]
//
// With rounds 2 the fetches run twice in the process (into a fresh store the second time) and
// each round is timed: the first includes compiling the layer's code, as a CLI run does; the
// second is that code warm, what each blob costs once compiled.
//
// layers, each on top of the one before:
//   undici      undici's Agent (26 connections, 48 requests in flight), a handler collecting the body
//   transport   @oras/registry's createTransport (retry interceptor, keep-alive after HEAD,
//               timeouts), same handler
//   dispatch    @oras/auth's dispatchRequest and takeBody on that transport
//   auth        @oras/auth's AuthClient (scopes, token cache, redirects)
//   repository  RemoteRepository.fetchBytes (URL building, errors, size and digest checks)
//   copy-memory copyGraph into a MemoryStore (the copy engine; the store keeps the bytes)
//   copy-file   copyGraph into a FileStore (what `oras pull` does, without the CLI)
// The first four check each blob's size and sha256 themselves, as the later ones do inside.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';

const packages = new URL('../../../packages/', import.meta.url);
const load = (path) => import(new URL(path, packages).href);
const [layer, host, ref, out, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 1);
if (!layer || !host || !ref || !out) {
  console.error('usage: layer.mjs <layer> <host> <repo:tag> <out-dir>');
  process.exit(2);
}
const [repoName, tag] = ref.split(':');
const auth = await load('auth/dist/index.js');
const registry = await load('registry/dist/index.js');
const { copyGraph } = await load('content/dist/index.js');
const { MemoryStore } = await load('content/dist/memory/index.js');
const { FileStore } = await load('content/dist/file/index.js');

const origin = `http://${host}`;
const CONNECTIONS = 26; // what the CLI opens at its default concurrency (3): 3 x 8 small + 2
const WIDTH = 48; // requests in flight: the CLI's small-blob width at that concurrency (copy's SMALL_WIDTH 16 x 3)
const transport = () => registry.createTransport({ connections: CONNECTIONS });
const repository = () =>
  new registry.RemoteRepository({
    reference: `${host}/${repoName}`,
    plainHttp: true,
    client: new auth.AuthClient({ dispatcher: transport() }),
  });

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const manifestBytes = await repository().fetchBytes(await repository().resolve(tag));
const manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8'));
const root = {
  mediaType: manifest.mediaType,
  digest: sha256(manifestBytes),
  size: manifestBytes.byteLength,
};
const blobs = manifest.layers;

function verify(desc, bytes) {
  if (bytes.byteLength !== desc.size || sha256(bytes) !== desc.digest) {
    throw new Error(`${desc.digest}: wrong bytes`);
  }
}

/** Runs `work` on every item, `width` at a time. */
async function eachOf(items, width, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** A GET through `dispatcher` with a handler that collects the body. */
function collect(dispatcher, path) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    dispatcher.dispatch(
      { origin, path, method: 'GET' },
      {
        onRequestStart() {},
        onResponseStart() {},
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          resolve(Buffer.concat(chunks));
        },
        onResponseError(_controller, err) {
          reject(err);
        },
      },
    );
  });
}

const blobPath = (desc) => `/v2/${repoName}/blobs/${desc.digest}`;
const layers = {
  undici: () => {
    const agent = new auth.Agent({ connections: CONNECTIONS });
    return () => eachOf(blobs, WIDTH, async (d) => verify(d, await collect(agent, blobPath(d))));
  },
  transport: () => {
    const dispatcher = transport();
    return () => eachOf(blobs, WIDTH, async (d) => verify(d, await collect(dispatcher, blobPath(d))));
  },
  dispatch: () => {
    const dispatcher = transport();
    return () =>
      eachOf(blobs, WIDTH, async (d) => {
        const res = await auth.dispatchRequest(dispatcher, { origin, path: blobPath(d), method: 'GET' });
        const taken = await auth.takeBody(res.body, 1 << 20);
        verify(d, Buffer.concat(taken.chunks));
      });
  },
  auth: () => {
    const client = new auth.AuthClient({ dispatcher: transport() });
    return () =>
      eachOf(blobs, WIDTH, async (d) => {
        const res = await client.request({ method: 'GET', url: `${origin}${blobPath(d)}` });
        const taken = await auth.takeBody(res.body, 1 << 20);
        verify(d, Buffer.concat(taken.chunks));
      });
  },
  repository: () => {
    const repo = repository();
    return () => eachOf(blobs, WIDTH, (d) => repo.fetchBytes(d));
  },
  'copy-memory': () => {
    const repo = repository();
    return () => copyGraph(repo, new MemoryStore(), root, { concurrency: 3 });
  },
  'copy-file': () => {
    const repo = repository();
    let round = 0;
    return async () => {
      const dir = `${out}/${round++}`;
      mkdirSync(dir, { recursive: true });
      const store = new FileStore(dir);
      await copyGraph(repo, store, root, { concurrency: 3 });
      await store.close();
    };
  },
};
if (!(layer in layers)) {
  console.error(`layer.mjs: no layer ${layer} (${Object.keys(layers).join(', ')})`);
  process.exit(2);
}
const run = layers[layer]();
const timed = [];
for (let round = 0; round < rounds; round++) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  timed.push({ wallMs, cpuMs: (used.user + used.system) / 1000 });
}
process.stdout.write(`${JSON.stringify({ layer, blobs: blobs.length, rounds: timed })}\n`);
process.exit(0);
