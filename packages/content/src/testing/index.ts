/**
 * `@oras/content/testing`: the behaviour every store must show, as a vitest suite. Memory, OCI
 * layout, file and remote stores all run it, so "a store" means the same thing everywhere.
 * Requires `vitest` (an optional peer dependency) and must be called from a test file.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import {
  AlreadyExistsError,
  type Descriptor,
  MediaType,
  MismatchedDigestError,
  MismatchedSizeError,
  NotFoundError,
  TrailingDataError,
  digestOf,
} from '@oras/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { type Target, isDeleter, isPredecessorFinder, isTagLister, isUntagger } from '../interfaces.js';
import { descriptorOf, toReadableStream } from '../stream.js';

/** Options of {@link runStoreBehaviourSuite}. */
export interface StoreBehaviourOptions<T extends Target = Target> {
  /** Called after each test with the store it made (close it, remove its folder, ...). */
  readonly cleanup?: ((store: T) => Promise<void> | void) | undefined;
  /** Whether the store resolves the digest of a stored manifest as a reference. Default true. */
  readonly resolvesDigests?: boolean | undefined;
  /** Whether the store rejects a duplicate push with `AlreadyExistsError` (`'reject'`), accepts it (`'accept'`), or may do either (default). */
  readonly duplicatePush?: 'reject' | 'accept' | 'either' | undefined;
  /** Whether to check that a failed push leaves nothing behind. Default true. */
  readonly checksFailedPushLeavesNothing?: boolean | undefined;
}

/** What a test of the suite needs: bytes and their descriptor. */
interface Blob {
  readonly desc: Descriptor;
  readonly bytes: Uint8Array;
}

function uniqueBlob(size = 64, mediaType = 'application/vnd.oras.test.blob'): Blob {
  const bytes = new Uint8Array(randomBytes(size));
  return { desc: descriptorOf(mediaType, bytes), bytes };
}

function manifestOf(config: Descriptor, layers: Descriptor[], extra: Record<string, unknown> = {}): Blob {
  const bytes = new TextEncoder().encode(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers, ...extra }),
  );
  return { desc: descriptorOf(MediaType.ImageManifest, bytes), bytes };
}

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function code(error: { readonly code: string }): { code: string } {
  return { code: error.code };
}

/**
 * Registers a `describe` block that checks `makeStore()`'s stores against the content contract:
 * push, fetch and exists with verification; failed pushes that store nothing; tags and
 * resolution; and, when the store has them, predecessors, delete, untag and tag listing.
 * Each test gets a fresh store from `makeStore`.
 */
export function runStoreBehaviourSuite<T extends Target>(
  name: string,
  makeStore: () => T | Promise<T>,
  options: StoreBehaviourOptions<T> = {},
): void {
  describe(`store behaviour: ${name}`, () => {
    const made: T[] = [];
    const fresh = async (): Promise<T> => {
      const store = await makeStore();
      made.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of made.splice(0)) await options.cleanup?.(store);
    });

    async function pushImage(store: T, extra: Record<string, unknown> = {}) {
      const config = uniqueBlob(32, 'application/vnd.oras.test.config');
      const layer = uniqueBlob(128);
      await store.push(config.desc, config.bytes);
      await store.push(layer.desc, layer.bytes);
      const manifest = manifestOf(config.desc, [layer.desc], extra);
      await store.push(manifest.desc, manifest.bytes);
      return { config, layer, manifest };
    }

    it('fetches what was pushed, byte for byte', async () => {
      const store = await fresh();
      const blob = uniqueBlob();
      await store.push(blob.desc, blob.bytes);
      expect(await readStream(await store.fetch(blob.desc))).toEqual(blob.bytes);
    });

    it('accepts web streams and async iterables as content', async () => {
      const store = await fresh();
      const a = uniqueBlob();
      const b = uniqueBlob();
      await store.push(a.desc, toReadableStream(a.bytes));
      async function* chunks() {
        yield b.bytes.subarray(0, 10);
        yield b.bytes.subarray(10);
      }
      await store.push(b.desc, chunks());
      expect(await readStream(await store.fetch(a.desc))).toEqual(a.bytes);
      expect(await readStream(await store.fetch(b.desc))).toEqual(b.bytes);
    });

    it('moves content larger than one chunk', async () => {
      const store = await fresh();
      const blob = uniqueBlob(3 * 1024 * 1024 + 17);
      await store.push(blob.desc, blob.bytes);
      const back = await readStream(await store.fetch(blob.desc));
      expect(back.byteLength).toBe(blob.bytes.byteLength);
      expect(digestOf(back)).toBe(blob.desc.digest);
    });

    it('pushes the empty blob', async () => {
      const store = await fresh();
      const empty = new Uint8Array(0);
      const desc = descriptorOf('application/vnd.oras.test.blob', empty);
      await store.push(desc, empty);
      expect(await store.exists(desc)).toBe(true);
      expect((await readStream(await store.fetch(desc))).byteLength).toBe(0);
    });

    it('says whether content exists', async () => {
      const store = await fresh();
      const blob = uniqueBlob();
      expect(await store.exists(blob.desc)).toBe(false);
      await store.push(blob.desc, blob.bytes);
      expect(await store.exists(blob.desc)).toBe(true);
    });

    it('rejects a fetch of missing content with NotFoundError', async () => {
      const store = await fresh();
      await expect(store.fetch(uniqueBlob().desc)).rejects.toMatchObject(code(NotFoundError));
    });

    it('refuses content with the wrong digest and stores nothing', async () => {
      const store = await fresh();
      const blob = uniqueBlob();
      const other = new Uint8Array(blob.bytes);
      other[0] = (other[0] ?? 0) ^ 0xff;
      await expect(store.push(blob.desc, other)).rejects.toMatchObject(code(MismatchedDigestError));
      if (options.checksFailedPushLeavesNothing !== false) expect(await store.exists(blob.desc)).toBe(false);
    });

    it('refuses content shorter than its descriptor says and stores nothing', async () => {
      const store = await fresh();
      const blob = uniqueBlob();
      await expect(store.push(blob.desc, blob.bytes.subarray(0, 10))).rejects.toMatchObject(
        code(MismatchedSizeError),
      );
      if (options.checksFailedPushLeavesNothing !== false) expect(await store.exists(blob.desc)).toBe(false);
    });

    it('refuses content longer than its descriptor says and stores nothing', async () => {
      const store = await fresh();
      const blob = uniqueBlob();
      const longer = new Uint8Array(blob.bytes.byteLength + 1);
      longer.set(blob.bytes);
      await expect(store.push(blob.desc, longer)).rejects.toMatchObject(code(TrailingDataError));
      if (options.checksFailedPushLeavesNothing !== false) expect(await store.exists(blob.desc)).toBe(false);
    });

    it('handles a duplicate push as documented', async () => {
      const store = await fresh();
      const blob = uniqueBlob();
      await store.push(blob.desc, blob.bytes);
      const second = store.push(blob.desc, blob.bytes).then(
        () => 'accepted',
        (err: unknown) => {
          if (AlreadyExistsError.is(err)) return 'rejected';
          throw err;
        },
      );
      const outcome = await second;
      if (options.duplicatePush === 'reject') expect(outcome).toBe('rejected');
      if (options.duplicatePush === 'accept') expect(outcome).toBe('accepted');
      expect(await readStream(await store.fetch(blob.desc))).toEqual(blob.bytes);
    });

    it('pushes independent blobs concurrently', async () => {
      const store = await fresh();
      const blobs = Array.from({ length: 8 }, () => uniqueBlob(1024));
      await Promise.all(blobs.map((b) => store.push(b.desc, b.bytes)));
      for (const b of blobs) expect(await store.exists(b.desc)).toBe(true);
    });

    it('releases a fetched stream that is cancelled half way', async () => {
      const store = await fresh();
      const blob = uniqueBlob(2 * 1024 * 1024);
      await store.push(blob.desc, blob.bytes);
      const reader = (await store.fetch(blob.desc)).getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      await reader.cancel();
      expect(digestOf(await readStream(await store.fetch(blob.desc)))).toBe(blob.desc.digest);
    });

    it('tags a manifest and resolves the tag', async () => {
      const store = await fresh();
      const { manifest } = await pushImage(store);
      await store.tag(manifest.desc, 'v1');
      const resolved = await store.resolve('v1');
      expect({ mediaType: resolved.mediaType, digest: resolved.digest, size: resolved.size }).toEqual(
        manifest.desc,
      );
    });

    it('moves a tag to another manifest', async () => {
      const store = await fresh();
      const first = await pushImage(store);
      const second = await pushImage(store);
      await store.tag(first.manifest.desc, 'latest');
      await store.tag(second.manifest.desc, 'latest');
      expect((await store.resolve('latest')).digest).toBe(second.manifest.desc.digest);
    });

    it('rejects resolving an unknown tag with NotFoundError', async () => {
      const store = await fresh();
      await expect(store.resolve('no-such-tag')).rejects.toMatchObject(code(NotFoundError));
    });

    it('rejects tagging content it does not have with NotFoundError', async () => {
      const store = await fresh();
      const missing = manifestOf(uniqueBlob().desc, []);
      await expect(store.tag(missing.desc, 'dangling')).rejects.toMatchObject(code(NotFoundError));
    });

    if (options.resolvesDigests !== false) {
      it('resolves the digest of a stored manifest', async () => {
        const store = await fresh();
        const { manifest } = await pushImage(store);
        expect((await store.resolve(manifest.desc.digest)).digest).toBe(manifest.desc.digest);
      });
    }

    it('finds predecessors of configs, layers and subjects when it can', async (ctx) => {
      const store = await fresh();
      if (!isPredecessorFinder(store)) return ctx.skip();
      const image = await pushImage(store);
      const referrer = await pushImage(store, {
        artifactType: 'application/vnd.oras.test.signature',
        subject: image.manifest.desc,
        annotations: { 'org.example.kind': 'sig' },
      });
      const ofLayer = await store.predecessors(image.layer.desc);
      expect(ofLayer.map((d) => d.digest)).toEqual([image.manifest.desc.digest]);
      const ofSubject = await store.predecessors(image.manifest.desc);
      expect(ofSubject.map((d) => d.digest)).toEqual([referrer.manifest.desc.digest]);
      expect(ofSubject[0]?.artifactType).toBe('application/vnd.oras.test.signature');
      expect(await store.predecessors(uniqueBlob().desc)).toEqual([]);
    });

    it('deletes content when it can', async (ctx) => {
      const store = await fresh();
      if (!isDeleter(store)) return ctx.skip();
      const { manifest } = await pushImage(store);
      await store.tag(manifest.desc, 'gone');
      await store.delete(manifest.desc);
      expect(await store.exists(manifest.desc)).toBe(false);
      await expect(store.fetch(manifest.desc)).rejects.toMatchObject(code(NotFoundError));
      await expect(store.resolve('gone')).rejects.toMatchObject(code(NotFoundError));
      await expect(store.delete(manifest.desc)).rejects.toMatchObject(code(NotFoundError));
    });

    it('untags without deleting content when it can', async (ctx) => {
      const store = await fresh();
      if (!isUntagger(store)) return ctx.skip();
      const { manifest } = await pushImage(store);
      await store.tag(manifest.desc, 'a');
      await store.tag(manifest.desc, 'b');
      await store.untag('a');
      await expect(store.resolve('a')).rejects.toMatchObject(code(NotFoundError));
      expect((await store.resolve('b')).digest).toBe(manifest.desc.digest);
      expect(await store.exists(manifest.desc)).toBe(true);
      await expect(store.untag('a')).rejects.toMatchObject(code(NotFoundError));
    });

    it('lists tags in lexical order, after a given tag, when it can', async (ctx) => {
      const store = await fresh();
      if (!isTagLister(store)) return ctx.skip();
      const { manifest } = await pushImage(store);
      for (const tag of ['v2', 'v10', 'latest', 'v1']) await store.tag(manifest.desc, tag);
      const all: string[] = [];
      for await (const page of store.tags()) all.push(...page);
      expect(all).toEqual(['latest', 'v1', 'v10', 'v2']);
      const after: string[] = [];
      for await (const page of store.tags({ last: 'v1' })) after.push(...page);
      expect(after).toEqual(['v10', 'v2']);
    });
  });
}
