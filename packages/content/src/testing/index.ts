/**
 * `@oras/content/testing`: the behaviour every store must show, as a list of named async cases.
 * Memory, OCI layout, file and remote stores all pass them, so "a store" means the same thing
 * everywhere.
 *
 * Why a list and not a suite: the cases import no test framework (they assert with
 * `node:assert`), so any runner can register them (vitest's `it`, `node:test`'s `test`, mocha, a
 * loop) and installing this package never pulls in, or conflicts with, the runner of its user.
 * @packageDocumentation
 */
import { strict as assert } from 'node:assert';
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
import { type Target, isDeleter, isPredecessorFinder, isTagLister, isUntagger } from '../interfaces.js';
import { descriptorOf, toReadableStream } from '../stream.js';

/** Options of {@link storeBehaviourCases}. */
export interface StoreBehaviourOptions<T extends Target = Target> {
  /** Called after each case with the store it made (close it, remove its folder, ...). */
  readonly cleanup?: ((store: T) => Promise<void> | void) | undefined;
  /** Whether the store resolves the digest of a stored manifest as a reference. Default true. */
  readonly resolvesDigests?: boolean | undefined;
  /** Whether the store rejects a duplicate push with `AlreadyExistsError` (`'reject'`), accepts it (`'accept'`), or may do either (default). */
  readonly duplicatePush?: 'reject' | 'accept' | 'either' | undefined;
  /** Whether to check that a failed push leaves nothing behind. Default true. */
  readonly checksFailedPushLeavesNothing?: boolean | undefined;
}

/** What a case resolves to when the store lacks the capability it checks. */
export interface StoreCaseSkip {
  /** Why the case did not apply, for the runner's report. */
  readonly skipped: string;
}

/** One case of the store contract, to register with any test runner. */
export interface StoreBehaviourCase {
  /** What the case checks, as a sentence ("fetches what was pushed, byte for byte"). */
  readonly name: string;
  /**
   * Runs the case on a fresh store (made and cleaned up by the case itself). Resolves to
   * `undefined` when the store passed, or to a {@link StoreCaseSkip} when the case does not apply
   * to it (a runner should report it skipped); rejects (an `AssertionError` or the store's own
   * error) when the store failed.
   */
  readonly run: () => Promise<StoreCaseSkip | undefined>;
}

/** What a case needs: bytes and their descriptor. */
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

/** Asserts that `promise` rejects with an error carrying the stable code of `error`. */
async function rejectsWith(promise: Promise<unknown>, error: { readonly code: string }): Promise<void> {
  await assert.rejects(promise, { code: error.code });
}

async function pushImage(store: Target, extra: Record<string, unknown> = {}) {
  const config = uniqueBlob(32, 'application/vnd.oras.test.config');
  const layer = uniqueBlob(128);
  await store.push(config.desc, config.bytes);
  await store.push(layer.desc, layer.bytes);
  const manifest = manifestOf(config.desc, [layer.desc], extra);
  await store.push(manifest.desc, manifest.bytes);
  return { config, layer, manifest };
}

/**
 * The cases that check `makeStore()`'s stores against the content contract: push, fetch and
 * exists with verification; failed pushes that store nothing; tags and resolution; and, when the
 * store has them, predecessors, delete, untag and tag listing. Each case makes its own store with
 * `makeStore` when it runs (not before), so a factory may depend on a server started later.
 *
 * @example With vitest:
 * ```ts
 * describe('store behaviour: MyStore', () => {
 *   for (const c of storeBehaviourCases(() => new MyStore())) {
 *     it(c.name, async (ctx) => {
 *       const outcome = await c.run();
 *       if (outcome) ctx.skip(outcome.skipped);
 *     });
 *   }
 * });
 * ```
 */
export function storeBehaviourCases<T extends Target>(
  makeStore: () => T | Promise<T>,
  options: StoreBehaviourOptions<T> = {},
): StoreBehaviourCase[] {
  const leavesNothing = options.checksFailedPushLeavesNothing !== false;

  /** A case that runs `check` on a fresh store, then cleans the store up, whatever happened. */
  const onStore = (
    name: string,
    check: (store: T) => Promise<StoreCaseSkip | undefined> | Promise<void>,
  ): StoreBehaviourCase => ({
    name,
    run: async () => {
      const store = await makeStore();
      try {
        return (await check(store)) ?? undefined;
      } finally {
        await options.cleanup?.(store);
      }
    },
  });
  const skip = (skipped: string): StoreCaseSkip => ({ skipped });

  const cases: StoreBehaviourCase[] = [
    onStore('fetches what was pushed, byte for byte', async (store) => {
      const blob = uniqueBlob();
      await store.push(blob.desc, blob.bytes);
      assert.deepEqual(await readStream(await store.fetch(blob.desc)), blob.bytes);
    }),

    onStore('accepts web streams and async iterables as content', async (store) => {
      const a = uniqueBlob();
      const b = uniqueBlob();
      await store.push(a.desc, toReadableStream(a.bytes));
      async function* chunks() {
        yield b.bytes.subarray(0, 10);
        yield b.bytes.subarray(10);
      }
      await store.push(b.desc, chunks());
      assert.deepEqual(await readStream(await store.fetch(a.desc)), a.bytes);
      assert.deepEqual(await readStream(await store.fetch(b.desc)), b.bytes);
    }),

    onStore('moves content larger than one chunk', async (store) => {
      const blob = uniqueBlob(3 * 1024 * 1024 + 17);
      await store.push(blob.desc, blob.bytes);
      const back = await readStream(await store.fetch(blob.desc));
      assert.equal(back.byteLength, blob.bytes.byteLength);
      assert.equal(digestOf(back), blob.desc.digest);
    }),

    onStore('pushes the empty blob', async (store) => {
      const empty = new Uint8Array(0);
      const desc = descriptorOf('application/vnd.oras.test.blob', empty);
      await store.push(desc, empty);
      assert.equal(await store.exists(desc), true);
      assert.equal((await readStream(await store.fetch(desc))).byteLength, 0);
    }),

    onStore('says whether content exists', async (store) => {
      const blob = uniqueBlob();
      assert.equal(await store.exists(blob.desc), false);
      await store.push(blob.desc, blob.bytes);
      assert.equal(await store.exists(blob.desc), true);
    }),

    onStore('rejects a fetch of missing content with NotFoundError', async (store) => {
      await rejectsWith(store.fetch(uniqueBlob().desc), NotFoundError);
    }),

    onStore('refuses content with the wrong digest and stores nothing', async (store) => {
      const blob = uniqueBlob();
      const other = new Uint8Array(blob.bytes);
      other[0] = (other[0] ?? 0) ^ 0xff;
      await rejectsWith(store.push(blob.desc, other), MismatchedDigestError);
      if (leavesNothing) assert.equal(await store.exists(blob.desc), false);
    }),

    onStore('refuses content shorter than its descriptor says and stores nothing', async (store) => {
      const blob = uniqueBlob();
      await rejectsWith(store.push(blob.desc, blob.bytes.subarray(0, 10)), MismatchedSizeError);
      if (leavesNothing) assert.equal(await store.exists(blob.desc), false);
    }),

    onStore('refuses content longer than its descriptor says and stores nothing', async (store) => {
      const blob = uniqueBlob();
      const longer = new Uint8Array(blob.bytes.byteLength + 1);
      longer.set(blob.bytes);
      await rejectsWith(store.push(blob.desc, longer), TrailingDataError);
      if (leavesNothing) assert.equal(await store.exists(blob.desc), false);
    }),

    onStore('handles a duplicate push as documented', async (store) => {
      const blob = uniqueBlob();
      await store.push(blob.desc, blob.bytes);
      const outcome = await store.push(blob.desc, blob.bytes).then(
        () => 'accepted',
        (err: unknown) => {
          if (AlreadyExistsError.is(err)) return 'rejected';
          throw err;
        },
      );
      if (options.duplicatePush === 'reject') assert.equal(outcome, 'rejected');
      if (options.duplicatePush === 'accept') assert.equal(outcome, 'accepted');
      assert.deepEqual(await readStream(await store.fetch(blob.desc)), blob.bytes);
    }),

    onStore('pushes independent blobs concurrently', async (store) => {
      const blobs = Array.from({ length: 8 }, () => uniqueBlob(1024));
      await Promise.all(blobs.map((b) => store.push(b.desc, b.bytes)));
      for (const b of blobs) assert.equal(await store.exists(b.desc), true);
    }),

    onStore('releases a fetched stream that is cancelled half way', async (store) => {
      const blob = uniqueBlob(2 * 1024 * 1024);
      await store.push(blob.desc, blob.bytes);
      const reader = (await store.fetch(blob.desc)).getReader();
      const first = await reader.read();
      assert.equal(first.done, false);
      await reader.cancel();
      assert.equal(digestOf(await readStream(await store.fetch(blob.desc))), blob.desc.digest);
    }),

    onStore('tags a manifest and resolves the tag', async (store) => {
      const { manifest } = await pushImage(store);
      await store.tag(manifest.desc, 'v1');
      const resolved = await store.resolve('v1');
      assert.deepEqual(
        { mediaType: resolved.mediaType, digest: resolved.digest, size: resolved.size },
        manifest.desc,
      );
    }),

    onStore('moves a tag to another manifest', async (store) => {
      const first = await pushImage(store);
      const second = await pushImage(store);
      await store.tag(first.manifest.desc, 'latest');
      await store.tag(second.manifest.desc, 'latest');
      assert.equal((await store.resolve('latest')).digest, second.manifest.desc.digest);
    }),

    onStore('rejects resolving an unknown tag with NotFoundError', async (store) => {
      await rejectsWith(store.resolve('no-such-tag'), NotFoundError);
    }),

    onStore('rejects tagging content it does not have with NotFoundError', async (store) => {
      const missing = manifestOf(uniqueBlob().desc, []);
      await rejectsWith(store.tag(missing.desc, 'dangling'), NotFoundError);
    }),
  ];

  if (options.resolvesDigests !== false) {
    cases.push(
      onStore('resolves the digest of a stored manifest', async (store) => {
        const { manifest } = await pushImage(store);
        assert.equal((await store.resolve(manifest.desc.digest)).digest, manifest.desc.digest);
      }),
    );
  }

  cases.push(
    onStore('finds predecessors of configs, layers and subjects when it can', async (store) => {
      if (!isPredecessorFinder(store)) return skip('the store finds no predecessors');
      const image = await pushImage(store);
      const referrer = await pushImage(store, {
        artifactType: 'application/vnd.oras.test.signature',
        subject: image.manifest.desc,
        annotations: { 'org.example.kind': 'sig' },
      });
      const ofLayer = await store.predecessors(image.layer.desc);
      assert.deepEqual(
        ofLayer.map((d) => d.digest),
        [image.manifest.desc.digest],
      );
      const ofSubject = await store.predecessors(image.manifest.desc);
      assert.deepEqual(
        ofSubject.map((d) => d.digest),
        [referrer.manifest.desc.digest],
      );
      assert.equal(ofSubject[0]?.artifactType, 'application/vnd.oras.test.signature');
      assert.deepEqual(await store.predecessors(uniqueBlob().desc), []);
      return undefined;
    }),

    onStore('deletes content when it can', async (store) => {
      if (!isDeleter(store)) return skip('the store cannot delete');
      const { manifest } = await pushImage(store);
      await store.tag(manifest.desc, 'gone');
      await store.delete(manifest.desc);
      assert.equal(await store.exists(manifest.desc), false);
      await rejectsWith(store.fetch(manifest.desc), NotFoundError);
      await rejectsWith(store.resolve('gone'), NotFoundError);
      await rejectsWith(store.delete(manifest.desc), NotFoundError);
      return undefined;
    }),

    onStore('untags without deleting content when it can', async (store) => {
      if (!isUntagger(store)) return skip('the store cannot untag');
      const { manifest } = await pushImage(store);
      await store.tag(manifest.desc, 'a');
      await store.tag(manifest.desc, 'b');
      await store.untag('a');
      await rejectsWith(store.resolve('a'), NotFoundError);
      assert.equal((await store.resolve('b')).digest, manifest.desc.digest);
      assert.equal(await store.exists(manifest.desc), true);
      await rejectsWith(store.untag('a'), NotFoundError);
      return undefined;
    }),

    onStore('lists tags in lexical order, after a given tag, when it can', async (store) => {
      if (!isTagLister(store)) return skip('the store cannot list tags');
      const { manifest } = await pushImage(store);
      for (const tag of ['v2', 'v10', 'latest', 'v1']) await store.tag(manifest.desc, tag);
      const all: string[] = [];
      for await (const page of store.tags()) all.push(...page);
      assert.deepEqual(all, ['latest', 'v1', 'v10', 'v2']);
      const after: string[] = [];
      for await (const page of store.tags({ last: 'v1' })) after.push(...page);
      assert.deepEqual(after, ['v10', 'v2']);
      return undefined;
    }),
  );
  return cases;
}
