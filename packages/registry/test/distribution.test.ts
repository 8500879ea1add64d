/**
 * Against the real registry: Debian's docker-registry (CNCF distribution v2.8), which has no
 * referrers API, so referrers go through the tag schema. Plain HTTP, htpasswd over TLS with a CA
 * made for the run, and bearer tokens.
 */
import { createHash } from 'node:crypto';
import { AuthClient, staticCredential, UnauthorizedError } from '@oras/auth';
import { collectPages, fetchBytes, resolveReference, tag, tagBytesN, tagN } from '@oras/content';
import { ConnectionError, NotFoundError, OrasError } from '@oras/spec';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { ResponseError } from '../src/errors.js';
import { RemoteRegistry } from '../src/registry.js';
import { referrersTag } from '../src/repository/referrers/tag-schema.js';
import { RemoteRepository } from '../src/repository/remote-repository.js';
import { startTestProxy, type TestProxy } from '../src/test-support/proxy.js';
import { createTransport } from '../src/transport.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const enc = new TextEncoder();
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

const config = enc.encode('{}');
const configDesc = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: 2 };

function manifestOf(layers: unknown[], extra: Record<string, unknown> = {}): Uint8Array {
  return enc.encode(
    JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: configDesc, layers, ...extra }),
  );
}

/** Pushes a one-layer artifact tagged `v1` and pulls it back. */
async function roundTrip(repo: RemoteRepository): Promise<void> {
  const layer = Buffer.from('hello from the real registry\n');
  const layerDesc = descOf('application/vnd.oci.image.layer.v1.tar', layer);
  await repo.push(configDesc, config);
  await repo.push(layerDesc, layer);
  const bytes = manifestOf([layerDesc]);
  const desc = descOf(MANIFEST, bytes);
  await repo.pushReference(desc, bytes, 'v1');
  expect(await repo.resolve('v1')).toEqual(desc);
  const fetched = await repo.fetchReference('v1');
  expect(Buffer.compare(await readAll(fetched.stream), Buffer.from(bytes))).toBe(0);
  expect((await readAll(await repo.fetch(layerDesc))).equals(layer)).toBe(true);
}

describe('docker-registry, plain HTTP', () => {
  let registry: Distribution;
  let dispatcher: Dispatcher;
  const repo = (name = 'it/plain', extra: Partial<ConstructorParameters<typeof RemoteRepository>[0]> = {}) =>
    new RemoteRepository({
      reference: `${registry.host}/${name}`,
      client: new AuthClient({ dispatcher }),
      ...extra,
    });

  beforeAll(async () => {
    registry = await startDistribution({ mode: 'plain' });
    dispatcher = createTransport();
  });
  afterAll(async () => {
    await registry?.stop();
    await dispatcher?.close();
  });

  it('pushes and pulls an artifact', async () => {
    await roundTrip(repo());
  });

  it('uploads in chunks and streams a push of unknown size', async () => {
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    const desc = descOf('application/octet-stream', data);
    await repo('it/chunks', { maxChunkSize: 64 * 1024 }).push(desc, data);
    expect((await readAll(await repo('it/chunks').fetch(desc))).equals(data)).toBe(true);
    const reversed = Buffer.from(data).reverse();
    async function* source() {
      for (let i = 0; i < reversed.length; i += 10_000) yield reversed.subarray(i, i + 10_000);
    }
    const streamed = await repo('it/chunks', { streamChunkSize: 100_000 }).pushStream(
      'application/octet-stream',
      source(),
    );
    expect(streamed).toEqual(descOf('application/octet-stream', reversed));
    expect((await readAll(await repo('it/chunks').fetch(streamed))).equals(reversed)).toBe(true);
  });

  it('resolves an index to a platform, fetches it, and tags it many times (the reference helpers)', async () => {
    const r = repo('it/platforms');
    const manifestFor = async (architecture: string) => {
      const configBytes = enc.encode(
        JSON.stringify({ os: 'linux', architecture, rootfs: { type: 'layers', diff_ids: [] } }),
      );
      const configDesc = descOf('application/vnd.oci.image.config.v1+json', configBytes);
      await r.push(configDesc, configBytes);
      const bytes = enc.encode(
        JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: configDesc, layers: [] }),
      );
      const desc = descOf(MANIFEST, bytes);
      await r.push(desc, bytes);
      return desc;
    };
    const amd64 = await manifestFor('amd64');
    const arm64 = await manifestFor('arm64');
    const INDEX = 'application/vnd.oci.image.index.v1+json';
    const indexBytes = enc.encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: INDEX,
        manifests: [
          { ...amd64, platform: { os: 'linux', architecture: 'amd64' } },
          { ...arm64, platform: { os: 'linux', architecture: 'arm64' } },
        ],
      }),
    );
    const index = descOf(INDEX, indexBytes);
    await r.pushReference(index, indexBytes, 'multi');

    const arm = { os: 'linux', architecture: 'arm64' };
    expect(await resolveReference(r, 'multi', { targetPlatform: arm })).toMatchObject({
      digest: arm64.digest,
    });
    const { descriptor, bytes } = await fetchBytes(r, 'multi', {
      targetPlatform: { os: 'linux', architecture: 'amd64' },
    });
    expect(descriptor.digest).toBe(amd64.digest);
    expect(sha256(bytes)).toBe(amd64.digest);

    expect(await tagN(r, 'multi', ['v1', 'v1.0', 'stable'])).toEqual(index);
    expect(await tag(r, 'v1', 'latest')).toEqual(index);
    expect(
      await tagBytesN(
        r,
        MANIFEST,
        await fetchBytes(r, 'multi', { targetPlatform: arm }).then((f) => f.bytes),
        ['arm'],
      ),
    ).toMatchObject({ digest: arm64.digest });
    expect((await collectPages(r.tags())).sort()).toEqual(['arm', 'latest', 'multi', 'stable', 'v1', 'v1.0']);
    expect(await collectPages(r.tags(), { limit: 2 })).toHaveLength(2);
    for (const t of ['v1', 'v1.0', 'stable', 'latest'])
      expect((await r.resolve(t)).digest).toBe(index.digest);
  });

  it('mounts a blob across repositories', async () => {
    const data = enc.encode('mount me');
    const desc = descOf('application/octet-stream', data);
    await repo('it/mount-src').push(desc, data);
    await repo('it/mount-dst').mount(desc, 'it/mount-src');
    expect(await repo('it/mount-dst').exists(desc)).toBe(true);
  });

  it('keeps the tag-schema referrers index on push and delete', async () => {
    const r = repo('it/referrers');
    await r.push(configDesc, config);
    const subjectBytes = manifestOf([]);
    const subject = descOf(MANIFEST, subjectBytes);
    await r.pushReference(subject, subjectBytes, 'subject');
    const sigBytes = manifestOf([], { artifactType: 'application/x-sig', subject });
    const sbomBytes = manifestOf([], { artifactType: 'application/x-sbom', subject });
    await r.push(descOf(MANIFEST, sigBytes), sigBytes);
    await r.push(descOf(MANIFEST, sbomBytes), sbomBytes);
    expect(r.referrersCapability).toBe(false);
    const fresh = repo('it/referrers');
    const all = await collect(fresh.referrers(subject));
    expect(all.map((d) => d.digest).sort()).toEqual([sha256(sigBytes), sha256(sbomBytes)].sort());
    const sigs = await collect(fresh.referrers(subject, { artifactType: 'application/x-sig' }));
    expect(sigs.map((d) => d.digest)).toEqual([sha256(sigBytes)]);
    expect(await fresh.predecessors(subject)).toHaveLength(2);
    await r.delete(descOf(MANIFEST, sigBytes));
    expect((await collect(repo('it/referrers').referrers(subject))).map((d) => d.digest)).toEqual([
      sha256(sbomBytes),
    ]);
    expect((await repo('it/referrers').resolve(referrersTag(subject.digest))).mediaType).toBe(
      'application/vnd.oci.image.index.v1+json',
    );
  });

  it('lists tags and the catalog with pagination', async () => {
    const r = repo('it/tags');
    await r.push(configDesc, config);
    const bytes = manifestOf([]);
    const desc = descOf(MANIFEST, bytes);
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const t of names) await r.pushReference(desc, bytes, t);
    // v2.8 ignores `n` on tag lists and answers one page
    expect((await collect(repo('it/tags', { tagListPageSize: 2 }).tags())).sort()).toEqual(names);
    const reg = new RemoteRegistry({
      registry: registry.host,
      client: new AuthClient({ dispatcher }),
      repositoryListPageSize: 1,
    });
    await reg.ping();
    const pages: string[][] = [];
    for await (const p of reg.repositories()) pages.push(p);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.every((p) => p.length <= 1)).toBe(true);
    expect(pages.flat()).toContain('it/tags');
  });

  it('reports a missing manifest as NotFoundError', async () => {
    await expect(repo('it/none').resolve('nope')).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
  });

  it('says the registry speaks plain HTTP when it is spoken to over HTTPS', async () => {
    const err = await repo('it/plain', { plainHttp: false })
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(
      `the registry at ${registry.host} speaks plain HTTP: set plainHttp: true`,
    );
  });
});

describe('docker-registry, basic auth over TLS', () => {
  let registry: Distribution;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    registry = await startDistribution({ mode: 'basic-tls' });
    dispatcher = createTransport({ registryHosts: [registry.host], caFile: registry.caFile! });
  });
  afterAll(async () => {
    await registry?.stop();
    await dispatcher?.close();
  });

  it('pushes and pulls with a password, and is refused without one', async () => {
    const [username, password] = Object.entries(registry.users!)[0]!;
    const client = new AuthClient({
      dispatcher,
      credential: staticCredential(registry.host, { username, password }),
    });
    await roundTrip(new RemoteRepository({ reference: `${registry.host}/it/tls`, client, plainHttp: false }));
    const anonymous = new RemoteRepository({
      reference: `${registry.host}/it/tls`,
      client: new AuthClient({ dispatcher }),
      plainHttp: false,
    });
    await expect(anonymous.resolve('v1')).rejects.toSatisfy((e: unknown) => OrasError.is(e));
  });

  it('says a wrong password was rejected, keeping the registry’s error codes', async () => {
    const client = new AuthClient({
      dispatcher,
      credential: staticCredential(registry.host, { username: 'oras', password: 'not-the-password' }),
    });
    // a GET: the answer to a HEAD has no body, so no error codes
    const err = await new RemoteRepository({ reference: `${registry.host}/it/tls`, client, plainHttp: false })
      .fetchReference('v1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as Error).message).toMatch(/: the credentials were rejected \(401\): unauthorized/);
    expect((err as UnauthorizedError).hasCode('UNAUTHORIZED')).toBe(true);
    expect((err as Error).message).not.toContain('not-the-password');
  });

  it('says a TLS registry on loopback answered 400 to plain HTTP (the loopback default)', async () => {
    // 127.0.0.1 is spoken to in plain HTTP unless told otherwise, as oras does
    const err = await new RemoteRepository({
      reference: `${registry.host}/it/tls`,
      client: new AuthClient({ dispatcher }),
    })
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(ResponseError.is(err)).toBe(true);
    expect((err as Error).message).toBe(
      `HEAD http://${registry.host}/v2/it/tls/manifests/v1: the registry answered 400 to plain HTTP; is it TLS? set plainHttp: false`,
    );
  });
});

describe('docker-registry, bearer tokens', () => {
  let registry: Distribution;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    registry = await startDistribution({ mode: 'token' });
    dispatcher = createTransport();
  });
  afterAll(async () => {
    await registry?.stop();
    await dispatcher?.close();
  });

  it('pushes and pulls with tokens for the right scopes', async () => {
    const password = registry.users!.oras!;
    const client = new AuthClient({
      dispatcher,
      credential: staticCredential(registry.host, { username: 'oras', password }),
    });
    const repo = new RemoteRepository({ reference: `${registry.host}/it/token`, client });
    await roundTrip(repo);
    const data = Buffer.alloc(200_000, 4);
    const desc = descOf('application/octet-stream', data);
    await repo.mount(desc, 'it/elsewhere', async () => data);
    expect(await repo.exists(desc)).toBe(true);
  });
});

describe('docker-registry through a proxy', () => {
  // clients never proxy loopback, so the registry is named `registry.test`, which only the proxy
  // resolves (to 127.0.0.1)
  let plain: Distribution;
  let tls: Distribution;
  let proxy: TestProxy;
  const dispatchers: Dispatcher[] = [];

  beforeAll(async () => {
    [plain, tls] = await Promise.all([
      startDistribution({ mode: 'plain' }),
      startDistribution({ mode: 'basic-tls' }),
    ]);
    proxy = await startTestProxy({
      hosts: { 'registry.test': '127.0.0.1' },
      auth: { username: 'p', password: 'proxy-pw' },
    });
  });
  afterAll(async () => {
    await Promise.all(dispatchers.map((d) => d.close()));
    await proxy?.close();
    await Promise.all([plain?.stop(), tls?.stop()]);
  });

  it('pushes and pulls through a forward proxy (plain HTTP)', async () => {
    const dispatcher = createTransport({ proxy: { httpProxy: `http://p:proxy-pw@127.0.0.1:${proxy.port}` } });
    dispatchers.push(dispatcher);
    await roundTrip(
      new RemoteRepository({
        reference: `registry.test:${plain.port}/it/proxied`,
        client: new AuthClient({ dispatcher }),
        plainHttp: true,
      }),
    );
    expect(proxy.requests.length).toBeGreaterThan(3);
    expect(proxy.requests.every((r) => r.target.startsWith(`http://registry.test:${plain.port}/v2/`))).toBe(
      true,
    );
  });

  it('pushes and pulls with a password through a CONNECT tunnel (TLS)', async () => {
    proxy.requests.length = 0;
    const host = `registry.test:${tls.port}`;
    const dispatcher = createTransport({
      proxy: { httpsProxy: `http://p:proxy-pw@127.0.0.1:${proxy.port}` },
      // the run's certificate names 127.0.0.1 and localhost, not registry.test
      registryHosts: [host],
      insecure: true,
    });
    dispatchers.push(dispatcher);
    const [username, password] = Object.entries(tls.users!)[0]!;
    await roundTrip(
      new RemoteRepository({
        reference: `${host}/it/proxied`,
        client: new AuthClient({ dispatcher, credential: staticCredential(host, { username, password }) }),
        plainHttp: false,
      }),
    );
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(proxy.requests.every((r) => r.method === 'CONNECT' && r.target === host)).toBe(true);
  });
});
