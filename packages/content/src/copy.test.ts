import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Descriptor,
  ErrorCode,
  MediaType,
  NotFoundError,
  OrasError,
  SizeExceedsLimitError,
  UnsupportedError,
  digestOf,
} from '@oras/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COPY_BUFFERED_BYTES,
  CopyError,
  DEFAULT_COPY_TRANSFER_ATTEMPTS,
  SKIP_NODE,
  copy,
  copyGraph,
  extendedCopy,
  extendedCopyGraph,
  filterAnnotation,
  filterArtifactType,
  findRoots,
} from './copy.js';
import {
  type BytesFetcher,
  type ContentSource,
  isBytesFetcher,
  type OperationOptions,
} from './interfaces.js';
import type { TransferProgress } from './progress.js';
import { MemoryStore } from './memory/index.js';
import { OciLayoutStore } from './oci/index.js';
import { descriptorOf, fetchAll, pushBytes } from './stream.js';
import { successorsOf } from './successors.js';

const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(JSON.stringify(value));

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'oras-copy-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface Image {
  config: Descriptor;
  layers: Descriptor[];
  manifest: Descriptor;
}

async function pushImage(
  store: MemoryStore,
  name: string,
  options: {
    layers?: string[];
    extra?: Record<string, unknown>;
    platform?: { os: string; architecture: string };
  } = {},
): Promise<Image> {
  const config = options.platform
    ? await pushBytes(store, MediaType.ImageConfig, json({ ...options.platform, name }))
    : await pushBytes(store, 'application/vnd.test.config', json({ name }));
  const layers: Descriptor[] = [];
  for (const layer of options.layers ?? [`${name} layer`]) {
    const desc = descriptorOf(MediaType.ImageLayer, encoder.encode(layer));
    if (!(await store.exists(desc))) await store.push(desc, encoder.encode(layer));
    layers.push(desc);
  }
  const manifest = await pushBytes(
    store,
    MediaType.ImageManifest,
    json({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers, ...options.extra }),
  );
  return { config, layers, manifest };
}

/** A memory store that records what is asked of it. */
class RecordingStore extends MemoryStore {
  readonly pushed: string[] = [];
  readonly fetched: string[] = [];
  readonly tagged: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  gate?: Promise<void>;

  override async push(
    expected: Descriptor,
    content: ContentSource,
    options?: OperationOptions,
  ): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.gate;
      await super.push(expected, content, options);
      this.pushed.push(expected.digest);
    } finally {
      this.inFlight--;
    }
  }
  override async fetch(target: Descriptor, options?: OperationOptions) {
    this.fetched.push(target.digest);
    return super.fetch(target, options);
  }
  override async tag(target: Descriptor, reference: string, options?: OperationOptions) {
    this.tagged.push(reference);
    return super.tag(target, reference, options);
  }
}

describe('copy', () => {
  it('copies an image by tag and tags it in the destination', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'app', { layers: ['a', 'b'] });
    await src.tag(image.manifest, 'v1');
    const dst = new MemoryStore();
    const root = await copy(src, 'v1', dst, 'copied');
    expect(root.digest).toBe(image.manifest.digest);
    expect((await dst.resolve('copied')).digest).toBe(image.manifest.digest);
    for (const d of [image.config, ...image.layers, image.manifest]) {
      expect(await fetchAll(dst, d)).toEqual(await fetchAll(src, d));
    }
  });

  it('reports the bytes of every node as they move, ending at each node’s size', async () => {
    const src = new MemoryStore();
    const big = 'x'.repeat(3 * 1024 * 1024 + 17);
    const image = await pushImage(src, 'progress', { layers: [big, 'small'] });
    await src.tag(image.manifest, 'v1');
    const seen: TransferProgress[] = [];
    await copy(src, 'v1', new MemoryStore(), 'v1', { onProgress: (p) => seen.push(p) });
    const last = new Map<string, TransferProgress>();
    for (const p of seen) {
      const before = last.get(p.descriptor.digest);
      if (before) expect(p.bytes).toBeGreaterThan(before.bytes);
      expect(p.total).toBe(p.descriptor.size);
      last.set(p.descriptor.digest, p);
    }
    const nodes = [image.config, ...image.layers, image.manifest];
    expect([...last.keys()].sort()).toEqual(nodes.map((d) => d.digest).sort());
    for (const d of nodes) expect(last.get(d.digest)?.bytes).toBe(d.size);
    // the large layer moved in several chunks, each reported
    expect(seen.filter((p) => p.descriptor.digest === image.layers[0]?.digest).length).toBeGreaterThan(1);
  });

  it('uses the source reference as destination tag when none is given', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'app');
    await src.tag(image.manifest, 'latest');
    const dst = new MemoryStore();
    await copy(src, 'latest', dst, '');
    expect((await dst.resolve('latest')).digest).toBe(image.manifest.digest);
  });

  it('copies into an OCI layout, which lists the manifest in index.json', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'to-oci');
    await src.tag(image.manifest, 'v1');
    const dst = await OciLayoutStore.open(join(scratch, 'copy-into'));
    await copy(src, 'v1', dst, 'v1');
    expect((await dst.resolve('v1')).digest).toBe(image.manifest.digest);
    expect(await dst.exists(image.layers[0]!)).toBe(true);
  });

  it('skips the subtree of a node the destination already has', async () => {
    const src = new RecordingStore();
    const image = await pushImage(src, 'app', { layers: ['a', 'b'] });
    await src.tag(image.manifest, 'v1');
    const dst = new MemoryStore();
    await copy(src, 'v1', dst, 'v1');
    src.fetched.length = 0;
    const skipped: string[] = [];
    await copy(src, 'v1', dst, 'again', { onCopySkipped: (d) => void skipped.push(d.digest) });
    expect(skipped).toEqual([image.manifest.digest]);
    expect(src.fetched).toEqual([]);
    expect((await dst.resolve('again')).digest).toBe(image.manifest.digest);
  });

  it('moves a node shared by several parents once', async () => {
    const src = new MemoryStore();
    const one = await pushImage(src, 'one', { layers: ['shared', 'one'] });
    const two = await pushImage(src, 'two', { layers: ['shared', 'two'] });
    const index = await pushBytes(
      src,
      MediaType.ImageIndex,
      json({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [one.manifest, two.manifest] }),
    );
    const dst = new RecordingStore();
    await copyGraph(src, dst, index);
    const shared = one.layers[0]!.digest;
    expect(dst.pushed.filter((d) => d === shared)).toHaveLength(1);
    // Leaves before the manifests that point at them, manifests before the index.
    expect(dst.pushed.indexOf(shared)).toBeLessThan(dst.pushed.indexOf(one.manifest.digest));
    expect(dst.pushed.at(-1)).toBe(index.digest);
  });

  it.each([
    ['large', 1024 * 1024, 1, 1],
    ['large', 1024 * 1024, 3, 3],
    ['large', 1024 * 1024, undefined, 3],
    ['small', 16, 1, 16],
    ['small', 16, 2, 32],
    ['small', 4096, undefined, 48],
  ])(
    'moves at most so many %s nodes at once (%i bytes, concurrency %s: %i)',
    async (_, size, concurrency, most) => {
      const src = new MemoryStore();
      const layers = Array.from({ length: most + 6 }, (_, n) => `${n}`.padEnd(size, '.'));
      const image = await pushImage(src, 'wide', { layers });
      const dst = new RecordingStore();
      let open!: () => void;
      dst.gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const watcher = setInterval(() => {
        if (dst.inFlight >= most) open();
      }, 1);
      try {
        await copyGraph(src, dst, image.manifest, { concurrency });
      } finally {
        clearInterval(watcher);
      }
      expect(dst.maxInFlight).toBe(most);
    },
  );

  it('fetches small blobs wider than large ones, and large ones at most `concurrency` at once', async () => {
    // A source that counts the blob fetches in flight (from the call until the stream is read to
    // its end or cancelled) and holds every fetch until the copy has started as many as it will.
    class CountingSource extends MemoryStore {
      readonly inFlight = { small: 0, large: 0 };
      readonly most = { small: 0, large: 0, all: 0 };
      readonly waiting: (() => void)[] = [];
      override async fetch(target: Descriptor, options?: OperationOptions) {
        if (target.mediaType !== 'application/octet-stream') return super.fetch(target, options);
        const kind = target.size < 1024 * 1024 ? 'small' : 'large';
        this.inFlight[kind]++;
        this.most[kind] = Math.max(this.most[kind], this.inFlight[kind]);
        this.most.all = Math.max(this.most.all, this.inFlight.small + this.inFlight.large);
        await new Promise<void>((go) => this.waiting.push(go));
        const reader = (await super.fetch(target, options)).getReader();
        let done = false;
        const finish = () => {
          if (!done) this.inFlight[kind]--;
          done = true;
        };
        return new ReadableStream<Uint8Array>({
          pull: async (controller) => {
            const next = await reader.read();
            if (next.done) {
              finish();
              controller.close();
            } else controller.enqueue(next.value);
          },
          cancel: async (reason) => {
            finish();
            await reader.cancel(reason);
          },
        });
      }
    }
    const src = new CountingSource();
    const config = await pushBytes(src, MediaType.ImageConfig, json({}));
    const blob = (n: number, size: number) =>
      pushBytes(src, 'application/octet-stream', encoder.encode(`${n}`.padEnd(size, '.')));
    const large = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => blob(n, 1024 * 1024)));
    const small = await Promise.all(Array.from({ length: 60 }, (_, n) => blob(100 + n, 4096)));
    const manifest = await pushBytes(
      src,
      MediaType.ImageManifest,
      json({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers: [...large, ...small] }),
    );
    // Releases the held fetches only once nothing else can start: then every slot is taken.
    let settled = -1;
    const release = setInterval(() => {
      const now = src.waiting.length;
      if (now > 0 && now === settled) for (const go of src.waiting.splice(0)) go();
      settled = now;
    }, 5);
    try {
      await copyGraph(src, new MemoryStore(), manifest);
    } finally {
      clearInterval(release);
    }
    expect(src.most.large).toBe(3);
    expect(src.most.small).toBe(48);
    expect(src.most.all).toBeLessThanOrEqual(48);
  });

  it('runs preCopy and postCopy, and skips nodes preCopy asks to skip', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'hooks', { layers: ['keep', 'skip me'] });
    const dst = new MemoryStore();
    const pre: string[] = [];
    const post: string[] = [];
    const skipped = image.layers[1]!;
    await copyGraph(src, dst, image.manifest, {
      preCopy: (d) => {
        pre.push(d.digest);
        return d.digest === skipped.digest ? SKIP_NODE : undefined;
      },
      postCopy: (d) => void post.push(d.digest),
    });
    expect(pre).toHaveLength(4);
    expect(post).not.toContain(skipped.digest);
    expect(post).toHaveLength(3);
    expect(await dst.exists(skipped)).toBe(false);
    expect(await dst.exists(image.layers[0]!)).toBe(true);
  });

  it('does not copy non-distributable (foreign) layers', async () => {
    const src = new MemoryStore();
    const config = await pushBytes(src, MediaType.ImageConfig, json({}));
    const foreign = descriptorOf(MediaType.DockerForeignLayer, encoder.encode('windows base'));
    const manifest = await pushBytes(
      src,
      MediaType.DockerManifest,
      json({ schemaVersion: 2, mediaType: MediaType.DockerManifest, config, layers: [foreign] }),
    );
    const dst = new MemoryStore();
    await copyGraph(src, dst, manifest);
    expect(await dst.exists(manifest)).toBe(true);
    expect(await dst.exists(foreign)).toBe(false);
  });

  it('blames the source when the source fails', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'broken');
    await src.delete(image.layers[0]!);
    const err = await copyGraph(src, new MemoryStore(), image.manifest).catch((e: unknown) => e);
    expect(CopyError.is(err)).toBe(true);
    expect(err).toMatchObject({ code: ErrorCode.Copy, origin: 'source', op: 'fetch' });
    expect(NotFoundError.is((err as CopyError).cause)).toBe(true);
    await expect(copy(src, 'missing-tag', new MemoryStore(), 'x')).rejects.toMatchObject({
      origin: 'source',
      op: 'resolve',
    });
  });

  it('blames the source when its content does not verify mid-stream', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'lying');
    const layer = image.layers[0]!;
    const lying = Object.assign(Object.create(src) as MemoryStore, {
      fetch: async (d: Descriptor, o?: OperationOptions) =>
        d.digest === layer.digest ? new Blob([encoder.encode('other bytes!')]).stream() : src.fetch(d, o),
    });
    await expect(copyGraph(lying, new MemoryStore(), image.manifest)).rejects.toMatchObject({
      origin: 'source',
    });
  });

  it('blames the destination when the destination fails', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'dst-fails');
    class Full extends MemoryStore {
      override async push(): Promise<void> {
        throw new Error('disk full');
      }
    }
    const err = await copyGraph(src, new Full(), image.manifest).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.Copy, origin: 'destination', op: 'push' });
    expect((err as Error).message).toMatch(/^destination: push sha256:[0-9a-f]{64}: .*: disk full$/);
  });

  it('sends a blob again, fetched afresh, when the destination fails in a way that may pass', async () => {
    const src = new MemoryStore();
    // over COPY_BUFFERED_BYTES: streamed from the source, so each attempt fetches it again
    const image = await pushImage(src, 'flaky-dst', { layers: ['x'.repeat(COPY_BUFFERED_BYTES + 1)] });
    let fetches = 0;
    const counting = Object.assign(Object.create(src) as MemoryStore, {
      fetch: async (d: Descriptor, o?: OperationOptions) => {
        if (d.digest === image.layers[0]!.digest) fetches++;
        return src.fetch(d, o);
      },
    });
    let failures = 0;
    class Flaky extends MemoryStore {
      override async push(d: Descriptor, content: ContentSource, o?: OperationOptions): Promise<void> {
        if (d.digest === image.layers[0]!.digest && failures < 2) {
          failures++;
          // reads a little, then the connection drops
          await (content as ReadableStream<Uint8Array>).getReader().read();
          if (failures === 1) {
            throw new OrasError('PUT http://dst/v2/x/blobs/uploads/1: other side closed', {
              code: ErrorCode.Network,
            });
          }
          // a new token was needed mid-upload and the stream cannot be sent twice
          throw new OrasError('the upload must be sent again', { code: ErrorCode.ResendRequired });
        }
        return super.push(d, content, o);
      }
    }
    const dst = new Flaky();
    await copyGraph(counting, dst, image.manifest);
    expect(failures).toBe(2);
    expect(fetches).toBe(3);
    expect(await dst.exists(image.layers[0]!)).toBe(true);
  });

  it('reads a small blob whole, once, and sends it again from memory when the destination fails', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'small-flaky-dst', { layers: ['x'.repeat(COPY_BUFFERED_BYTES)] });
    const layer = image.layers[0]!;
    let fetches = 0;
    const counting = Object.assign(Object.create(src) as MemoryStore, {
      fetch: async (d: Descriptor, o?: OperationOptions) => {
        if (d.digest === layer.digest) fetches++;
        return src.fetch(d, o);
      },
    });
    const received: ContentSource[] = [];
    class Flaky extends MemoryStore {
      override async push(d: Descriptor, content: ContentSource, o?: OperationOptions): Promise<void> {
        if (d.digest === layer.digest) {
          received.push(content);
          if (received.length < 3) throw new OrasError('other side closed', { code: ErrorCode.Network });
        }
        return super.push(d, content, o);
      }
    }
    const dst = new Flaky();
    const progress: number[] = [];
    await copyGraph(counting, dst, image.manifest, {
      onProgress: (p) => {
        if (p.descriptor.digest === layer.digest) progress.push(p.bytes);
      },
    });
    expect(fetches).toBe(1);
    expect(received).toHaveLength(3);
    for (const content of received) {
      expect(content).toBeInstanceOf(Uint8Array);
      expect((content as Uint8Array).byteLength).toBe(layer.size);
    }
    // each attempt moves the whole blob at once
    expect(progress).toEqual([layer.size, layer.size, layer.size]);
    expect(await fetchAll(dst, layer)).toEqual(await fetchAll(src, layer));
  });

  it('blames the source for a small blob that does not verify, before the destination sees it', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'small-lying');
    const layer = image.layers[0]!;
    const lying = Object.assign(Object.create(src) as MemoryStore, {
      fetch: async (d: Descriptor, o?: OperationOptions) =>
        d.digest === layer.digest ? new Blob([encoder.encode('other bytes!')]).stream() : src.fetch(d, o),
    });
    const pushed: string[] = [];
    class Recording extends MemoryStore {
      override async push(d: Descriptor, content: ContentSource, o?: OperationOptions): Promise<void> {
        pushed.push(d.digest);
        return super.push(d, content, o);
      }
    }
    await expect(copyGraph(lying, new Recording(), image.manifest)).rejects.toMatchObject({
      origin: 'source',
      op: 'fetch',
    });
    expect(pushed).not.toContain(layer.digest);
  });

  it('gives up after DEFAULT_COPY_TRANSFER_ATTEMPTS, and never retries a permanent failure', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'down-dst');
    let attempts = 0;
    const layer = image.layers[0]!;
    class Down extends MemoryStore {
      override async push(d: Descriptor, content: ContentSource, o?: OperationOptions): Promise<void> {
        if (d.digest !== layer.digest) return super.push(d, content, o);
        attempts++;
        throw Object.assign(new Error('503 Service Unavailable'), { statusCode: 503 });
      }
    }
    await expect(copyGraph(src, new Down(), image.manifest)).rejects.toMatchObject({ origin: 'destination' });
    expect(attempts).toBe(DEFAULT_COPY_TRANSFER_ATTEMPTS);
    attempts = 0;
    class Denied extends MemoryStore {
      override async push(d: Descriptor, content: ContentSource, o?: OperationOptions): Promise<void> {
        if (d.digest !== layer.digest) return super.push(d, content, o);
        attempts++;
        throw Object.assign(new Error('403 Forbidden'), { statusCode: 403 });
      }
    }
    await expect(copyGraph(src, new Denied(), image.manifest)).rejects.toMatchObject({
      origin: 'destination',
    });
    expect(attempts).toBe(1);
  });

  it('refuses manifests larger than maxMetadataBytes', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'big-manifest');
    const err = await copyGraph(src, new MemoryStore(), image.manifest, { maxMetadataBytes: 16 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ origin: 'source' });
    expect(SizeExceedsLimitError.is((err as CopyError).cause)).toBe(true);
  });

  it('stops when aborted', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'aborted');
    const controller = new AbortController();
    controller.abort();
    await expect(
      copyGraph(src, new MemoryStore(), image.manifest, { signal: controller.signal }),
    ).rejects.toThrow();
  });

  it('settles when aborted with thousands of blobs still queued behind held transfers', async () => {
    // Each queued blob, let in after the abort, fails at once and gives its share back: the
    // limiter must let the next one in from its own loop, not from inside that release (20,000
    // nested releases overflowed the stack, and the copy never settled).
    const src = new MemoryStore();
    const layers: Descriptor[] = [];
    for (let i = 0; i < 20_000; i++) {
      layers.push(await pushBytes(src, 'application/octet-stream', encoder.encode(`queued ${i}`)));
    }
    const config = await pushBytes(src, MediaType.ImageConfig, json({}));
    const manifest = await pushBytes(
      src,
      MediaType.ImageManifest,
      json({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers }),
    );
    const dst = new RecordingStore();
    let open!: () => void;
    dst.gate = new Promise<void>((go) => {
      open = go;
    });
    const controller = new AbortController();
    const copying = copyGraph(src, dst, manifest, { signal: controller.signal });
    copying.catch(() => undefined);
    for (let i = 0; i < 50 && dst.inFlight === 0; i++) await new Promise((go) => setImmediate(go));
    expect(dst.inFlight).toBeGreaterThan(0);
    controller.abort(new Error('stopped by the caller'));
    open();
    await expect(copying).rejects.toThrow('stopped by the caller');
    expect(dst.pushed.length).toBeLessThan(100);
  }, 30_000);

  it('uses a custom findSuccessors', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'custom', { layers: ['x', 'y'] });
    const dst = new MemoryStore();
    await copyGraph(src, dst, image.manifest, {
      findSuccessors: async (_fetcher, d) => (d.digest === image.manifest.digest ? [image.config] : []),
    });
    expect(await dst.exists(image.config)).toBe(true);
    expect(await dst.exists(image.layers[0]!)).toBe(false);
  });

  it('takes the answer of a findSuccessors that answers at once (an array, not a promise)', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'sync', { layers: ['p', 'q'] });
    const dst = new MemoryStore();
    const asked: string[] = [];
    await copyGraph(src, dst, image.manifest, {
      findSuccessors: (_fetcher, d) => {
        asked.push(d.digest);
        return d.digest === image.manifest.digest ? [image.config, image.layers[1]!] : [];
      },
    });
    expect(await dst.exists(image.manifest)).toBe(true);
    expect(await dst.exists(image.config)).toBe(true);
    expect(await dst.exists(image.layers[1]!)).toBe(true);
    expect(await dst.exists(image.layers[0]!)).toBe(false);
    expect(asked.sort()).toEqual(
      [image.manifest.digest, image.config.digest, image.layers[1]!.digest].sort(),
    );
  });

  it('copies an index of many manifests of small blobs at concurrency 1: never waits on itself, never more than 16 small at once', async () => {
    // Every manifest's successors are read through the limiter and every small blob holds a share
    // from its check to the end of its transfer: a copier that waited for a share while holding one
    // would hang here (20 manifests, 16 shares).
    const src = new RecordingStore();
    const manifests: Descriptor[] = [];
    for (let i = 0; i < 20; i++) {
      manifests.push((await pushImage(src, `m${i}`, { layers: [`m${i} a`, `m${i} b`, 'shared'] })).manifest);
    }
    const index = await pushBytes(
      src,
      MediaType.ImageIndex,
      json({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests }),
    );
    const dst = new RecordingStore();
    let open!: () => void;
    dst.gate = new Promise<void>((go) => {
      open = go;
    });
    const copying = copyGraph(src, dst, index, { concurrency: 1 });
    // let the copy start all it can while the destination holds every push
    for (let i = 0; i < 50; i++) await new Promise((go) => setImmediate(go));
    expect(dst.inFlight).toBeGreaterThan(0);
    expect(dst.inFlight).toBeLessThanOrEqual(16);
    open();
    await copying;
    expect(dst.maxInFlight).toBeLessThanOrEqual(16);
    // 20 manifests, 20 configs, 40 own layers, 1 shared layer, the index
    expect(new Set(dst.pushed).size).toBe(82);
  });

  it('gives findSuccessors a fetcher that reads a manifest whole, once, into a copy of its own', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'whole', { layers: ['x'] });
    const reads: string[] = [];
    const original = src.fetch.bind(src);
    src.fetch = async (d: Descriptor, o?: OperationOptions) => {
      reads.push(d.digest);
      return original(d, o);
    };
    const dst = new MemoryStore();
    await copyGraph(src, dst, image.manifest, {
      findSuccessors: async (fetcher, d) => {
        if (d.digest !== image.manifest.digest) return [];
        expect(isBytesFetcher(fetcher)).toBe(true);
        const bytes = await (fetcher as unknown as BytesFetcher).fetchBytes(d);
        const children = successorsOf(d, bytes);
        bytes.fill(0x20); // the caller's copy: what the copy pushes stays the manifest
        await expect(
          (fetcher as unknown as BytesFetcher).fetchBytes(d, { maxBytes: d.size - 1 }),
        ).rejects.toSatisfy((e: unknown) => SizeExceedsLimitError.is(e));
        return children;
      },
    });
    expect(reads.filter((r) => r === image.manifest.digest)).toHaveLength(1);
    expect(await fetchAll(dst, image.manifest)).toEqual(await fetchAll(src, image.manifest));
    expect(await dst.exists(image.layers[0]!)).toBe(true);
  });

  it('pushes the root by reference when the destination can', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'by-ref');
    await src.tag(image.manifest, 'v1');
    class Registryish extends RecordingStore {
      readonly byReference: string[] = [];
      async pushReference(expected: Descriptor, content: ContentSource, reference: string) {
        this.byReference.push(`${expected.digest}@${reference}`);
        await MemoryStore.prototype.push.call(this, expected, content);
        await MemoryStore.prototype.tag.call(this, expected, reference);
      }
    }
    const dst = new Registryish();
    const post: string[] = [];
    await copy(src, 'v1', dst, 'release', { postCopy: (d) => void post.push(d.digest) });
    expect(dst.byReference).toEqual([`${image.manifest.digest}@release`]);
    expect(dst.pushed).not.toContain(image.manifest.digest);
    expect(dst.tagged).toEqual([]);
    expect(post).toContain(image.manifest.digest);
    expect((await dst.resolve('release')).digest).toBe(image.manifest.digest);
    // Already there: only tagged.
    await copy(src, 'v1', dst, 'again');
    expect(dst.tagged).toEqual(['again']);
  });

  it('mounts blobs from another repository when the destination can', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'mounted', { layers: ['mount me'] });
    class Mountable extends RecordingStore {
      readonly mounts: string[] = [];
      async mount(
        desc: Descriptor,
        fromRepo: string,
        getContent?: () => Promise<ReadableStream<Uint8Array>>,
      ) {
        if (fromRepo === 'broken/repo') throw new Error('mount refused');
        this.mounts.push(`${desc.digest}<-${fromRepo}`);
        // a real mount: the registry has the bytes already, nothing is fetched from the source
        expect(getContent).toBeTypeOf('function');
        await MemoryStore.prototype.push.call(this, desc, await src.fetch(desc));
      }
    }
    const dst = new Mountable();
    const mounted: string[] = [];
    await copyGraph(src, dst, image.manifest, {
      mountFrom: () => ['broken/repo', 'library/base'],
      onMounted: (d, repo) => void mounted.push(`${d.digest}<-${repo}`),
    });
    const expected = new Set([
      `${image.config.digest}<-library/base`,
      `${image.layers[0]!.digest}<-library/base`,
    ]);
    expect(new Set(dst.mounts)).toEqual(expected);
    expect(new Set(mounted)).toEqual(expected);
    // Manifests are pushed, never mounted.
    expect(dst.pushed).toEqual([image.manifest.digest]);
  });

  it('reports a mounted blob with onMounted only, and a mount that uploaded as a copy', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'hooks', { layers: ['mounted layer'] });
    class HalfMounts extends RecordingStore {
      async mount(
        desc: Descriptor,
        _fromRepo: string,
        getContent?: () => Promise<ReadableStream<Uint8Array>>,
      ) {
        // the config is "mounted"; the layer's mount turns into an upload, as a registry's 202 does
        const bytes = desc.digest === image.config.digest ? undefined : await getContent!();
        await MemoryStore.prototype.push.call(this, desc, bytes ?? (await src.fetch(desc)));
      }
    }
    const events: string[] = [];
    const name = (d: Descriptor) =>
      d.digest === image.config.digest ? 'config' : d.digest === image.manifest.digest ? 'manifest' : 'layer';
    await copyGraph(src, new HalfMounts(), image.manifest, {
      concurrency: 1,
      mountFrom: () => ['library/base'],
      preCopy: (d) => void events.push(`pre ${name(d)}`),
      postCopy: (d) => void events.push(`post ${name(d)}`),
      onMounted: (d) => void events.push(`mounted ${name(d)}`),
    });
    expect(events.filter((e) => e.endsWith('config'))).toEqual(['mounted config']);
    expect(events.filter((e) => e.endsWith('layer'))).toEqual(['pre layer', 'post layer']);
    expect(events.filter((e) => e.endsWith('manifest'))).toEqual(['pre manifest', 'post manifest']);
  });

  it('falls back to a regular copy when no repository mounts', async () => {
    const src = new MemoryStore();
    const image = await pushImage(src, 'not-mounted');
    class NeverMounts extends RecordingStore {
      async mount(): Promise<void> {
        throw new Error('nope');
      }
    }
    const dst = new NeverMounts();
    await copyGraph(src, dst, image.manifest, { mountFrom: () => ['a/b'] });
    expect(new Set(dst.pushed)).toEqual(
      new Set([image.config.digest, image.layers[0]!.digest, image.manifest.digest]),
    );
  });

  describe('targetPlatform', () => {
    async function multiArch() {
      const src = new MemoryStore();
      const amd = await pushImage(src, 'amd', { platform: { os: 'linux', architecture: 'amd64' } });
      const arm = await pushImage(src, 'arm', { platform: { os: 'linux', architecture: 'arm64' } });
      const index = await pushBytes(
        src,
        MediaType.ImageIndex,
        json({
          schemaVersion: 2,
          mediaType: MediaType.ImageIndex,
          manifests: [
            { ...amd.manifest, platform: { os: 'linux', architecture: 'amd64' } },
            { ...arm.manifest, platform: { os: 'linux', architecture: 'arm64' } },
          ],
        }),
      );
      await src.tag(index, 'multi');
      await src.tag(arm.manifest, 'arm-only');
      return { src, amd, arm, index };
    }

    it('copies only the manifest of the platform asked for from an index', async () => {
      const { src, amd, arm, index } = await multiArch();
      const dst = new MemoryStore();
      const root = await copy(src, 'multi', dst, 'arm', {
        targetPlatform: { os: 'linux', architecture: 'arm64' },
      });
      expect(root.digest).toBe(arm.manifest.digest);
      expect((await dst.resolve('arm')).digest).toBe(arm.manifest.digest);
      expect(await dst.exists(index)).toBe(false);
      expect(await dst.exists(amd.manifest)).toBe(false);
    });

    it('checks the platform of a single manifest', async () => {
      const { src, arm } = await multiArch();
      const dst = new MemoryStore();
      await copy(src, 'arm-only', dst, 'ok', { targetPlatform: { os: 'linux', architecture: 'arm64' } });
      expect((await dst.resolve('ok')).digest).toBe(arm.manifest.digest);
      const err = await copy(src, 'arm-only', dst, 'no', {
        targetPlatform: { os: 'linux', architecture: 'amd64' },
      }).catch((e: unknown) => e);
      expect(NotFoundError.is((err as CopyError).cause)).toBe(true);
    });

    it('fails when the index has no such platform', async () => {
      const { src } = await multiArch();
      const err = await copy(src, 'multi', new MemoryStore(), 'x', {
        targetPlatform: { os: 'windows', architecture: 'amd64' },
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ origin: 'source' });
      expect(NotFoundError.is((err as CopyError).cause)).toBe(true);
    });

    it('refuses to select a platform of a blob', async () => {
      const src = new MemoryStore();
      const blob = await pushBytes(src, 'application/octet-stream', encoder.encode('x'));
      await src.tag(blob, 'blob');
      const err = await copy(src, 'blob', new MemoryStore(), 'x', {
        targetPlatform: { os: 'linux', architecture: 'amd64' },
      }).catch((e: unknown) => e);
      expect(UnsupportedError.is((err as CopyError).cause)).toBe(true);
    });
  });
});

describe('extendedCopy', () => {
  async function withReferrers() {
    const src = new MemoryStore();
    const image = await pushImage(src, 'subject');
    await src.tag(image.manifest, 'v1');
    const sig = await pushImage(src, 'sig', {
      extra: {
        artifactType: 'application/vnd.test.signature',
        subject: image.manifest,
        annotations: { team: 'sec' },
      },
    });
    const sbom = await pushImage(src, 'sbom', {
      extra: { artifactType: 'application/vnd.test.sbom', subject: image.manifest },
    });
    const sigOfSbom = await pushImage(src, 'sig-of-sbom', {
      extra: { artifactType: 'application/vnd.test.signature', subject: sbom.manifest },
    });
    return { src, image, sig, sbom, sigOfSbom };
  }

  it('copies a manifest with all its referrers, recursively', async () => {
    const { src, image, sig, sbom, sigOfSbom } = await withReferrers();
    const dst = new MemoryStore();
    const node = await extendedCopy(src, 'v1', dst, 'copied');
    expect(node.digest).toBe(image.manifest.digest);
    for (const m of [image, sig, sbom, sigOfSbom]) expect(await dst.exists(m.manifest)).toBe(true);
    expect((await dst.resolve('copied')).digest).toBe(image.manifest.digest);
    expect((await dst.predecessors(image.manifest)).map((d) => d.digest).sort()).toEqual(
      [sig.manifest.digest, sbom.manifest.digest].sort(),
    );
  });

  it('reports byte progress for every node it copies', async () => {
    const { src, image, sig, sbom, sigOfSbom } = await withReferrers();
    const done = new Map<string, number>();
    await extendedCopy(src, 'v1', new MemoryStore(), 'copied', {
      onProgress: (p) => done.set(p.descriptor.digest, p.bytes),
    });
    for (const m of [image, sig, sbom, sigOfSbom]) expect(done.get(m.manifest.digest)).toBe(m.manifest.size);
  });

  it('follows predecessors only to the depth asked for', async () => {
    const { src, image, sig, sbom, sigOfSbom } = await withReferrers();
    const roots = await findRoots(src, image.manifest, { depth: 1 });
    expect(roots.map((r) => r.digest).sort()).toEqual([sig.manifest.digest, sbom.manifest.digest].sort());
    const dst = new MemoryStore();
    await extendedCopyGraph(src, dst, image.manifest, { depth: 1 });
    expect(await dst.exists(sbom.manifest)).toBe(true);
    expect(await dst.exists(sigOfSbom.manifest)).toBe(false);
  });

  it('copies only referrers of a matching artifact type', async () => {
    const { src, image, sig, sbom } = await withReferrers();
    const dst = new MemoryStore();
    await extendedCopyGraph(src, dst, image.manifest, {
      findPredecessors: filterArtifactType(/signature$/),
    });
    expect(await dst.exists(sig.manifest)).toBe(true);
    expect(await dst.exists(sbom.manifest)).toBe(false);
    expect(await dst.exists(image.manifest)).toBe(true);
  });

  it('copies only referrers with a matching annotation', async () => {
    const { src, image, sig, sbom } = await withReferrers();
    const dst = new MemoryStore();
    await extendedCopyGraph(src, dst, image.manifest, {
      findPredecessors: filterAnnotation('team', /^sec$/),
    });
    expect(await dst.exists(sig.manifest)).toBe(true);
    expect(await dst.exists(sbom.manifest)).toBe(false);
  });

  it('fetches the artifact type when a predecessor descriptor lacks it', async () => {
    const { src, image, sig } = await withReferrers();
    const bare = async (s: MemoryStore, d: Descriptor) =>
      (await s.predecessors(d)).map((p) => ({ mediaType: p.mediaType, digest: p.digest, size: p.size }));
    const dst = new MemoryStore();
    await extendedCopyGraph(src, dst, image.manifest, {
      findPredecessors: filterArtifactType(/signature/, (s, d) => bare(s as MemoryStore, d)),
    });
    expect(await dst.exists(sig.manifest)).toBe(true);
    expect(digestOf(await fetchAll(dst, sig.manifest))).toBe(sig.manifest.digest);
  });
  it('copies a referrers graph with a cycle (a lying source) and stops', async () => {
    const { src, image, sig } = await withReferrers();
    // The source claims the image refers to its signature too: no node is without predecessors.
    const lying = async (_s: unknown, d: Descriptor) =>
      d.digest === image.manifest.digest
        ? [sig.manifest]
        : d.digest === sig.manifest.digest
          ? [image.manifest]
          : [];
    const roots = await findRoots(src, image.manifest, { findPredecessors: lying });
    expect(roots.map((r) => r.digest).sort()).toEqual([image.manifest.digest, sig.manifest.digest].sort());
    const dst = new MemoryStore();
    const node = await extendedCopy(src, 'v1', dst, 'copied', { findPredecessors: lying });
    expect(node.digest).toBe(image.manifest.digest);
    expect(await dst.exists(image.manifest)).toBe(true);
    expect(await dst.exists(sig.manifest)).toBe(true);
    expect((await dst.resolve('copied')).digest).toBe(image.manifest.digest);
  });

  it('finds the same roots as before for a graph without a cycle, shared nodes included', async () => {
    const { src, image, sig, sbom, sigOfSbom } = await withReferrers();
    const roots = await findRoots(src, image.manifest);
    expect(roots.map((r) => r.digest).sort()).toEqual(
      [sig.manifest.digest, sigOfSbom.manifest.digest].sort(),
    );
    expect(roots.map((r) => r.digest)).not.toContain(sbom.manifest.digest);
  });
});
