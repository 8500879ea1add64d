/** Blobs: fetch, push (skipping what the registry has), push a file, mount, delete. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MismatchedDigestError, NotFoundError } from '@oras/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import { PlainClient } from '../http.js';
import {
  breakFirstBlobGet,
  descOf,
  enc,
  isA,
  readAll,
  sha256,
  useRepositoryFixture,
  readThroughRangeIgnoringBreak,
} from '../test-support/repository-fixture.js';
import { createTransport } from '../transport.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('blobs', () => {
  beforeEach(() => setup());

  it('skips blobs the registry already has', async () => {
    const r = repo();
    const data = enc.encode('twice');
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    fx.registry.requests.length = 0;
    await r.push(desc, data);
    expect(fx.registry.requests.map((q) => q.method)).toEqual(['HEAD']);
  });

  it('skips its own HEAD when exists just said the blob is absent, as copy asks', async () => {
    const r = repo();
    const data = enc.encode('copied');
    const desc = descOf('application/octet-stream', data);
    expect(await r.exists(desc)).toBe(false);
    fx.registry.requests.length = 0;
    await r.push(desc, data);
    expect(fx.registry.requests.map((q) => q.method)).toEqual(['POST', 'PUT']);
    // the answer is used once: the next push asks again
    fx.registry.requests.length = 0;
    await r.push(desc, data);
    expect(fx.registry.requests.map((q) => q.method)).toEqual(['HEAD']);
  });

  it('pushFile streams a large file once and returns its descriptor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oras-push-file-'));
    try {
      const path = join(dir, 'big.bin');
      const data = Buffer.from(Array.from({ length: 5 * 1024 * 1024 + 123 }, (_, i) => (i * 11) % 256));
      await writeFile(path, data);
      const progress: number[] = [];
      const desc = await repo().pushFile('application/x-big', path, { onProgress: (n) => progress.push(n) });
      expect(desc).toEqual({ mediaType: 'application/x-big', digest: sha256(data), size: data.length });
      expect(progress.at(-1)).toBe(data.length);
      expect(progress.every((n, i) => i === 0 || n > progress[i - 1]!)).toBe(true);
      expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
      expect(fx.registry.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pushFile hashes a small file first and skips it when the registry has it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oras-push-file-'));
    try {
      const path = join(dir, 'small.txt');
      await writeFile(path, 'hello');
      const first = await repo().pushFile('text/plain', path);
      expect(first).toEqual({ mediaType: 'text/plain', digest: sha256(enc.encode('hello')), size: 5 });
      const uploads = () => fx.registry.requests.filter((q) => q.method === 'PUT' || q.method === 'PATCH');
      expect(uploads()).toHaveLength(1);
      await repo().pushFile('text/plain', path);
      expect(uploads()).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('resumes a broken download with Range and verifies the whole blob', async () => {
    const r = repo();
    const data = Buffer.alloc(200_000, 1);
    data.write('start', 0);
    data.write('end', 199_990);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    breakFirstBlobGet(fx, data, 70_000);
    const noRetry = createTransport({ retry: false });
    try {
      const fetched = await readAll(
        await repo({ client: new PlainClient({ dispatcher: noRetry }) }).fetch(desc),
      );
      expect(fetched.equals(data)).toBe(true);
      expect(fx.registry.requests.some((q) => q.headers.range === 'bytes=70000-')).toBe(true);
    } finally {
      await noRetry.close();
    }
  });

  it('goes on from a registry that answers the resume with the whole blob, passing no byte twice', async () => {
    const { data, got, ranges } = await readThroughRangeIgnoringBreak(fx, 300_000, 70_000, async (r, desc) =>
      readAll(await r.fetch(desc)),
    );
    expect(got.length).toBe(data.length);
    expect(got.equals(data)).toBe(true);
    expect(ranges).toEqual(['', 'bytes=70000-']);
  });

  it('fails a fetch of corrupt content with MismatchedDigestError', async () => {
    const r = repo();
    const data = enc.encode('good data');
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    fx.registry.blobs.set(desc.digest, Buffer.from('evil data'));
    await expect(readAll(await r.fetch(desc))).rejects.toSatisfy(isA(MismatchedDigestError));
  });

  it('reports a missing blob as NotFoundError', async () => {
    const desc = descOf('application/octet-stream', enc.encode('absent'));
    await expect(repo().fetch(desc)).rejects.toSatisfy(isA(NotFoundError));
    expect(await repo().exists(desc)).toBe(false);
  });

  it('mounts a blob from another repository', async () => {
    const data = enc.encode('shared');
    const desc = descOf('application/octet-stream', data);
    await repo({}, 'a/src').push(desc, data);
    fx.registry.requests.length = 0;
    await repo({}, 'b/dst').mount(desc, 'a/src');
    expect(fx.registry.requests.map((q) => q.method)).toEqual(['POST']);
    expect(fx.registry.requests[0]?.url).toContain('mount=');
    expect(await repo({}, 'b/dst').exists(desc)).toBe(true);
  });

  it('falls back to an upload when the registry answers the mount with 202', async () => {
    const data = enc.encode('not there');
    const desc = descOf('application/octet-stream', data);
    await repo({}, 'b/dst').mount(desc, 'a/nowhere', async () => data);
    expect(fx.registry.blobs.get(desc.digest)?.toString()).toBe('not there');
    // without getContent the blob is fetched from the source repository, which lacks it here
    await expect(repo({}, 'c/dst').mount(desc, 'a/nowhere')).rejects.toSatisfy(isA(NotFoundError));
  });

  it('deletes a blob', async () => {
    const data = enc.encode('bye');
    const desc = descOf('application/octet-stream', data);
    await repo().push(desc, data);
    await repo().delete(desc);
    expect(await repo().exists(desc)).toBe(false);
    await expect(repo().delete(desc)).rejects.toSatisfy(isA(NotFoundError));
  });
});

describe('mount refused', () => {
  beforeEach(() => setup());

  it('uploads from getContent when the registry refuses the mount', async () => {
    fx.registry.fault = (req, res) => {
      if (req.method === 'POST' && req.url?.includes('mount=')) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'no access to source' }] }));
        return true;
      }
      return false;
    };
    const data = enc.encode('copied instead');
    const desc = descOf('application/octet-stream', data);
    await repo({}, 'b/dst').mount(desc, 'a/src', async () => data);
    expect(fx.registry.blobs.get(desc.digest)?.toString()).toBe('copied instead');
    // without getContent, the blob is fetched from the source repository
    await repo({}, 'a/src').push(desc, data);
    fx.registry.requests.length = 0;
    await repo({}, 'c/dst').mount(desc, 'a/src');
    expect(
      fx.registry.requests.some((q) => q.method === 'GET' && q.url === `/v2/a/src/blobs/${desc.digest}`),
    ).toBe(true);
    expect(await repo({}, 'c/dst').exists(desc)).toBe(true);
  });
});
