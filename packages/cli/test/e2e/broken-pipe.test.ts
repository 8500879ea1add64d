/**
 * `oras ... | head`: when the reader of stdout goes away, oras (a Go program) dies of SIGPIPE
 * without a word, and a shell reports 141. Ours ends the same way, with no stack trace and no
 * error line, for the large outputs people cut short: `repo tags`, `manifest fetch`, `blob fetch
 * -o -`. Each run's stdout is closed by the test after the first bytes arrive.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORAS_BIN } from './fixture.js';

const EXIT_BROKEN_PIPE = 141;

/** A registry that serves one big tag list, one big manifest and one big blob. */
let server: Server;
let host: string;
let home: string;
const TAGS = Array.from({ length: 200_000 }, (_, i) => `tag-${i}`);
const BLOB = Buffer.alloc(4 * 1024 * 1024, 'x');
const BLOB_DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;
const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: BLOB_DIGEST, size: 2 },
    layers: Array.from({ length: 3000 }, (_, i) => ({
      mediaType: 'application/octet-stream',
      digest: BLOB_DIGEST,
      size: BLOB.length,
      annotations: { 'org.opencontainers.image.title': `file-${i}.txt` },
    })),
  }),
);

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'oras-broken-pipe-'));
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') {
      res.writeHead(200).end();
    } else if (url.startsWith('/v2/big/tags/list')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'big', tags: TAGS }));
    } else if (url === '/v2/big/manifests/v1') {
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'content-length': String(MANIFEST.length),
        'docker-content-digest': `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`,
      });
      res.end(req.method === 'HEAD' ? undefined : MANIFEST);
    } else if (url === `/v2/big/blobs/${BLOB_DIGEST}`) {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(BLOB.length),
      });
      res.end(req.method === 'HEAD' ? undefined : BLOB);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'not here' }] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(home, { recursive: true, force: true });
});

/** Runs oras, closes its stdout after the first bytes, and returns how it ended. */
function runAndHangUp(
  args: readonly string[],
): Promise<{ code: number | null; signal: string | null; stderr: string; got: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ORAS_BIN, ...args], {
      cwd: home,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOCKER_CONFIG: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let got = 0;
    const err: Buffer[] = [];
    child.stdout.once('data', (chunk: Buffer) => {
      got = chunk.length;
      child.stdout.destroy();
    });
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stderr: Buffer.concat(err).toString(), got }),
    );
  });
}

describe('a reader that goes away', () => {
  it.each([
    ['repo tags', ['repo', 'tags', '--plain-http', 'HOST/big']],
    ['manifest fetch', ['manifest', 'fetch', '--plain-http', 'HOST/big:v1']],
    ['blob fetch -o -', ['blob', 'fetch', '--plain-http', '--output', '-', `HOST/big@${BLOB_DIGEST}`]],
  ])('ends %s quietly with the code of SIGPIPE', async (_name, args) => {
    const res = await runAndHangUp(args.map((a) => a.replace('HOST', host)));
    expect(res.got).toBeGreaterThan(0);
    expect({ code: res.code, signal: res.signal, stderr: res.stderr }).toEqual({
      code: EXIT_BROKEN_PIPE,
      signal: null,
      stderr: '',
    });
  });

  it('still prints the whole output to a reader that stays', async () => {
    const res = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [ORAS_BIN, 'repo', 'tags', '--plain-http', `${host}/big`], {
        cwd: home,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOCKER_CONFIG: home },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const out: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.on('close', (code) => resolve({ code, out: Buffer.concat(out).toString() }));
    });
    expect(res.code).toBe(0);
    expect(res.out).toBe(`${TAGS.join('\n')}\n`);
  });
});
