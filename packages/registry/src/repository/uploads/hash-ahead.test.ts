/**
 * Hash ahead: `pushFile` of a large file starts its upload at once and hashes the file beside it;
 * once the digest is known a `HEAD` decides whether the upload goes on or is cancelled.
 *
 * The registry is reached through a proxy that counts the `PATCH` bytes it forwards and can hold
 * requests back, so each race is decided by the test, not by the machine's speed: the upload is
 * held after its first mebibyte until the registry has answered the `HEAD`, and then let go only
 * when the answer is "absent". A push that did not stop its upload on "present" would hang there.
 *
 * Until the digest is known, the push itself holds its upload back to a head start plus a share
 * of what is hashed (`UploadAllowance`): the proxy can then hold the `HEAD` instead, and count
 * what got out meanwhile.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlainClient } from '../../http.js';
import { isA, useRepositoryFixture } from '../../test-support/repository-fixture.js';
import { RemoteRepository } from '../remote-repository.js';
import { HASH_AHEAD_HEAD_START, HASH_AHEAD_SHARE, UploadAllowance } from './hash-ahead.js';

const fx = useRepositoryFixture();
const MiB = 1024 * 1024;
/** Larger than the 4 MiB a push reads into memory: it is hashed ahead. */
// large enough that the head start and a share of the whole file stay well under it
const SIZE = 48 * MiB;
/** Where the proxy holds the upload (see `hold`). */
const HOLD_AT = MiB;

/** What the proxy does to the requests it forwards. */
interface Plan {
  /** Hold each `PATCH` body after {@link HOLD_AT} bytes until a blob `HEAD` is answered 404. */
  holdUploadUntilAbsent?: boolean;
  /** Hold blob `HEAD`s until a `PATCH` has been answered. */
  holdHeadUntilUploaded?: boolean;
  /** Hold blob `HEAD`s until this many `PATCH` body bytes have been forwarded. */
  holdHeadUntilBytes?: number;
}

interface Proxy {
  readonly host: string;
  /** `PATCH` body bytes forwarded to the registry so far. */
  uploadedBytes: number;
  /** `METHOD path` of every request, in order of arrival. */
  readonly seen: string[];
  close(): Promise<void>;
}

/** A tiny HTTP proxy in front of the fake registry, following `plan`. */
async function startProxy(upstream: string, plan: Plan): Promise<Proxy> {
  const [hostname, port] = upstream.split(':') as [string, string];
  const agent = new Agent({ keepAlive: true });
  let absentSaid: () => void = () => {};
  const absent = new Promise<void>((resolve) => {
    absentSaid = resolve;
  });
  let uploadedSaid: () => void = () => {};
  const uploaded = new Promise<void>((resolve) => {
    uploadedSaid = resolve;
  });
  let bytesSaid: () => void = () => {};
  const bytes = new Promise<void>((resolve) => {
    bytesSaid = resolve;
  });
  const isBlobHead = (req: IncomingMessage) =>
    req.method === 'HEAD' && /\/blobs\/sha256:/.test(req.url ?? '');
  const proxy: Proxy = { host: '', uploadedBytes: 0, seen: [], close: async () => {} };
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const out = request(
      { agent, hostname, port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => {
          if (isBlobHead(req) && answer.statusCode === 404) absentSaid();
          if (req.method === 'PATCH') uploadedSaid();
        });
      },
    );
    out.on('error', () => res.destroy());
    req.on('close', () => {
      if (!req.complete) out.destroy();
    });
    let forwarded = 0;
    /** Holding the body back until the registry says "absent"; `done` once it was let go. */
    let hold: 'no' | 'holding' | 'done' = 'no';
    req.on('data', (chunk: Buffer) => {
      if (req.method === 'PATCH') {
        forwarded += chunk.length;
        proxy.uploadedBytes += chunk.length;
        if (proxy.uploadedBytes >= (plan.holdHeadUntilBytes ?? Number.POSITIVE_INFINITY)) bytesSaid();
      }
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => {
          if (hold !== 'holding') req.resume();
        });
      }
      if (req.method === 'PATCH' && plan.holdUploadUntilAbsent && hold === 'no' && forwarded >= HOLD_AT) {
        hold = 'holding';
        req.pause();
        void absent.then(() => {
          hold = 'done';
          req.resume();
        });
      }
    });
    req.on('end', () => out.end());
  };
  const server = createServer((req, res) => {
    proxy.seen.push(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
    if (isBlobHead(req) && plan.holdHeadUntilUploaded) void uploaded.then(() => forward(req, res));
    else if (isBlobHead(req) && plan.holdHeadUntilBytes !== undefined)
      void bytes.then(() => forward(req, res));
    else forward(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.close = async () => {
    server.closeAllConnections();
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return Object.assign(proxy, { host: `127.0.0.1:${(server.address() as AddressInfo).port}` });
}

describe('pushFile hashes a large file ahead of its upload', () => {
  let dir: string;
  let path: string;
  let data: Buffer;
  let digest: string;
  let proxy: Proxy | undefined;
  beforeEach(async () => {
    await fx.setup();
    dir = await mkdtemp(join(tmpdir(), 'oras-hash-ahead-'));
    path = join(dir, 'big.bin');
    data = Buffer.alloc(SIZE);
    for (let i = 0; i < SIZE; i += 4096) data.writeUInt32BE(i, i);
    digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    await writeFile(path, data);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const viaProxy = async (plan: Plan) => {
    proxy = await startProxy(fx.registry.host, plan);
    return new RemoteRepository({
      reference: `${proxy.host}/hash/ahead`,
      client: new PlainClient({ dispatcher: fx.dispatcher }),
      plainHttp: true,
    });
  };
  /** The methods of the requests the proxy saw, sorted (hashing and uploading race). */
  const methods = () => proxy!.seen.map((s) => s.split(' ')[0]).sort();
  /** Puts the blob in the registry the way an earlier push did. */
  const seed = async (content = data) => {
    const desc = await new RemoteRepository({
      reference: `${fx.registry.host}/hash/ahead`,
      client: new PlainClient({ dispatcher: fx.dispatcher }),
      plainHttp: true,
    }).pushFile('application/x-big', path);
    expect(fx.registry.blobs.get(desc.digest)?.equals(content)).toBe(true);
  };

  it('stops the upload of a blob the registry has, cancels its session and says it exists', async () => {
    await seed();
    const repo = await viaProxy({ holdUploadUntilAbsent: true });
    const checked: [string, boolean][] = [];
    const desc = await repo.pushFile('application/x-big', path, {
      onChecked: (d, exists) => checked.push([d.digest, exists]),
    });
    expect(desc).toEqual({ mediaType: 'application/x-big', digest, size: SIZE });
    expect(checked).toEqual([[digest, true]]);
    // far fewer bytes than the blob went to the registry: the upload was stopped where it was held
    expect(proxy!.uploadedBytes).toBeLessThan(SIZE / 4);
    // the session is cancelled, and nothing was committed
    expect(proxy!.seen.filter((s) => !s.startsWith('PATCH')).sort()).toEqual([
      expect.stringMatching(/^DELETE \/v2\/hash\/ahead\/blobs\/uploads\//),
      `HEAD /v2/hash/ahead/blobs/${digest}`,
      'POST /v2/hash/ahead/blobs/uploads/',
    ]);
    expect(fx.registry.uploads.size).toBe(0);
  });

  it('holds the upload back until the digest is known: a blob the registry has costs its head start', async () => {
    await seed();
    // the registry answers the HEAD only once the head start is out: the upload had all the time
    // it wanted to send the rest, and did not
    const repo = await viaProxy({ holdHeadUntilBytes: HASH_AHEAD_HEAD_START });
    const checked: boolean[] = [];
    await repo.pushFile('application/x-big', path, { onChecked: (_, exists) => checked.push(exists) });
    expect(checked).toEqual([true]);
    expect(proxy!.uploadedBytes).toBeGreaterThanOrEqual(HASH_AHEAD_HEAD_START);
    expect(proxy!.uploadedBytes).toBeLessThanOrEqual(HASH_AHEAD_HEAD_START + SIZE / HASH_AHEAD_SHARE);
    expect(proxy!.uploadedBytes).toBeLessThan(SIZE);
    expect(methods()).toEqual(['DELETE', 'HEAD', 'PATCH', 'POST']);
    expect(fx.registry.uploads.size).toBe(0);
  });

  it('lets the upload of a blob the registry lacks go on and commits it with the digest hashed ahead', async () => {
    const repo = await viaProxy({ holdUploadUntilAbsent: true });
    const checked: boolean[] = [];
    const progress: number[] = [];
    const desc = await repo.pushFile('application/x-big', path, {
      onChecked: (_, exists) => checked.push(exists),
      onProgress: (n) => progress.push(n),
    });
    expect(desc).toEqual({ mediaType: 'application/x-big', digest, size: SIZE });
    expect(checked).toEqual([false]);
    expect(progress.at(-1)).toBe(SIZE);
    // one streamed PATCH, all of the file, verified by the registry at the commit
    expect(proxy!.uploadedBytes).toBe(SIZE);
    expect(methods()).toEqual(['HEAD', 'PATCH', 'POST', 'PUT']);
    expect(proxy!.seen.at(-1)).toMatch(/^PUT /);
    expect(fx.registry.blobs.get(digest)?.equals(data)).toBe(true);
    // the registry's "absent" was for this push only: a second push asks again, and skips
    const again: boolean[] = [];
    await repo.pushFile('application/x-big', path, { onChecked: (_, exists) => again.push(exists) });
    expect(again).toEqual([true]);
  });

  it('cancels an upload that got all its bytes out before the registry said it has the blob', async () => {
    // a file within the head start goes out whole while the registry is asked
    const small = data.subarray(0, HASH_AHEAD_HEAD_START - MiB);
    path = join(dir, 'small.bin');
    await writeFile(path, small);
    await seed(small);
    const repo = await viaProxy({ holdHeadUntilUploaded: true });
    const checked: boolean[] = [];
    await repo.pushFile('application/x-big', path, { onChecked: (_, exists) => checked.push(exists) });
    expect(checked).toEqual([true]);
    expect(proxy!.uploadedBytes).toBe(small.byteLength);
    // sent but never committed: the session is deleted
    expect(methods()).toEqual(['DELETE', 'HEAD', 'PATCH', 'POST']);
    expect(proxy!.seen.at(-1)).toMatch(/^DELETE /);
    expect(fx.registry.uploads.size).toBe(0);
  });

  it('stops both the upload and the hashing when the caller aborts, and cancels the session', async () => {
    const repo = await viaProxy({ holdUploadUntilAbsent: true, holdHeadUntilUploaded: true });
    const abort = new AbortController();
    const pushing = repo.pushFile('application/x-big', path, {
      signal: abort.signal,
      onProgress: (n) => {
        if (n >= HOLD_AT) abort.abort();
      },
    });
    await expect(pushing).rejects.toSatisfy(isA(AbortedError));
    expect(proxy!.seen.at(-1)).toMatch(/^DELETE /);
    expect(fx.registry.blobs.has(digest)).toBe(false);
  });

  // a digest hint: the digest the file had when it was pushed before (the CLI remembers them)
  it('sends nothing when the registry has the hinted blob and the file hashes to it', async () => {
    await seed();
    const repo = await viaProxy({});
    const checked: [string, boolean][] = [];
    const desc = await repo.pushFile('application/x-big', path, {
      digestHint: digest,
      onChecked: (d, exists) => checked.push([d.digest, exists]),
    });
    expect(desc).toEqual({ mediaType: 'application/x-big', digest, size: SIZE });
    expect(checked).toEqual([[digest, true]]);
    // one HEAD (of the hint, which is the digest): no session, no byte of the file
    expect(proxy!.seen).toEqual([`HEAD /v2/hash/ahead/blobs/${digest}`]);
    expect(proxy!.uploadedBytes).toBe(0);
  });

  it('uploads the file when it no longer has the hinted digest, though the registry has that blob', async () => {
    await seed();
    // the file changes (same size): the hint is stale
    const changed = Buffer.from(data);
    changed.writeUInt32BE(0xdeadbeef, SIZE - 8);
    await writeFile(path, changed);
    const changedDigest = `sha256:${createHash('sha256').update(changed).digest('hex')}`;
    const repo = await viaProxy({});
    const checked: [string, boolean][] = [];
    const desc = await repo.pushFile('application/x-big', path, {
      digestHint: digest,
      onChecked: (d, exists) => checked.push([d.digest, exists]),
    });
    expect(desc.digest).toBe(changedDigest);
    expect(checked).toEqual([[changedDigest, false]]);
    expect(proxy!.uploadedBytes).toBe(SIZE);
    expect(fx.registry.blobs.get(changedDigest)?.equals(changed)).toBe(true);
    expect(proxy!.seen.at(-1)).toMatch(/^PUT /);
  });

  it('pushes as without a hint when the registry lacks the hinted blob, and ignores a malformed one', async () => {
    const other = `sha256:${'ab'.repeat(32)}`;
    for (const hint of [other, 'not-a-digest']) {
      const repo = await viaProxy({});
      const checked: boolean[] = [];
      const desc = await repo.pushFile('application/x-big', path, {
        digestHint: hint,
        onChecked: (_, exists) => checked.push(exists),
      });
      expect(desc.digest).toBe(digest);
      expect(checked).toEqual([hint !== other]);
      if (hint === other) {
        expect(proxy!.uploadedBytes).toBe(SIZE);
        expect(fx.registry.blobs.get(digest)?.equals(data)).toBe(true);
      } else {
        // the first round pushed it: this one finds it by its own digest, as any push does
        expect(proxy!.seen).toContain(`HEAD /v2/hash/ahead/blobs/${digest}`);
      }
      await proxy!.close();
      proxy = undefined;
    }
  });
});

describe('UploadAllowance', () => {
  const chunks = async function* (count: number, size: number) {
    for (let i = 0; i < count; i++) yield new Uint8Array(size);
  };
  /** Takes what `pace` yields until it waits for the allowance, and says how far that got. */
  const drain = async (paced: AsyncGenerator<Uint8Array>, sent: { bytes: number }) => {
    for await (const chunk of paced) sent.bytes += chunk.byteLength;
  };
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  it('lets the head start out at once, then a share of what is hashed, then everything once released', async () => {
    const allowance = new UploadAllowance();
    const sent = { bytes: 0 };
    const done = drain(allowance.pace(chunks(64, MiB), 0), sent);
    await settled();
    expect(sent.bytes).toBe(HASH_AHEAD_HEAD_START);
    // hashing one more chunk's worth of share lets exactly one more chunk out
    allowance.hashed(HASH_AHEAD_SHARE * MiB);
    await settled();
    expect(sent.bytes).toBe(HASH_AHEAD_HEAD_START + MiB);
    allowance.hashed(HASH_AHEAD_SHARE * MiB + 1);
    await settled();
    expect(sent.bytes).toBe(HASH_AHEAD_HEAD_START + MiB);
    allowance.release();
    await done;
    expect(sent.bytes).toBe(64 * MiB);
  });

  it('paces a source reopened past the start from its own offset', async () => {
    const allowance = new UploadAllowance();
    const sent = { bytes: 0 };
    void drain(allowance.pace(chunks(8, MiB), HASH_AHEAD_HEAD_START - 2 * MiB), sent);
    await settled();
    expect(sent.bytes).toBe(2 * MiB);
    allowance.release();
  });
});
