/**
 * Against the in-process test registry of `tooling/test-registry`: the referrers API and every
 * switchable fault, each survived or reported with a clear error, with nothing corrupt stored.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AuthClient, staticCredential } from '@oras/auth';
import { MismatchedDigestError, MismatchedSizeError } from '@oras/spec';
import type { Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startTestRegistry,
  startTokenIssuer,
  type TestRegistry,
  type TestRegistryOptions,
  type TokenIssuer,
} from '@oras-internal/test-registry';
import { ResponseError } from '../src/errors.js';
import type { RemoteRepositoryOptions } from '../src/repository/options.js';
import { referrersTag } from '../src/repository/referrers/tag-schema.js';
import { RemoteRepository } from '../src/repository/remote-repository.js';
import { createTransport } from '../src/transport.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const enc = new TextEncoder();
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const descOf = (mediaType: string, bytes: Uint8Array) => ({
  mediaType,
  digest: sha256(bytes),
  size: bytes.byteLength,
});
const isA =
  (C: { is(value: unknown): boolean }) =>
  (e: unknown): boolean =>
    C.is(e);

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

let registry: TestRegistry;
let issuer: TokenIssuer | undefined;
let dispatcher: Dispatcher;

async function start(options: TestRegistryOptions = {}): Promise<void> {
  registry = await startTestRegistry(options);
}

function repo(options: Partial<RemoteRepositoryOptions> = {}, credential = false): RemoteRepository {
  const client = new AuthClient({
    dispatcher,
    ...(credential
      ? { credential: staticCredential(registry.host, { username: 'oras', password: 'secret' }) }
      : {}),
  });
  return new RemoteRepository({ reference: `${registry.host}/it/repo`, client, ...options });
}

const config = enc.encode('{}');
const configDesc = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: 2 };
const blob = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 31) % 256));
const blobDesc = descOf('application/octet-stream', blob);

async function seed(r: RemoteRepository) {
  await r.push(configDesc, config);
  await r.push(blobDesc, blob);
  const bytes = enc.encode(
    JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: configDesc, layers: [blobDesc] }),
  );
  const desc = descOf(MANIFEST, bytes);
  await r.pushReference(desc, bytes, 'v1');
  return desc;
}

beforeEach(() => {
  dispatcher = createTransport({ retry: { baseDelayMs: 1, maxDelayMs: 10, maxRetryAfterMs: 20 } });
});
afterEach(async () => {
  await registry?.close();
  await issuer?.close?.();
  issuer = undefined;
  await dispatcher.close();
});

describe('referrers API', () => {
  beforeEach(() => start());

  it('lists referrers from the API, filtered and paged, and never writes a fallback tag', async () => {
    registry.setQuirks({ pageSize: 1 });
    const r = repo();
    const subject = await seed(r);
    for (const type of ['application/x-a', 'application/x-b']) {
      const bytes = enc.encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MANIFEST,
          artifactType: type,
          config: configDesc,
          layers: [],
          subject,
        }),
      );
      await r.push(descOf(MANIFEST, bytes), bytes);
    }
    expect(r.referrersCapability).toBe(true);
    const pages: number[] = [];
    for await (const p of r.referrers(subject)) pages.push(p.length);
    expect(pages).toEqual([1, 1]);
    expect(
      (await collect(r.referrers(subject, { artifactType: 'application/x-b' }))).map((d) => d.artifactType),
    ).toEqual(['application/x-b']);
    expect(registry.storage.tags('it/repo')).not.toContain(referrersTag(subject.digest));
  });

  it('falls back to the tag schema when the referrers endpoint answers a false 200', async () => {
    registry.setFaults({ falseReferrers: {} });
    const r = repo();
    const subject = await seed(r);
    const bytes = enc.encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        artifactType: 'application/x-sig',
        config: configDesc,
        layers: [],
        subject,
      }),
    );
    await r.push(descOf(MANIFEST, bytes), bytes);
    expect(r.referrersCapability).toBe(false);
    expect(registry.storage.tags('it/repo')).toContain(referrersTag(subject.digest));
    expect((await collect(repo().referrers(subject))).map((d) => d.digest)).toEqual([sha256(bytes)]);
  });
});

describe('faults', () => {
  beforeEach(() => start());

  it('resumes a blob download whose connection drops', async () => {
    const r = repo();
    await seed(r);
    registry.setFaults({ dropConnection: { afterBytes: 100_000, times: 1 } });
    expect((await readAll(await r.fetch(blobDesc))).equals(blob)).toBe(true);
    expect(registry.faultCount('dropConnection')).toBe(1);
  });

  it('survives 429 with Retry-After and 5xx answers', async () => {
    const r = repo();
    registry.setFaults({ tooManyRequests: { retryAfter: 1, times: 2 } });
    await seed(r);
    registry.setFaults({ serverError: { status: 503, times: 2, methods: ['GET'] } });
    expect((await readAll(await r.fetch(blobDesc))).equals(blob)).toBe(true);
    expect(registry.faultCount('serverError')).toBe(2);
  });

  it('reports a corrupt blob with MismatchedDigestError', async () => {
    const r = repo();
    await seed(r);
    registry.setFaults({ corruptBlob: {} });
    await expect(readAll(await r.fetch(blobDesc))).rejects.toSatisfy(isA(MismatchedDigestError));
  });

  it('reports a truncated body with MismatchedSizeError', async () => {
    const r = repo();
    await seed(r);
    registry.setFaults({ truncateBody: { bytes: 1000 } });
    await expect(r.fetch(blobDesc).then(readAll)).rejects.toSatisfy(isA(MismatchedSizeError));
  });

  it('follows blob redirects to storage without the credentials', async () => {
    await registry.close();
    await start({ auth: { basic: { oras: 'secret' } } });
    const r = repo({}, true);
    await seed(r);
    registry.setFaults({ redirectBlobs: {} });
    expect((await readAll(await r.fetch(blobDesc))).equals(blob)).toBe(true);
    const storage = registry.requests.filter((q) => q.origin === 'storage');
    expect(storage.length).toBeGreaterThan(0);
    expect(storage.every((q) => q.headers.authorization === undefined)).toBe(true);
  });

  it('survives slow answers', async () => {
    const r = repo();
    registry.setFaults({ slow: { delayMs: 20, bodyDelayMs: 20, times: 3 } });
    await seed(r);
    expect((await readAll(await r.fetch(blobDesc))).equals(blob)).toBe(true);
  });

  it('keeps chunks under a registry chunk cap when told, and reports the 416 otherwise', async () => {
    registry.setFaults({ maxChunkSize: 64 * 1024 });
    const ok = await repo({ maxChunkSize: 64 * 1024 }).pushStream('application/octet-stream', blob);
    expect(ok.digest).toBe(blobDesc.digest);
    const err = await repo({ streamChunkSize: 128 * 1024 })
      .pushStream('application/octet-stream', blob)
      .catch((e: unknown) => e);
    expect(ResponseError.is(err)).toBe(true);
    expect((err as ResponseError).statusCode).toBe(416);
    expect(registry.openUploads()).toBe(0);
  });

  it('resumes a chunked upload whose PATCH answer is lost, from the offset the registry reports', async () => {
    registry.setFaults({
      dropConnection: { routes: ['upload'], methods: ['PATCH'], afterBytes: 0, times: 1 },
    });
    const desc = await repo({ streamChunkSize: 64 * 1024 }).pushStream('application/octet-stream', blob);
    expect(desc.digest).toBe(blobDesc.digest);
    expect(registry.faultCount('dropConnection')).toBe(1);
    expect(registry.requests.some((q) => q.method === 'GET' && q.route === 'upload')).toBe(true);
    expect(Buffer.from(registry.storage.getBlob('it/repo', blobDesc.digest)!).equals(blob)).toBe(true);
  });

  it('survives a 5xx on a chunk by resending it', async () => {
    registry.setFaults({ serverError: { routes: ['upload'], methods: ['PATCH'], status: 502, times: 1 } });
    const desc = await repo({ streamChunkSize: 64 * 1024 }).pushStream('application/octet-stream', blob);
    expect(desc.digest).toBe(blobDesc.digest);
    expect(registry.faultCount('serverError')).toBe(1);
  });

  it('honours OCI-Chunk-Min-Length', async () => {
    registry.setQuirks({ chunkMinLength: 100_000 });
    const desc = await repo({ maxChunkSize: 10_000 }).pushStream('application/octet-stream', blob);
    expect(desc.digest).toBe(blobDesc.digest);
    const patches = registry.requests.filter((q) => q.method === 'PATCH');
    expect(patches.slice(0, -1).every((q) => q.bodyBytes >= 100_000)).toBe(true);
  });

  it('re-authenticates when a token expires mid-upload', async () => {
    await registry.close();
    issuer = await startTokenIssuer({ users: { oras: 'secret' } });
    await start({ auth: { token: issuer } });
    registry.setFaults({ expireTokensMidUpload: true });
    const r = repo({ maxChunkSize: 64 * 1024 }, true);
    await r.push(blobDesc, blob);
    const streamed = await r.pushStream('application/octet-stream', Buffer.from(blob).reverse());
    expect(registry.storage.getBlob('it/repo', blobDesc.digest)).toBeDefined();
    expect(registry.storage.getBlob('it/repo', streamed.digest)).toBeDefined();
  });

  it('re-authenticates when a token expires during a streamed upload, reopening the source', async () => {
    await registry.close();
    issuer = await startTokenIssuer({ users: { oras: 'secret' } });
    await start({ auth: { token: issuer } });
    registry.setFaults({ expireTokensMidUpload: true });
    const opened: number[] = [];
    const desc = await repo({}, true).pushStream('application/octet-stream', (offset) => {
      opened.push(offset);
      return Readable.from([blob.subarray(offset)]);
    });
    expect(desc.digest).toBe(blobDesc.digest);
    expect(opened).toEqual([0, 0]);
    expect(registry.faultCount('expireTokensMidUpload')).toBe(1);
    expect(registry.storage.getBlob('it/repo', blobDesc.digest)).toBeDefined();
  });

  it('sends a streamed upload again after a 5xx, from the offset the registry holds', async () => {
    registry.setFaults({ serverError: { routes: ['upload'], methods: ['PATCH'], status: 502, times: 1 } });
    const desc = await repo().pushStream('application/octet-stream', (offset) =>
      Readable.from([blob.subarray(offset)]),
    );
    expect(desc.digest).toBe(blobDesc.digest);
    expect(registry.faultCount('serverError')).toBe(1);
    expect(Buffer.from(registry.storage.getBlob('it/repo', blobDesc.digest)!).equals(blob)).toBe(true);
  });

  it('starts a streamed upload over in chunks under a registry chunk cap', async () => {
    registry.setFaults({ maxChunkSize: 64 * 1024 });
    const desc = await repo().pushStream('application/octet-stream', (offset) =>
      Readable.from([blob.subarray(offset)]),
    );
    expect(desc.digest).toBe(blobDesc.digest);
    expect(registry.faultCount('maxChunkSize')).toBe(1);
    expect(registry.openUploads()).toBe(0);
  });

  it('says clearly when a large one-shot stream cannot be sent again after a token expired', async () => {
    await registry.close();
    issuer = await startTokenIssuer({ users: { oras: 'secret' } });
    await start({ auth: { token: issuer } });
    registry.setFaults({ expireTokensMidUpload: true });
    const big = Buffer.alloc(5 * 1024 * 1024, 1);
    const desc = descOf('application/octet-stream', big);
    async function* once() {
      for (let i = 0; i < big.length; i += 1024 * 1024) yield big.subarray(i, i + 1024 * 1024);
    }
    const err = await repo({}, true)
      .push(desc, once())
      .catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/one-shot stream/);
    expect(registry.storage.getBlob('it/repo', desc.digest)).toBeUndefined();
    expect(registry.openUploads()).toBe(0);
  });
});
