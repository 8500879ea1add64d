import { type Descriptor, EMPTY_DESCRIPTOR, InvalidManifestError, MediaType } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import type { OperationOptions } from './interfaces.js';
import { MemoryStore } from './memory/index.js';
import { findReferrers, referrers } from './referrers.js';
import { descriptorOf, pushBytes, toReadableStream } from './stream.js';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A store holding an image, two referrers of it, an index listing it and a referrer of a referrer. */
async function graph() {
  const store = new MemoryStore();
  const put = (mediaType: string, fields: Record<string, unknown>) =>
    pushBytes(store, mediaType, json({ schemaVersion: 2, mediaType, ...fields }));
  const signatureOf = (subject: Descriptor, annotations?: Record<string, string>) =>
    put(MediaType.ImageManifest, {
      artifactType: 'application/vnd.test.signature',
      config: EMPTY_DESCRIPTOR,
      layers: [EMPTY_DESCRIPTOR],
      subject,
      ...(annotations ? { annotations } : {}),
    });
  await pushBytes(store, EMPTY_DESCRIPTOR.mediaType, json({}));
  const layer = await pushBytes(store, 'application/vnd.test.layer', new TextEncoder().encode('layer'));
  const image = await put(MediaType.ImageManifest, { config: EMPTY_DESCRIPTOR, layers: [layer] });
  const signature = await signatureOf(image, { 'org.example.signed-by': 'me' });
  const sbomConfig = await pushBytes(store, 'application/vnd.test.sbom.config', json({ sbom: true }));
  const sbom = await put(MediaType.ImageManifest, { config: sbomConfig, layers: [], subject: image });
  const listing = await put(MediaType.ImageIndex, { manifests: [image] });
  const bundle = await put(MediaType.ImageIndex, {
    artifactType: 'application/vnd.test.bundle',
    manifests: [],
    subject: image,
  });
  const countersign = await signatureOf(signature);
  return { store, image, signature, sbom, listing, bundle, countersign, layer };
}

const byDigest = (a: Descriptor, b: Descriptor) => a.digest.localeCompare(b.digest);

describe('findReferrers', () => {
  it('lists the manifests and indexes whose subject is the node, described as the referrers API does', async () => {
    const { store, image, signature, sbom, bundle } = await graph();
    const found = await findReferrers(store, image);
    expect(found.sort(byDigest)).toEqual(
      [
        {
          ...signature,
          artifactType: 'application/vnd.test.signature',
          annotations: { 'org.example.signed-by': 'me' },
        },
        { ...sbom, artifactType: 'application/vnd.test.sbom.config' },
        { ...bundle, artifactType: 'application/vnd.test.bundle' },
      ].sort(byDigest),
    );
  });

  it('leaves out an index that only lists the node among its manifests', async () => {
    const { store, image, listing } = await graph();
    expect((await store.predecessors(image)).map((d) => d.digest)).toContain(listing.digest);
    expect((await findReferrers(store, image)).map((d) => d.digest)).not.toContain(listing.digest);
  });

  it('keeps only the referrers of one artifact type, the config media type counting for manifests without one', async () => {
    const { store, image, signature, sbom } = await graph();
    expect(
      (await findReferrers(store, image, { artifactType: 'application/vnd.test.signature' })).map(
        (d) => d.digest,
      ),
    ).toEqual([signature.digest]);
    expect(
      (await findReferrers(store, image, { artifactType: 'application/vnd.test.sbom.config' })).map(
        (d) => d.digest,
      ),
    ).toEqual([sbom.digest]);
    expect(await findReferrers(store, image, { artifactType: 'application/vnd.test.none' })).toEqual([]);
  });

  it('lists one level only: the referrer of a referrer belongs to that referrer', async () => {
    const { store, image, signature, countersign } = await graph();
    expect((await findReferrers(store, image)).map((d) => d.digest)).not.toContain(countersign.digest);
    expect((await findReferrers(store, signature)).map((d) => d.digest)).toEqual([countersign.digest]);
  });

  it('returns nothing for a node without referrers', async () => {
    const { store, layer, countersign } = await graph();
    expect(await findReferrers(store, countersign)).toEqual([]);
    expect(await findReferrers(store, layer)).toEqual([]);
  });

  it('rejects a predecessor that does not parse', async () => {
    const subject = descriptorOf(MediaType.ImageManifest, json({ schemaVersion: 2 }));
    const bad = new TextEncoder().encode('{"subject":');
    const badDesc = descriptorOf(MediaType.ImageManifest, bad);
    const target = {
      fetch: async () => toReadableStream(bad),
      exists: async () => true,
      predecessors: async () => [badDesc],
    };
    await expect(findReferrers(target, subject)).rejects.toBeInstanceOf(InvalidManifestError);
  });

  it('asks a target that lists referrers itself, page by page, and filters what it returns', async () => {
    const subject = descriptorOf(MediaType.ImageManifest, json({ schemaVersion: 2 }));
    const sig = (n: number, artifactType: string): Descriptor => ({
      ...descriptorOf(MediaType.ImageManifest, json({ n })),
      artifactType,
    });
    const calls: { subject: Descriptor; options: unknown }[] = [];
    const controller = new AbortController();
    const target = {
      fetch: async () => {
        throw new Error('fetch must not be called');
      },
      exists: async () => true,
      predecessors: async () => {
        throw new Error('predecessors must not be called');
      },
      async *referrers(s: Descriptor, options?: OperationOptions & { artifactType?: string }) {
        calls.push({ subject: s, options });
        yield [sig(1, 'application/vnd.a'), sig(2, 'application/vnd.b')];
        yield [];
        yield [sig(3, 'application/vnd.a')];
      },
    };
    expect((await findReferrers(target, subject)).map((d) => d.artifactType)).toEqual([
      'application/vnd.a',
      'application/vnd.b',
      'application/vnd.a',
    ]);
    // A registry that ignores the filter still yields only the type asked for.
    const onlyA = await findReferrers(target, subject, {
      artifactType: 'application/vnd.a',
      signal: controller.signal,
    });
    expect(onlyA).toEqual([sig(1, 'application/vnd.a'), sig(3, 'application/vnd.a')]);
    expect(calls).toEqual([
      { subject, options: {} },
      { subject, options: { artifactType: 'application/vnd.a', signal: controller.signal } },
    ]);
  });

  it('passes the abort signal on to the predecessors and fetches', async () => {
    const { store, image } = await graph();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(findReferrers(store, image, { signal: controller.signal })).rejects.toThrow('stop');
  });
});

describe('referrers (deprecated name)', () => {
  it('is findReferrers', () => {
    expect(referrers).toBe(findReferrers);
  });
});
