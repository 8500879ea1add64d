import {
  type Descriptor,
  EMPTY_DESCRIPTOR,
  InvalidManifestError,
  MediaType,
  SizeExceedsLimitError,
} from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory/index.js';
import { descriptorOf, pushBytes } from './stream.js';
import { describeReferrer, successors, successorsOf } from './successors.js';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const blob = (s: string): Descriptor => descriptorOf('application/vnd.test', new TextEncoder().encode(s));

describe('successors', () => {
  const config = blob('config');
  const layerA = blob('a');
  const layerB = blob('b');
  const subject = descriptorOf(MediaType.ImageManifest, json({ subject: true }));

  it('lists subject, config and layers of an OCI manifest in that order', async () => {
    const store = new MemoryStore();
    const manifest = await pushBytes(
      store,
      MediaType.ImageManifest,
      json({ schemaVersion: 2, config, layers: [layerA, layerB], subject }),
    );
    expect(await successors(store, manifest)).toEqual([subject, config, layerA, layerB]);
  });

  it('lists config and layers of a Docker manifest', () => {
    const desc = descriptorOf(MediaType.DockerManifest, json({ schemaVersion: 2, config, layers: [layerA] }));
    expect(successorsOf(desc, json({ schemaVersion: 2, config, layers: [layerA] }))).toEqual([
      config,
      layerA,
    ]);
  });

  it('lists subject and manifests of an index and of a Docker manifest list', () => {
    const m1 = descriptorOf(MediaType.ImageManifest, json({ n: 1 }));
    const bytes = json({ schemaVersion: 2, manifests: [m1], subject });
    expect(successorsOf(descriptorOf(MediaType.ImageIndex, bytes), bytes)).toEqual([subject, m1]);
    const list = json({ schemaVersion: 2, manifests: [m1] });
    expect(successorsOf(descriptorOf(MediaType.DockerManifestList, list), list)).toEqual([m1]);
  });

  it('lists subject and blobs of the withdrawn artifact manifest', () => {
    const bytes = json({ blobs: [layerA], subject });
    expect(successorsOf(descriptorOf(MediaType.ArtifactManifest, bytes), bytes)).toEqual([subject, layerA]);
  });

  it('treats a manifest without layers as having only its config', () => {
    const bytes = json({ schemaVersion: 2, config: EMPTY_DESCRIPTOR });
    expect(successorsOf(descriptorOf(MediaType.ImageManifest, bytes), bytes)).toEqual([EMPTY_DESCRIPTOR]);
  });

  it('returns nothing for blobs, without fetching them', async () => {
    const store = new MemoryStore();
    expect(await successors(store, blob('not stored'))).toEqual([]);
  });

  it('rejects malformed manifests', () => {
    const bad = new TextEncoder().encode('{not json');
    expect(() => successorsOf(descriptorOf(MediaType.ImageManifest, bad), bad)).toThrow(InvalidManifestError);
    const noConfig = json({ schemaVersion: 2, layers: [] });
    expect(() => successorsOf(descriptorOf(MediaType.ImageManifest, noConfig), noConfig)).toThrow(
      InvalidManifestError,
    );
    const badLayer = json({ schemaVersion: 2, config, layers: [{ digest: 1 }] });
    expect(() => successorsOf(descriptorOf(MediaType.ImageManifest, badLayer), badLayer)).toThrow(
      /layers\[0\]/,
    );
  });

  it('caps how much of a manifest it reads', async () => {
    const store = new MemoryStore();
    const manifest = await pushBytes(
      store,
      MediaType.ImageManifest,
      json({ schemaVersion: 2, config, layers: [] }),
    );
    await expect(successors(store, manifest, { maxBytes: 10 })).rejects.toMatchObject({
      code: SizeExceedsLimitError.code,
    });
  });
});

describe('describeReferrer', () => {
  it('takes the artifact type from the manifest, or from the config media type', () => {
    const config = descriptorOf('application/vnd.sbom.config', json({}));
    const withType = json({
      schemaVersion: 2,
      artifactType: 'application/vnd.sig',
      config,
      annotations: { a: 'b' },
    });
    const d1 = descriptorOf(MediaType.ImageManifest, withType);
    expect(describeReferrer(d1, withType)).toEqual({
      ...d1,
      artifactType: 'application/vnd.sig',
      annotations: { a: 'b' },
    });
    const withoutType = json({ schemaVersion: 2, config, layers: [] });
    const d2 = descriptorOf(MediaType.ImageManifest, withoutType);
    expect(describeReferrer(d2, withoutType).artifactType).toBe('application/vnd.sbom.config');
  });
});
