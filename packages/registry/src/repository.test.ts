import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortedError,
  MismatchedDigestError,
  NotFoundError,
  SizeExceedsLimitError,
  TooManyPagesError,
  UnsafeError,
} from '@oras/spec';
import { isVerified } from '@oras/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResponseError } from './errors.js';
import { PlainClient, type RegistryClient, type RegistryRequest, type RegistryResponse } from './http.js';
import { RemoteRegistry } from './registry.js';
import { RemoteRepository, type RemoteRepositoryOptions, referrersTag } from './repository.js';
import {
  type FakeRegistry,
  type FakeRegistryOptions,
  startFakeRegistry,
} from './test-support/fake-registry.js';
import { createTransport } from './transport.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const enc = new TextEncoder();
const isA =
  (C: { is(value: unknown): boolean }) =>
  (e: unknown): boolean =>
    C.is(e);
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const descOf = (mediaType: string, bytes: Uint8Array) => ({
  mediaType,
  digest: sha256(bytes),
  size: bytes.byteLength,
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(...p);
  return out;
}

let registry: FakeRegistry;
let dispatcher: ReturnType<typeof createTransport>;

async function setup(options: FakeRegistryOptions = {}): Promise<void> {
  registry = await startFakeRegistry(options);
}

function repo(options: Partial<RemoteRepositoryOptions> = {}, name = 'test/repo'): RemoteRepository {
  return new RemoteRepository({
    reference: `${registry.host}/${name}`,
    client: new PlainClient({ dispatcher }),
    ...options,
  });
}

const config = enc.encode('{}');
const configDesc = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: 2 };

function manifestBytes(extra: Record<string, unknown> = {}, layers: unknown[] = []): Uint8Array {
  return enc.encode(
    JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: configDesc, layers, ...extra }),
  );
}

beforeEach(() => {
  dispatcher = createTransport({ retry: { baseDelayMs: 1, maxDelayMs: 5 } });
});
afterEach(async () => {
  await registry?.close();
  await dispatcher.close();
});

describe('blobs', () => {
  beforeEach(() => setup());

  it('pushes a blob monolithically and fetches it back verified', async () => {
    const r = repo();
    const data = enc.encode('hello blob');
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    expect(registry.requests.map((q) => q.method)).toEqual(['HEAD', 'POST', 'PUT']);
    expect(await r.exists(desc)).toBe(true);
    const stream = await r.fetch(desc);
    // marked as checking itself, so a store it is written to does not hash it again
    expect(isVerified(stream, desc)).toBe(true);
    expect((await readAll(stream)).toString()).toBe('hello blob');
  });

  it('streams a blob push from a ReadableStream', async () => {
    const r = repo();
    const data = Buffer.alloc(300_000, 7);
    const desc = descOf('application/octet-stream', data);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < data.length; i += 65536) c.enqueue(data.subarray(i, i + 65536));
        c.close();
      },
    });
    await r.push(desc, stream);
    expect(registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
  });

  it('skips blobs the registry already has', async () => {
    const r = repo();
    const data = enc.encode('twice');
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    registry.requests.length = 0;
    await r.push(desc, data);
    expect(registry.requests.map((q) => q.method)).toEqual(['HEAD']);
  });

  it('refuses content that does not match its descriptor and stores nothing', async () => {
    const r = repo();
    const desc = descOf('application/octet-stream', enc.encode('right'));
    await expect(r.push(desc, enc.encode('wrong'))).rejects.toSatisfy(isA(MismatchedDigestError));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode('wrong'));
        c.close();
      },
    });
    await expect(r.push(desc, stream)).rejects.toThrow();
    expect(registry.blobs.size).toBe(0);
  });

  it('uploads in chunks with Content-Range when the blob is larger than maxChunkSize', async () => {
    const r = repo({ maxChunkSize: 1000 });
    const data = Buffer.alloc(2500, 3);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    const ranges = registry.requests.filter((q) => q.method === 'PATCH' || q.method === 'PUT');
    expect(ranges.map((q) => `${q.method} ${q.headers['content-range']}`)).toEqual([
      'PATCH 0-999',
      'PATCH 1000-1999',
      'PUT 2000-2499',
    ]);
    expect(registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
  });

  it('honours OCI-Chunk-Min-Length over a smaller maxChunkSize', async () => {
    await registry.close();
    await setup({ chunkMinLength: 2000 });
    const r = repo({ maxChunkSize: 1000 });
    const data = Buffer.alloc(4500, 9);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    const ranges = registry.requests.filter((q) => q.method === 'PATCH' || q.method === 'PUT');
    expect(ranges.map((q) => q.headers['content-range'])).toEqual(['0-1999', '2000-3999', '4000-4499']);
  });

  it('pushStream hashes while it uploads and returns the descriptor', async () => {
    const r = repo({ streamChunkSize: 4096 });
    const data = Buffer.alloc(10_000, 5);
    async function* source() {
      for (let i = 0; i < data.length; i += 1500) yield data.subarray(i, i + 1500);
    }
    const desc = await r.pushStream('application/x-test', source());
    expect(desc).toEqual({ mediaType: 'application/x-test', digest: sha256(data), size: 10_000 });
    expect(registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
    expect(registry.requests.filter((q) => q.method === 'PATCH')).toHaveLength(2);
  });

  it('pushStream sends a reopenable source in one PATCH, hashed on the way, and commits with an empty PUT', async () => {
    const r = repo();
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    const opened: number[] = [];
    const desc = await r.pushStream('application/x-test', (offset) => {
      opened.push(offset);
      return Readable.from([data.subarray(offset, 100_000), data.subarray(Math.max(offset, 100_000))]);
    });
    expect(desc).toEqual({ mediaType: 'application/x-test', digest: sha256(data), size: 300_000 });
    expect(registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
    expect(opened).toEqual([0]);
    const writes = registry.requests.filter((q) => q.method === 'PATCH' || q.method === 'PUT');
    expect(writes.map((q) => q.method)).toEqual(['PATCH', 'PUT']);
    expect(writes[0]?.headers['content-range']).toBeUndefined();
    expect(writes[1]?.headers['content-length']).toBe('0');
    expect(writes[1]?.url).toContain(`digest=${encodeURIComponent(desc.digest)}`);
  });

  it('pushStream resumes a broken streamed PATCH from the offset the registry holds', async () => {
    const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 13) % 251));
    let failed = false;
    registry.fault = (req, res, body) => {
      if (req.method === 'PATCH' && !failed) {
        failed = true;
        // the registry keeps the first 70 000 bytes, then the connection dies
        const id = /uploads\/([^?]+)/.exec(req.url ?? '')![1]!;
        const upload = registry.uploads.get(id)!;
        upload.chunks.push(body.subarray(0, 70_000));
        upload.size += 70_000;
        res.socket?.destroy();
        return true;
      }
      return false;
    };
    const opened: number[] = [];
    const noRetry = createTransport({ retry: false });
    try {
      const desc = await repo({ client: new PlainClient({ dispatcher: noRetry }) }).pushStream(
        'application/octet-stream',
        (offset) => {
          opened.push(offset);
          return Readable.from([data.subarray(offset)]);
        },
      );
      expect(desc.digest).toBe(sha256(data));
      expect(desc.size).toBe(200_000);
      expect(opened).toEqual([0, 70_000]);
      expect(registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
      expect(registry.requests.some((q) => q.method === 'GET' && q.url.includes('/uploads/'))).toBe(true);
    } finally {
      await noRetry.close();
    }
  });

  it('pushStream starts over in chunks when the registry refuses a large PATCH', async () => {
    await registry.close();
    await setup({ maxPatchBytes: 64 * 1024 });
    const data = Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 3) % 256));
    const opened: number[] = [];
    const desc = await repo().pushStream('application/octet-stream', (offset) => {
      opened.push(offset);
      return Readable.from([data.subarray(offset)]);
    });
    expect(desc.digest).toBe(sha256(data));
    expect(opened).toEqual([0, 0]);
    expect(registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
    expect(registry.uploads.size).toBe(0);
  });

  it('pushStream chunks a one-shot source, which cannot be sent again', async () => {
    const r = repo();
    const data = Buffer.alloc(10_000, 3);
    const progress: number[] = [];
    const desc = await r.pushStream('application/x-test', Readable.from([data]), {
      onProgress: (n) => progress.push(n),
    });
    expect(desc.digest).toBe(sha256(data));
    expect(progress).toEqual([10_000]);
    const patches = registry.requests.filter((q) => q.method === 'PATCH');
    expect(patches.every((q) => q.headers['content-range'] !== undefined)).toBe(true);
  });

  it('leaves the digest of a large streamed push to the registry, which refuses wrong content', async () => {
    const r = repo();
    const right = Buffer.alloc(5 * 1024 * 1024, 1);
    const wrong = Buffer.alloc(5 * 1024 * 1024, 2);
    const desc = descOf('application/octet-stream', right);
    const err = await r.push(desc, Readable.from([wrong])).catch((e: unknown) => e);
    expect(ResponseError.is(err)).toBe(true);
    expect((err as ResponseError).errors[0]?.code).toBe('DIGEST_INVALID');
    expect(registry.blobs.has(desc.digest)).toBe(false);
  });

  it('fails a large streamed push whose content is longer than its descriptor says', async () => {
    const r = repo();
    const data = Buffer.alloc(5 * 1024 * 1024, 1);
    const desc = descOf('application/octet-stream', data);
    const err = await r.push(desc, Readable.from([data, Buffer.alloc(10)])).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/goes on past its size/);
    expect(registry.blobs.has(desc.digest)).toBe(false);
  });

  it('skips its own HEAD when exists just said the blob is absent, as copy asks', async () => {
    const r = repo();
    const data = enc.encode('copied');
    const desc = descOf('application/octet-stream', data);
    expect(await r.exists(desc)).toBe(false);
    registry.requests.length = 0;
    await r.push(desc, data);
    expect(registry.requests.map((q) => q.method)).toEqual(['POST', 'PUT']);
    // the answer is used once: the next push asks again
    registry.requests.length = 0;
    await r.push(desc, data);
    expect(registry.requests.map((q) => q.method)).toEqual(['HEAD']);
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
      expect(registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
      expect(registry.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
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
      const uploads = () => registry.requests.filter((q) => q.method === 'PUT' || q.method === 'PATCH');
      expect(uploads()).toHaveLength(1);
      await repo().pushFile('text/plain', path);
      expect(uploads()).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('resumes a chunked upload from the offset the registry reports', async () => {
    const r = repo({ maxChunkSize: 1000 });
    const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const desc = descOf('application/octet-stream', data);
    let failed = false;
    registry.fault = (req, res, body) => {
      if (req.method === 'PATCH' && req.headers['content-range'] === '1000-1999' && !failed) {
        failed = true;
        // the registry keeps the first 400 bytes of the chunk, then the connection dies
        const id = /uploads\/([^?]+)/.exec(req.url ?? '')![1]!;
        const upload = registry.uploads.get(id)!;
        upload.chunks.push(body.subarray(0, 400));
        upload.size += 400;
        res.socket?.destroy();
        return true;
      }
      return false;
    };
    await r.push(desc, data);
    const ranges = registry.requests
      .filter((q) => q.method === 'PATCH' || q.method === 'PUT')
      .map((q) => q.headers['content-range']);
    expect(ranges).toEqual(['0-999', '1000-1999', '1400-1999', '2000-2999']);
    expect(registry.requests.some((q) => q.method === 'GET' && q.url.includes('/uploads/'))).toBe(true);
    expect(registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
  });

  it('resumes a broken download with Range and verifies the whole blob', async () => {
    const r = repo();
    const data = Buffer.alloc(200_000, 1);
    data.write('start', 0);
    data.write('end', 199_990);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    let broke = false;
    registry.fault = (req, res) => {
      if (req.method === 'GET' && req.url?.includes('/blobs/sha256') && !req.headers.range && !broke) {
        broke = true;
        res.writeHead(200, { 'content-length': data.length });
        res.write(data.subarray(0, 70_000), () => res.socket?.destroy());
        return true;
      }
      return false;
    };
    const noRetry = createTransport({ retry: false });
    try {
      const fetched = await readAll(
        await repo({ client: new PlainClient({ dispatcher: noRetry }) }).fetch(desc),
      );
      expect(fetched.equals(data)).toBe(true);
      expect(registry.requests.some((q) => q.headers.range === 'bytes=70000-')).toBe(true);
    } finally {
      await noRetry.close();
    }
  });

  it('fails a fetch of corrupt content with MismatchedDigestError', async () => {
    const r = repo();
    const data = enc.encode('good data');
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    registry.blobs.set(desc.digest, Buffer.from('evil data'));
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
    registry.requests.length = 0;
    await repo({}, 'b/dst').mount(desc, 'a/src');
    expect(registry.requests.map((q) => q.method)).toEqual(['POST']);
    expect(registry.requests[0]?.url).toContain('mount=');
    expect(await repo({}, 'b/dst').exists(desc)).toBe(true);
  });

  it('falls back to an upload when the registry answers the mount with 202', async () => {
    const data = enc.encode('not there');
    const desc = descOf('application/octet-stream', data);
    await repo({}, 'b/dst').mount(desc, 'a/nowhere', async () => data);
    expect(registry.blobs.get(desc.digest)?.toString()).toBe('not there');
    // without getContent the blob is fetched from the source repository, which lacks it here
    await expect(repo({}, 'c/dst').mount(desc, 'a/nowhere')).rejects.toSatisfy(isA(NotFoundError));
  });

  it('refuses an upload location on another origin', async () => {
    registry.fault = (req, res) => {
      if (req.method === 'POST') {
        res.writeHead(202, { location: 'http://evil.example/upload' });
        res.end();
        return true;
      }
      return false;
    };
    const data = enc.encode('x');
    await expect(repo().push(descOf('application/octet-stream', data), data)).rejects.toSatisfy(
      isA(UnsafeError),
    );
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

describe('manifests', () => {
  beforeEach(() => setup());

  it('pushes by tag and resolves it with HEAD', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().pushReference(desc, bytes, 'v1');
    registry.requests.length = 0;
    expect(await repo().resolve('v1')).toEqual(desc);
    expect(registry.requests.map((q) => q.method)).toEqual(['HEAD']);
    expect(registry.requests[0]?.headers.accept).toContain(INDEX);
  });

  it('falls back to GET and hashing when Docker-Content-Digest is missing', async () => {
    await registry.close();
    await setup({ omitDigestHeader: true });
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().pushReference(desc, bytes, 'v1');
    expect(await repo().resolve('v1')).toEqual(desc);
    expect(registry.requests.at(-1)?.method).toBe('GET');
  });

  it('keeps fetched manifests byte-exact', async () => {
    const bytes = enc.encode(
      `{ "schemaVersion":2,  "mediaType":"${MANIFEST}","config":${JSON.stringify(configDesc)},"layers":[] }`,
    );
    const desc = descOf(MANIFEST, bytes);
    await repo().push(desc, bytes);
    expect(Buffer.compare(await readAll(await repo().fetch(desc)), Buffer.from(bytes))).toBe(0);
    const fetched = await repo().fetchReference(desc.digest);
    expect(fetched.descriptor).toEqual(desc);
    expect(Buffer.compare(await readAll(fetched.stream), Buffer.from(bytes))).toBe(0);
  });

  it('checks the Content-Type of a fetched manifest', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().push(desc, bytes);
    await expect(repo().fetch({ ...desc, mediaType: INDEX })).rejects.toThrow(/media type/);
  });

  it('refuses manifests over maxMetadataBytes', async () => {
    const bytes = manifestBytes({ annotations: { big: 'x'.repeat(5000) } });
    const desc = descOf(MANIFEST, bytes);
    await expect(repo({ maxMetadataBytes: 1024 }).push(desc, bytes)).rejects.toSatisfy(
      isA(SizeExceedsLimitError),
    );
    await repo().push(desc, bytes);
    await expect(repo({ maxMetadataBytes: 1024 }).fetch(desc)).rejects.toSatisfy(isA(SizeExceedsLimitError));
  });

  it('tags an existing manifest and deletes it', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().push(desc, bytes);
    await repo().tag(desc, 'latest');
    expect((await repo().resolve('latest')).digest).toBe(desc.digest);
    await repo().delete(desc);
    await expect(repo().resolve('latest')).rejects.toSatisfy(isA(NotFoundError));
    await expect(repo().resolve(desc.digest)).rejects.toSatisfy(isA(NotFoundError));
  });

  it('deletes through the manifest store on the manifests endpoint, whatever the media type', async () => {
    const bytes = enc.encode(JSON.stringify({ schemaVersion: 2, custom: true }));
    const desc = descOf('application/vnd.example.custom.v1+json', bytes);
    await repo().manifests().push(desc, bytes);
    await repo().manifests().delete(desc);
    expect(await repo().manifests().exists(desc)).toBe(false);
    registry.fault = (req, res) => {
      if (req.method !== 'DELETE') return false;
      res.writeHead(202).end();
      return true;
    };
    await repo().blobs().delete(descOf(MANIFEST, bytes));
    const deletes = registry.requests.filter((q) => q.method === 'DELETE').map((q) => q.url);
    expect(deletes).toEqual([`/v2/test/repo/manifests/${desc.digest}`, `/v2/test/repo/blobs/${desc.digest}`]);
  });

  it('turns other statuses into a ResponseError with the distribution codes', async () => {
    registry.fault = (_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
        }),
      );
      return true;
    };
    const err = await repo()
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(ResponseError.is(err)).toBe(true);
    const re = err as ResponseError;
    expect(re.statusCode).toBe(403);
    expect(re.method).toBe('HEAD');
    const get = (await repo()
      .fetchReference('v1')
      .catch((e: unknown) => e)) as ResponseError;
    expect(get.hasCode('DENIED')).toBe(true);
    expect(get.message).toContain('denied: requested access to the resource is denied');
  });

  it('surfaces a Warning header once per registry', async () => {
    registry.fault = (req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(404, { warning: '299 - "this registry is deprecated"' });
        res.end();
        return true;
      }
      return false;
    };
    const seen: string[] = [];
    const handleWarning = (w: { text: string }) => seen.push(w.text);
    await repo({ handleWarning })
      .resolve('a')
      .catch(() => {});
    await repo({ handleWarning })
      .resolve('b')
      .catch(() => {});
    expect(seen).toEqual(['this registry is deprecated']);
  });
});

describe('referrers', () => {
  async function pushSubjectAndReferrers(r: RemoteRepository) {
    const subjectBytes = manifestBytes();
    const subject = descOf(MANIFEST, subjectBytes);
    await r.push(subject, subjectBytes);
    const sig = manifestBytes({ artifactType: 'application/x-sig', subject });
    const sbom = manifestBytes({ artifactType: 'application/x-sbom', subject });
    await r.push(descOf(MANIFEST, sig), sig);
    await r.push(descOf(MANIFEST, sbom), sbom);
    return { subject, sig: descOf(MANIFEST, sig), sbom: descOf(MANIFEST, sbom) };
  }

  it('uses the referrers API and filters by artifactType', async () => {
    await setup({ referrersApi: true });
    const r = repo();
    const { subject, sig } = await pushSubjectAndReferrers(r);
    expect(r.referrersCapability).toBe(true);
    const all = await collect(r.referrers(subject));
    expect(all).toHaveLength(2);
    const sigs = await collect(r.referrers(subject, { artifactType: 'application/x-sig' }));
    expect(sigs.map((d) => d.digest)).toEqual([sig.digest]);
    expect(registry.tags.get('test/repo')?.has(referrersTag(subject.digest))).toBeFalsy();
  });

  it('filters on the client when the registry did not', async () => {
    await setup({ referrersApi: true, filterReferrers: false });
    const r = repo();
    const { subject, sbom } = await pushSubjectAndReferrers(r);
    const got = await collect(r.referrers(subject, { artifactType: 'application/x-sbom' }));
    expect(got.map((d) => d.digest)).toEqual([sbom.digest]);
  });

  it('follows referrers pages and stops at the page limit', async () => {
    await setup({ referrersApi: true, referrersPageSize: 1 });
    const r = repo();
    const { subject } = await pushSubjectAndReferrers(r);
    const pages: number[] = [];
    for await (const p of r.referrers(subject)) pages.push(p.length);
    expect(pages).toEqual([1, 1]);
    await expect(collect(repo({ referrerListMaxPages: 1 }).referrers(subject))).rejects.toSatisfy(
      isA(TooManyPagesError),
    );
  });

  it('maintains the tag-schema index when the registry has no referrers API', async () => {
    await setup({ referrersApi: false });
    const r = repo();
    const { subject, sig, sbom } = await pushSubjectAndReferrers(r);
    expect(r.referrersCapability).toBe(false);
    const tag = referrersTag(subject.digest);
    expect(registry.tags.get('test/repo')?.has(tag)).toBe(true);
    const listed = await collect(repo().referrers(subject));
    expect(listed.map((d) => d.digest).sort()).toEqual([sig.digest, sbom.digest].sort());
    expect(listed.find((d) => d.digest === sig.digest)?.artifactType).toBe('application/x-sig');
    // the replaced index was garbage-collected: only the subject, two referrers and one index remain
    expect(registry.manifests.get('test/repo')?.size).toBe(4);
    await r.delete(sig);
    const after = await collect(repo().referrers(subject, { artifactType: 'application/x-sig' }));
    expect(after).toEqual([]);
    expect((await collect(repo().referrers(subject))).map((d) => d.digest)).toEqual([sbom.digest]);
  });

  it('keeps old indexes with skipReferrersGc', async () => {
    await setup({ referrersApi: false });
    const r = repo({ skipReferrersGc: true });
    await pushSubjectAndReferrers(r);
    expect(registry.manifests.get('test/repo')?.size).toBe(5);
  });

  it('empties the tag-schema index when the last referrer is deleted, with or without GC', async () => {
    for (const skipReferrersGc of [false, true]) {
      await setup({ referrersApi: false });
      const r = repo({ skipReferrersGc });
      const { subject, sig, sbom } = await pushSubjectAndReferrers(r);
      await r.delete(sig);
      await r.delete(sbom);
      expect(await collect(repo().referrers(subject)), `skipReferrersGc ${skipReferrersGc}`).toEqual([]);
    }
  });

  it('trusts OCI-Subject and skips the fallback index', async () => {
    await setup({ referrersApi: false, ociSubject: true });
    const r = repo();
    const { subject } = await pushSubjectAndReferrers(r);
    expect(registry.tags.get('test/repo')?.has(referrersTag(subject.digest))).toBeFalsy();
  });

  it('ignores a fallback tag that answers with the subject itself', async () => {
    await setup({ referrersApi: false });
    const r = repo();
    const subjectBytes = manifestBytes();
    const subject = descOf(MANIFEST, subjectBytes);
    await r.pushReference(subject, subjectBytes, referrersTag(subject.digest));
    expect(await collect(r.referrers(subject))).toEqual([]);
  });

  it('honours a forced mode', async () => {
    await setup({ referrersApi: true });
    const r = repo({ referrersCapability: false });
    const { subject } = await pushSubjectAndReferrers(r);
    expect(registry.tags.get('test/repo')?.has(referrersTag(subject.digest))).toBe(true);
    expect(() => r.setReferrersCapability(true)).toThrow(/already set/);
    r.setReferrersCapability(false);
  });
});

describe('listing', () => {
  beforeEach(() => setup());

  it('lists tags with Link pagination and last', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    for (const t of ['a', 'b', 'c', 'd', 'e']) await repo().pushReference(desc, bytes, t);
    const pages: string[][] = [];
    for await (const p of repo({ tagListPageSize: 2 }).tags()) pages.push(p);
    expect(pages).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(await collect(repo({ tagListPageSize: 2 }).tags({ last: 'c' }))).toEqual(['d', 'e']);
    await expect(collect(repo({ tagListPageSize: 2, tagListMaxPages: 2 }).tags())).rejects.toSatisfy(
      isA(TooManyPagesError),
    );
  });

  it('refuses a Link to another origin', async () => {
    registry.fault = (req, res) => {
      if (req.url?.includes('/tags/list')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          link: '<http://evil.example/v2/x/tags/list?n=1>; rel="next"',
        });
        res.end(JSON.stringify({ name: 'x', tags: ['a'] }));
        return true;
      }
      return false;
    };
    await expect(collect(repo().tags())).rejects.toSatisfy(isA(UnsafeError));
  });

  it('lists the catalog and pings through RemoteRegistry', async () => {
    const data = enc.encode('x');
    for (const name of ['one/a', 'two/b', 'three/c'])
      await repo({}, name).push(descOf('application/octet-stream', data), data);
    const reg = new RemoteRegistry({
      registry: registry.host,
      client: new PlainClient({ dispatcher }),
      repositoryListPageSize: 2,
    });
    await reg.ping();
    expect(await collect(reg.repositories())).toEqual(['one/a', 'three/c', 'two/b']);
    expect(await collect(reg.repositories({ last: 'one/a' }))).toEqual(['three/c', 'two/b']);
    expect(await reg.repository('one/a').exists(descOf('application/octet-stream', data))).toBe(true);
  });
});

describe('requests', () => {
  function stub(statusCode = 404) {
    const seen: RegistryRequest[] = [];
    const client: RegistryClient = {
      async request(req) {
        seen.push(req);
        const body = Readable.from([]) as unknown as RegistryResponse['body'];
        (body as unknown as { dump: () => Promise<void> }).dump = async () => {};
        return { statusCode, headers: {}, body, url: new URL(String(req.url)) };
      },
    };
    return { client, seen };
  }

  it('uses plain HTTP for localhost only, unless told', async () => {
    const { client, seen } = stub();
    await new RemoteRepository({ reference: 'localhost:5000/a', client }).resolve('v1').catch(() => {});
    await new RemoteRepository({ reference: 'registry.example/a', client }).resolve('v1').catch(() => {});
    await new RemoteRepository({ reference: 'registry.example/a', client, plainHttp: true })
      .resolve('v1')
      .catch(() => {});
    expect(seen.map((r) => new URL(String(r.url)).protocol)).toEqual(['http:', 'https:', 'http:']);
  });

  it('maps docker.io to its API host', async () => {
    const { client, seen } = stub();
    await new RemoteRepository({ reference: 'docker.io/library/alpine', client })
      .resolve('3')
      .catch(() => {});
    expect(String(seen[0]?.url)).toBe('https://registry-1.docker.io/v2/library/alpine/manifests/3');
  });

  it('asks for pull, push and delete scopes as the request needs', async () => {
    const { client, seen } = stub();
    const r = new RemoteRepository({ reference: 'registry.example/team/app', client });
    await r.resolve('v1').catch(() => {});
    await r.push(descOf('application/octet-stream', enc.encode('x')), enc.encode('x')).catch(() => {});
    await r.delete(descOf('application/octet-stream', enc.encode('x'))).catch(() => {});
    expect(seen.map((q) => `${q.method} ${q.scopes?.join(' ')}`)).toEqual([
      'HEAD repository:team/app:pull',
      'HEAD repository:team/app:pull',
      'POST repository:team/app:pull,push',
      'DELETE repository:team/app:delete',
    ]);
  });

  it('sends the manifestMediaTypes override as the Accept list', async () => {
    const { client, seen } = stub();
    await new RemoteRepository({ reference: 'registry.example/a', client, manifestMediaTypes: [INDEX] })
      .resolve('v1')
      .catch(() => {});
    expect(seen[0]?.headers?.accept).toBe(INDEX);
  });

  it('rejects with AbortedError when the signal is aborted', async () => {
    const { client, seen } = stub();
    const controller = new AbortController();
    controller.abort();
    await expect(
      new RemoteRepository({ reference: 'registry.example/a', client }).resolve('v1', {
        signal: controller.signal,
      }),
    ).rejects.toSatisfy(isA(AbortedError));
    expect(seen).toHaveLength(0);
  });
});

describe('mount refused', () => {
  beforeEach(() => setup());

  it('uploads from getContent when the registry refuses the mount', async () => {
    registry.fault = (req, res) => {
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
    expect(registry.blobs.get(desc.digest)?.toString()).toBe('copied instead');
    // without getContent, the blob is fetched from the source repository
    await repo({}, 'a/src').push(desc, data);
    registry.requests.length = 0;
    await repo({}, 'c/dst').mount(desc, 'a/src');
    expect(
      registry.requests.some((q) => q.method === 'GET' && q.url === `/v2/a/src/blobs/${desc.digest}`),
    ).toBe(true);
    expect(await repo({}, 'c/dst').exists(desc)).toBe(true);
  });
});
