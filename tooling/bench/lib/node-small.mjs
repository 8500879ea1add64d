#!/usr/bin/env node
// The Node floor of the small-blob scenarios: the least a Node.js client does to push or pull an
// artifact of many small files, with nothing of ours in it (no undici, no auth, no status lines).
// Plain HTTP only, anonymous, `node:http` with a keep-alive agent of `--width` sockets.
//
//   node-small.mjs pull <host/repo:tag> <folder>   GET the manifest, then every layer at once
//                                                 (sha256 and size checked, written to a
//                                                 temporary name, renamed)
//   node-small.mjs push <host/repo:tag> <file>...  per file: read, sha256, HEAD, then POST and
//                                                 one PUT ?digest= when absent; then the empty
//                                                 config and the manifest
//
// What it leaves out that a real client does: redirects, auth, retries, path checks of the
// titles, progress. So no client on Node can be faster than this on the same machine: it is what
// the start of `node` and `node:http`'s work per request cost.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { basename, join } from 'node:path';

const [command, ref, ...rest] = process.argv.slice(2);
const match = /^([^/]+)\/(.+):([^:/]+)$/.exec(ref ?? '');
if (!match || (command !== 'pull' && command !== 'push')) {
  console.error('usage: node-small.mjs pull <host/repo:tag> <folder> | push <host/repo:tag> <file>...');
  process.exit(2);
}
const [, authority, repo, tag] = match;
const [host, port] = authority.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 24 });
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = '{}';
const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** One request; resolves to { status, headers, body } with the whole body. */
function request(method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
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
  const headers = { 'content-type': 'application/octet-stream', 'content-length': bytes.length };
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
  agent.destroy();
}
