#!/usr/bin/env node
// The Node floors of the small-blob scenarios: the least a Node.js client does to push or pull an
// artifact of many small files, with nothing of ours in it (no auth, no status lines, no retries).
// Plain HTTP only, anonymous, a keep-alive pool of 24 sockets, on one of two HTTP stacks:
//
//   node-small.mjs [--undici] pull <host/repo:tag> <folder>
//                                                 GET the manifest, then every layer at once
//                                                 (sha256 and size checked, written to a
//                                                 temporary name, renamed)
//   node-small.mjs [--undici] push <host/repo:tag> <file>...
//                                                 per file: read, sha256, HEAD, then POST and
//                                                 one PUT ?digest= when absent; then the empty
//                                                 config and the manifest
//
// Without `--undici`: `node:http` (Node's built-in client, its parser native code). With it:
// undici's `Agent`, the HTTP stack oras-ts is built on (its parser is WebAssembly), each answer's
// body collected by a dispatch handler as oras-ts collects the answers it reads whole (undici's
// `request` hands every body over as a stream: ~45 ms more CPU for a pull of 200 blobs here),
// loading only undici's agent, as the oras-ts bundle does (undici's index loads all of it, fetch
// and WebSocket included: ~90 ms more here). Run it as
// `node --liftoff-only`, the WebAssembly setting oras-ts sets for itself (src/v8-tuning.ts). A
// `HEAD` keeps its connection (`reset: false`), as oras-ts's transport asks: undici otherwise
// closes it after every `HEAD`, and the push would open a connection per file.
//
// What it leaves out that a real client does: redirects, auth, retries, path checks of the
// titles, progress. So no client on Node (on undici) can be faster than this on the same machine:
// it is what the start of `node` and the HTTP stack's work per request cost.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';

const args = process.argv.slice(2);
const onUndici = args[0] === '--undici';
const [command, ref, ...rest] = onUndici ? args.slice(1) : args;
const match = /^([^/]+)\/(.+):([^:/]+)$/.exec(ref ?? '');
if (!match || (command !== 'pull' && command !== 'push')) {
  console.error(
    'usage: node-small.mjs [--undici] pull <host/repo:tag> <folder> | push <host/repo:tag> <file>...',
  );
  process.exit(2);
}
const [, authority, repo, tag] = match;
const [host, port] = authority.split(':');
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = '{}';
const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** One request; resolves to { status, headers, body } with the whole body. */
const { request, close } = onUndici ? undiciClient() : nodeHttpClient();

function nodeHttpClient() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 24 });
  const request = (method, path, headers = {}, body) =>
    new Promise((resolve, reject) => {
      const req = http.request({ host, port, path, method, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return { request, close: async () => agent.destroy() };
}

function undiciClient() {
  const require = createRequire(import.meta.url);
  const Agent = require('undici/lib/dispatcher/agent.js');
  const agent = new Agent({ connections: 24 });
  const origin = `http://${authority}`;
  // A dispatch handler that collects the body: what oras-ts does with the answers it reads whole
  // (undici's `request` would hand each one over as a stream, which costs more than the rest).
  const request = (method, path, headers = {}, body) =>
    new Promise((resolve, reject) => {
      let status = 0;
      let resHeaders = {};
      const chunks = [];
      // undici closes a connection after each HEAD unless told not to (oras-ts tells it too)
      const reset = method === 'HEAD' ? false : undefined;
      agent.dispatch(
        { origin, path, method, headers, body, reset },
        {
          onRequestStart() {},
          onResponseStart(_controller, statusCode, h) {
            status = statusCode;
            resHeaders = h;
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            resolve({ status, headers: resHeaders, body: Buffer.concat(chunks) });
          },
          onResponseError(_controller, err) {
            reject(err);
          },
        },
      );
    });
  return { request, close: () => agent.destroy() };
}

function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.body.toString().slice(0, 200)}`);
  return res;
}

async function pull(folder) {
  const res = expect(
    await request('GET', `/v2/${repo}/manifests/${tag}`, { accept: MANIFEST }),
    200,
    'manifest',
  );
  const manifest = JSON.parse(res.body.toString());
  await Promise.all(
    manifest.layers.map(async (layer) => {
      const blob = expect(await request('GET', `/v2/${repo}/blobs/${layer.digest}`), 200, layer.digest);
      if (blob.body.length !== layer.size || sha256(blob.body) !== layer.digest) {
        throw new Error(`${layer.digest}: wrong bytes`);
      }
      const path = join(folder, basename(layer.annotations['org.opencontainers.image.title']));
      writeFileSync(`${path}.part`, blob.body);
      renameSync(`${path}.part`, path);
    }),
  );
}

async function pushBlob(bytes, digest) {
  const head = await request('HEAD', `/v2/${repo}/blobs/${digest}`);
  if (head.status === 200) return;
  const started = expect(await request('POST', `/v2/${repo}/blobs/uploads/`), 202, 'POST');
  const location = new URL(started.headers.location, `http://${authority}`);
  location.searchParams.set('digest', digest);
  const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) };
  expect(await request('PUT', `${location.pathname}${location.search}`, headers, bytes), 201, 'PUT');
}

async function push(files) {
  const layers = await Promise.all(
    files.map(async (file) => {
      const bytes = readFileSync(file);
      const digest = sha256(bytes);
      await pushBlob(bytes, digest);
      return {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest,
        size: bytes.length,
        annotations: { 'org.opencontainers.image.title': basename(file) },
      };
    }),
  );
  const config = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(EMPTY), size: 2 };
  await pushBlob(Buffer.from(EMPTY), config.digest);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType: 'application/vnd.unknown.artifact.v1',
    config,
    layers,
  });
  expect(
    await request('PUT', `/v2/${repo}/manifests/${tag}`, { 'content-type': MANIFEST }, manifest),
    201,
    'manifest PUT',
  );
}

try {
  if (command === 'pull') await pull(rest[0]);
  else await push(rest);
} finally {
  await close();
}
