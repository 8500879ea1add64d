import {
  type Descriptor,
  MediaType,
  MissingReferenceError,
  NotFoundError,
  SizeExceedsLimitError,
  UnsupportedError,
} from '@oras/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import { copy } from './copy.js';
import {
  fetchBytes,
  fetchReference,
  resolveCopyRoot,
  resolveReference,
  tag,
  tagBytes,
  tagBytesN,
  tagN,
} from './by-reference.js';
import type { ContentSource, FetchedReference, OperationOptions } from './interfaces.js';
import { MemoryStore } from './memory/index.js';
import type { TransferProgress } from './progress.js';
import { descriptorOf, pushBytes } from './stream.js';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const text = async (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

/** A memory store that also fetches and pushes by reference, as a registry does, and logs its calls. */
class ReferenceStore extends MemoryStore {
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  override async fetch(target: Descriptor, options?: OperationOptions): Promise<ReadableStream<Uint8Array>> {
    this.calls.push(`fetch ${target.digest}`);
    return super.fetch(target, options);
  }

  override async resolve(reference: string, options?: OperationOptions): Promise<Descriptor> {
    this.calls.push(`resolve ${reference}`);
    return super.resolve(reference, options);
  }

  async fetchReference(reference: string, options?: OperationOptions): Promise<FetchedReference> {
    this.calls.push(`fetchReference ${reference}`);
    const descriptor = await super.resolve(reference, options);
    return { descriptor, stream: await super.fetch(descriptor, options) };
  }

  async pushReference(
    expected: Descriptor,
    content: ContentSource,
    reference: string,
    options?: OperationOptions,
  ): Promise<void> {
    this.calls.push(`pushReference ${reference}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      if (!(await this.exists(expected))) await this.push(expected, content, options);
      else if (content instanceof ReadableStream) await content.cancel();
      await super.tag(expected, reference, options);
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * A reference store that hands out the content whole (`bytes`), as a registry does for a
 * manifest, and counts how often its stream is asked for; `lie` replaces the bytes it gives.
 */
class BytesReferenceStore extends ReferenceStore {
  streamsMade = 0;
  lie: Uint8Array | undefined;

  override async fetchReference(reference: string, options?: OperationOptions): Promise<FetchedReference> {
    this.calls.push(`fetchReference ${reference}`);
    // the memory store's own methods, so that only this call is logged
    const descriptor = await MemoryStore.prototype.resolve.call(this, reference, options);
    const content = await MemoryStore.prototype.fetch.call(this, descriptor);
    const bytes = this.lie ?? new Uint8Array(await new Response(content).arrayBuffer());
    const store = this;
    return {
      descriptor,
      bytes,
      get stream() {
        store.streamsMade++;
        return new Response(bytes).body as ReadableStream<Uint8Array>;
      },
    };
  }
}

/** An image index of two platforms, tagged `multi`, and its amd64 manifest tagged `amd64`. */
async function seedPlatforms(store: MemoryStore) {
  const manifestFor = async (architecture: string) => {
    const config = await pushBytes(store, MediaType.ImageConfig, json({ os: 'linux', architecture }));
    const layer = await pushBytes(
      store,
      MediaType.ImageLayer,
      new TextEncoder().encode(`layer ${architecture}`),
    );
    const bytes = json({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers: [layer] });
    const desc = await pushBytes(store, MediaType.ImageManifest, bytes);
    return { desc, bytes };
  };
  const amd64 = await manifestFor('amd64');
  const arm64 = await manifestFor('arm64');
  const index = await pushBytes(
    store,
    MediaType.ImageIndex,
    json({
      schemaVersion: 2,
      mediaType: MediaType.ImageIndex,
      manifests: [
        { ...amd64.desc, platform: { os: 'linux', architecture: 'amd64' } },
        { ...arm64.desc, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
    }),
  );
  await store.tag(index, 'multi');
  await store.tag(amd64.desc, 'amd64');
  return { index, amd64, arm64 };
}

describe('resolveReference', () => {
  it('resolves an index to the manifest of the target platform', async () => {
    const store = new MemoryStore();
    const { index, arm64 } = await seedPlatforms(store);
    expect(await resolveReference(store, 'multi')).toEqual(index);
    const found = await resolveReference(store, 'multi', {
      targetPlatform: { os: 'linux', architecture: 'arm64' },
    });
    expect(found.digest).toBe(arm64.desc.digest);
  });

  it('checks a manifest against the platform of its config', async () => {
    const store = new MemoryStore();
    const { amd64 } = await seedPlatforms(store);
    const linuxAmd64 = { os: 'linux', architecture: 'amd64' };
    expect((await resolveReference(store, 'amd64', { targetPlatform: linuxAmd64 })).digest).toBe(
      amd64.desc.digest,
    );
    await expect(
      resolveReference(store, 'amd64', { targetPlatform: { os: 'windows', architecture: 'amd64' } }),
    ).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
  });

  it('fails when no manifest matches, or the reference is not a manifest', async () => {
    const store = new MemoryStore();
    await seedPlatforms(store);
    await expect(
      resolveReference(store, 'multi', { targetPlatform: { os: 'linux', architecture: 's390x' } }),
    ).rejects.toThrow(/no manifest for platform linux\/s390x/);
    const blob = await pushBytes(store, 'text/plain', new TextEncoder().encode('plain'));
    await store.tag(blob, 'blob');
    const reference = new ReferenceStore();
    await reference.push(blob, new TextEncoder().encode('plain'));
    await reference.tag(blob, 'blob');
    for (const target of [store, reference]) {
      await expect(
        resolveReference(target, 'blob', { targetPlatform: { os: 'linux', architecture: 'amd64' } }),
      ).rejects.toSatisfy((e: unknown) => UnsupportedError.is(e));
    }
  });

  it('asks a target that fetches by reference once for the root, and never fetches it again', async () => {
    const store = new ReferenceStore();
    const { index, arm64 } = await seedPlatforms(store);
    store.calls.length = 0;
    await resolveReference(store, 'multi', { targetPlatform: { os: 'linux', architecture: 'arm64' } });
    expect(store.calls).toEqual(['fetchReference multi']);
    store.calls.length = 0;
    const { descriptor, stream } = await fetchReference(store, 'multi', {
      targetPlatform: { os: 'linux', architecture: 'arm64' },
    });
    expect(descriptor.digest).toBe(arm64.desc.digest);
    expect(await text(stream)).toBe(new TextDecoder().decode(arm64.bytes));
    expect(store.calls).toEqual(['fetchReference multi', `fetch ${arm64.desc.digest}`]);
    expect(store.calls).not.toContain(`fetch ${index.digest}`);
  });
});

describe('resolveCopyRoot', () => {
  it('asks a reference fetcher once, and its source serves the root from memory', async () => {
    const store = new ReferenceStore();
    const { amd64 } = await seedPlatforms(store);
    store.calls.length = 0;
    const { root, source } = await resolveCopyRoot(store, 'amd64');
    expect(root).toEqual(amd64.desc);
    expect(store.calls).toEqual(['fetchReference amd64']);
    expect(await text(await source.fetch(root))).toBe(new TextDecoder().decode(amd64.bytes));
    // the rest goes to the store: its other methods still work through the returned source
    const layer = JSON.parse(new TextDecoder().decode(amd64.bytes)).layers[0] as Descriptor;
    expect(await text(await source.fetch(layer))).toBe('layer amd64');
    expect(await source.exists(layer)).toBe(true);
    expect(store.calls).toEqual(['fetchReference amd64', `fetch ${layer.digest}`]);
  });

  it('resolves with a store that cannot fetch by reference, and does not keep a blob root', async () => {
    const plain = new MemoryStore();
    const { amd64 } = await seedPlatforms(plain);
    const resolved = await resolveCopyRoot(plain, 'amd64');
    expect(resolved).toEqual({ root: amd64.desc, source: plain });
    const store = new ReferenceStore();
    const blob = await pushBytes(store, 'text/plain', new TextEncoder().encode('plain'));
    await store.tag(blob, 'blob');
    store.calls.length = 0;
    const { root, source } = await resolveCopyRoot(store, 'blob');
    expect(root).toEqual(blob);
    expect(source).toBe(store);
  });

  it('refuses a root manifest over maxMetadataBytes', async () => {
    const store = new ReferenceStore();
    const { amd64 } = await seedPlatforms(store);
    await expect(
      resolveCopyRoot(store, 'amd64', { maxMetadataBytes: amd64.desc.size - 1 }),
    ).rejects.toSatisfy((e: unknown) => SizeExceedsLimitError.is(e));
  });

  it('takes the bytes a reference fetcher holds, without its stream, and checks them', async () => {
    const store = new BytesReferenceStore();
    const { index, amd64, arm64 } = await seedPlatforms(store);
    store.calls.length = 0;
    const { root, source } = await resolveCopyRoot(store, 'multi');
    expect(root).toEqual(index);
    expect(store.streamsMade).toBe(0);
    // copy of the whole graph: the root from those bytes, nothing fetched by reference again
    const dst = new MemoryStore();
    expect(await copy(store, 'multi', dst, 'copied')).toEqual(index);
    expect(store.streamsMade).toBe(0);
    for (const m of [amd64, arm64]) expect(await dst.exists(m.desc)).toBe(true);
    expect(store.calls.filter((c) => c.startsWith('fetchReference'))).toEqual([
      'fetchReference multi',
      'fetchReference multi',
    ]);
    expect(await text(await source.fetch(root))).toBe(await text(await store.fetch(index)));
    // bytes that are not the descriptor's are refused, as a stream of them would be
    store.lie = json({ schemaVersion: 2, manifests: [] });
    await expect(resolveCopyRoot(store, 'multi')).rejects.toThrow(
      /content (goes on past|ended after)|digest/,
    );
    // and the size limit holds before anything is read
    store.lie = undefined;
    await expect(resolveCopyRoot(store, 'multi', { maxMetadataBytes: index.size - 1 })).rejects.toSatisfy(
      (e: unknown) => SizeExceedsLimitError.is(e),
    );
    expect(store.streamsMade).toBe(0);
  });

  it('makes copy read the root manifest once from a reference fetcher', async () => {
    const store = new ReferenceStore();
    const { index, amd64, arm64 } = await seedPlatforms(store);
    store.calls.length = 0;
    const dst = new MemoryStore();
    expect(await copy(store, 'multi', dst, 'copied')).toEqual(index);
    expect(store.calls.filter((c) => c.includes('multi') || c.includes(index.digest))).toEqual([
      'fetchReference multi',
    ]);
    expect(store.calls).not.toContain('resolve multi');
    for (const m of [amd64, arm64]) expect(await dst.exists(m.desc)).toBe(true);
    expect(await dst.resolve('copied')).toEqual(index);
  });
});

describe('fetchReference', () => {
  it('returns the descriptor and the content, in one request from a reference fetcher', async () => {
    const store = new ReferenceStore();
    const { amd64 } = await seedPlatforms(store);
    store.calls.length = 0;
    const fetched = await fetchReference(store, 'amd64');
    expect(fetched.descriptor).toEqual(amd64.desc);
    expect(await text(fetched.stream)).toBe(new TextDecoder().decode(amd64.bytes));
    expect(store.calls).toEqual(['fetchReference amd64']);
  });

  it('reports the bytes as they are read', async () => {
    const store = new MemoryStore();
    const big = new Uint8Array(3 * 1024 * 1024 + 5).fill(7);
    const desc = await pushBytes(store, 'application/octet-stream', big);
    await store.tag(desc, 'big');
    const seen: TransferProgress[] = [];
    const { stream } = await fetchReference(store, 'big', { onProgress: (p) => seen.push(p) });
    expect(seen).toEqual([]);
    await new Response(stream).arrayBuffer();
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((p) => p.descriptor.digest === desc.digest && p.total === big.byteLength)).toBe(true);
    expect(seen.map((p) => p.bytes)).toEqual([...seen.map((p) => p.bytes)].sort((a, b) => a - b));
    expect(seen.at(-1)?.bytes).toBe(big.byteLength);
  });
});

describe('fetchBytes', () => {
  it('reads the content into memory, for a platform too', async () => {
    const store = new MemoryStore();
    const { amd64 } = await seedPlatforms(store);
    const { descriptor, bytes } = await fetchBytes(store, 'multi', {
      targetPlatform: { os: 'linux', architecture: 'amd64' },
    });
    expect(descriptor.digest).toBe(amd64.desc.digest);
    expect(bytes).toEqual(amd64.bytes);
  });

  it('takes the bytes a reference fetcher holds, and gives the caller its own copy', async () => {
    const store = new BytesReferenceStore();
    const { amd64 } = await seedPlatforms(store);
    const fetched = await fetchReference(store, 'amd64');
    expect(fetched.bytes).toBeDefined(); // passed through untouched without a progress handler
    expect(store.streamsMade).toBe(0);
    const { descriptor, bytes } = await fetchBytes(store, 'amd64');
    expect(descriptor).toEqual(amd64.desc);
    expect(new TextDecoder().decode(bytes)).toBe(new TextDecoder().decode(amd64.bytes));
    expect(store.streamsMade).toBe(0);
    bytes.fill(0);
    const again = await fetchBytes(store, 'amd64');
    expect(new TextDecoder().decode(again.bytes)).toBe(new TextDecoder().decode(amd64.bytes));
    await expect(fetchBytes(store, 'amd64', { maxBytes: amd64.desc.size - 1 })).rejects.toSatisfy(
      (e: unknown) => SizeExceedsLimitError.is(e),
    );
  });

  it('refuses content over maxBytes', async () => {
    const store = new MemoryStore();
    await seedPlatforms(store);
    await expect(fetchBytes(store, 'multi', { maxBytes: 10 })).rejects.toSatisfy((e: unknown) =>
      SizeExceedsLimitError.is(e),
    );
  });
});

describe('tag and tagN', () => {
  let plain: MemoryStore;
  let reference: ReferenceStore;
  beforeEach(async () => {
    plain = new MemoryStore();
    reference = new ReferenceStore();
    await seedPlatforms(plain);
    await seedPlatforms(reference);
    reference.calls.length = 0;
  });

  it('tags what a reference names with another tag', async () => {
    const index = await plain.resolve('multi');
    expect(await tag(plain, 'multi', 'latest')).toEqual(index);
    expect(await plain.resolve('latest')).toEqual(index);
  });

  it('fetches and pushes by reference when the target can (a registry)', async () => {
    const index = await tag(reference, 'multi', 'latest');
    expect(reference.calls).toEqual(['fetchReference multi', 'pushReference latest']);
    expect(await reference.resolve('latest')).toEqual(index);
  });

  it('sets many tags, at most `concurrency` at a time, fetching the manifest once', async () => {
    const tags = ['v1', 'v1.2', 'v1.2.3', 'stable', 'latest', 'prod'];
    const index = await tagN(reference, 'multi', tags, { concurrency: 2 });
    expect(reference.calls.filter((c) => c.startsWith('fetchReference'))).toEqual(['fetchReference multi']);
    expect(reference.calls.filter((c) => c.startsWith('pushReference'))).toHaveLength(tags.length);
    expect(reference.maxInFlight).toBe(2);
    for (const t of tags) expect(await reference.resolve(t)).toEqual(index);
    await tagN(plain, 'multi', tags);
    for (const t of tags) expect(await plain.resolve(t)).toEqual(index);
  });

  it('refuses an empty list of tags, and rejects when one tag fails', async () => {
    await expect(tagN(plain, 'multi', [])).rejects.toBeInstanceOf(MissingReferenceError);
    class Refusing extends MemoryStore {
      override async tag(target: Descriptor, reference: string, options?: OperationOptions): Promise<void> {
        if (reference === 'refused') throw new Error('tag refused');
        return super.tag(target, reference, options);
      }
    }
    const refusing = new Refusing();
    await seedPlatforms(refusing);
    await expect(tagN(refusing, 'multi', ['ok', 'refused'])).rejects.toThrow('tag refused');
    await expect(tagN(plain, 'missing', ['a', 'b'])).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
  });
});

describe('tagBytes and tagBytesN', () => {
  it('pushes bytes and tags them, once or many times', async () => {
    const bytes = new TextEncoder().encode('{"hello":"world"}');
    const expected = descriptorOf('application/vnd.example+json', bytes);
    for (const store of [new MemoryStore(), new ReferenceStore()]) {
      expect(await tagBytes(store, 'application/vnd.example+json', bytes, 'one')).toEqual(expected);
      expect(await tagBytesN(store, 'application/vnd.example+json', bytes, ['two', 'three'])).toEqual(
        expected,
      );
      for (const t of ['one', 'two', 'three']) expect(await store.resolve(t)).toEqual(expected);
    }
  });

  it('just pushes when given no tags, with the default media type when empty', async () => {
    const store = new MemoryStore();
    const desc = await tagBytesN(store, '', new Uint8Array([1, 2, 3]), []);
    expect(desc.mediaType).toBe('application/octet-stream');
    expect(await store.exists(desc)).toBe(true);
  });
});
