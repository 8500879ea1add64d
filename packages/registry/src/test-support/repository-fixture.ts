/**
 * What the tests of `src/repository/` share: the fake registry and a transport per test, a
 * `repo()` on it, and small helpers to make and read content.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import { PlainClient } from '../http.js';
import type { RemoteRepositoryOptions } from '../repository/options.js';
import { RemoteRepository } from '../repository/remote-repository.js';
import { createTransport } from '../transport.js';
import { type FakeRegistry, type FakeRegistryOptions, startFakeRegistry } from './fake-registry.js';

export const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const INDEX = 'application/vnd.oci.image.index.v1+json';
export const enc = new TextEncoder();

/** A predicate for `toSatisfy`: the error is of class `C` (by its brand). */
export const isA =
  (C: { is(value: unknown): boolean }) =>
  (e: unknown): boolean =>
    C.is(e);

export const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export const descOf = (mediaType: string, bytes: Uint8Array) => ({
  mediaType,
  digest: sha256(bytes),
  size: bytes.byteLength,
});

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(...p);
  return out;
}

export const config = enc.encode('{}');
export const configDesc = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: 2 };

/** An image manifest with the empty config, `layers`, and any other fields. */
export function manifestBytes(extra: Record<string, unknown> = {}, layers: unknown[] = []): Uint8Array {
  return enc.encode(
    JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: configDesc, layers, ...extra }),
  );
}

/** The fake registry of the current test (after `setup`) and the transport its repositories use. */
export interface RepositoryFixture {
  readonly registry: FakeRegistry;
  readonly dispatcher: ReturnType<typeof createTransport>;
  /** Starts the fake registry with these options (closing the one before, if any). */
  setup(options?: FakeRegistryOptions): Promise<void>;
  /** A repository `name` on the fake registry, over the test's transport. */
  repo(options?: Partial<RemoteRepositoryOptions>, name?: string): RemoteRepository;
}

/**
 * Registers the hooks of a test file: a fresh transport before each test (fast retries), and
 * the registry and transport closed after it. Call `setup()` in a test or a `beforeEach`.
 */
export function useRepositoryFixture(): RepositoryFixture {
  let registry: FakeRegistry | undefined;
  let dispatcher: ReturnType<typeof createTransport> | undefined;
  beforeEach(() => {
    dispatcher = createTransport({ retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  });
  afterEach(async () => {
    await registry?.close();
    registry = undefined;
    await dispatcher?.close();
  });
  const fixture: RepositoryFixture = {
    get registry() {
      if (!registry) throw new Error('the fake registry is not started: call setup() first');
      return registry;
    },
    get dispatcher() {
      if (!dispatcher) throw new Error('no transport outside a test');
      return dispatcher;
    },
    async setup(options = {}) {
      await registry?.close();
      registry = await startFakeRegistry(options);
    },
    repo(options = {}, name = 'test/repo') {
      return new RemoteRepository({
        reference: `${fixture.registry.host}/${name}`,
        client: new PlainClient({ dispatcher: fixture.dispatcher }),
        ...options,
      });
    },
  };
  return fixture;
}

/**
 * Makes the registry break its answer to the first `GET` of a blob without `Range` after
 * `breakAt` bytes of `data` (the connection is destroyed); every other request is served.
 */
export function breakFirstBlobGet(fx: RepositoryFixture, data: Uint8Array, breakAt: number): void {
  let broke = false;
  fx.registry.fault = (req, res) => {
    if (req.method === 'GET' && req.url?.includes('/blobs/sha256') && !req.headers.range && !broke) {
      broke = true;
      res.writeHead(200, { 'content-length': data.length });
      res.write(data.subarray(0, breakAt), () => res.socket?.destroy());
      return true;
    }
    return false;
  };
}

/**
 * Pushes a blob of `size` patterned bytes and makes the registry answer its GETs as a proxy that
 * ignores `Range` does (200 and the whole blob, whatever was asked), the first answer breaking
 * after `breakAt` bytes. Then runs `read` on a repository whose transport does not retry (so the
 * resume is the download's own), and returns the blob and the `Range` of each GET (`''`: none).
 */
export async function readThroughRangeIgnoringBreak<T>(
  fx: RepositoryFixture,
  size: number,
  breakAt: number,
  read: (repo: RemoteRepository, desc: ReturnType<typeof descOf>) => Promise<T>,
): Promise<{ data: Buffer; got: T; ranges: string[] }> {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = (i * 7) % 251;
  const desc = descOf('application/octet-stream', data);
  await fx.repo().push(desc, data);
  const ranges: string[] = [];
  fx.registry.fault = (req, res) => {
    if (req.method !== 'GET' || !req.url?.includes('/blobs/sha256')) return false;
    ranges.push(req.headers.range ?? '');
    res.writeHead(200, { 'content-length': data.length });
    if (ranges.length === 1) res.write(data.subarray(0, breakAt), () => res.socket?.destroy());
    else res.end(data);
    return true;
  };
  const noRetry = createTransport({ retry: false });
  try {
    const got = await read(fx.repo({ client: new PlainClient({ dispatcher: noRetry }) }), desc);
    return { data, got, ranges };
  } finally {
    await noRetry.close();
  }
}

/** Pushes a subject manifest and two referrers of it (a signature and an SBOM). */
export async function pushSubjectAndReferrers(r: RemoteRepository) {
  const subjectBytes = manifestBytes();
  const subject = descOf(MANIFEST, subjectBytes);
  await r.push(subject, subjectBytes);
  const sig = manifestBytes({ artifactType: 'application/x-sig', subject });
  const sbom = manifestBytes({ artifactType: 'application/x-sbom', subject });
  await r.push(descOf(MANIFEST, sig), sig);
  await r.push(descOf(MANIFEST, sbom), sbom);
  return { subject, sig: descOf(MANIFEST, sig), sbom: descOf(MANIFEST, sbom) };
}
