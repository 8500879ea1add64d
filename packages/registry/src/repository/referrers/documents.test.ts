import { InvalidManifestError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { descOf, enc, INDEX, isA, MANIFEST, manifestBytes } from '../../test-support/repository-fixture.js';
import { filterByArtifactType, parseIndexLoose, referrerOf, subjectOf } from './documents.js';

const subject = descOf(MANIFEST, manifestBytes());

describe('subjectOf', () => {
  it('reads the subject of a manifest or an index', () => {
    expect(subjectOf(manifestBytes({ subject }), MANIFEST)).toEqual(subject);
    expect(subjectOf(enc.encode(JSON.stringify({ manifests: [], subject })), INDEX)).toEqual(subject);
  });

  it('finds none in other media types, in bytes that are not JSON, or with a bad digest', () => {
    expect(subjectOf(manifestBytes({ subject }), 'application/octet-stream')).toBeUndefined();
    expect(subjectOf(enc.encode('{not json'), MANIFEST)).toBeUndefined();
    expect(
      subjectOf(manifestBytes({ subject: { ...subject, digest: 'sha256:short' } }), MANIFEST),
    ).toBeUndefined();
    expect(subjectOf(manifestBytes(), MANIFEST)).toBeUndefined();
  });
});

describe('referrerOf', () => {
  it('takes the artifact type (else the config media type) and the annotations of the manifest', () => {
    const typed = manifestBytes({ artifactType: 'application/x-sig', annotations: { a: 'b' } });
    expect(referrerOf(descOf(MANIFEST, typed), typed)).toEqual({
      ...descOf(MANIFEST, typed),
      artifactType: 'application/x-sig',
      annotations: { a: 'b' },
    });
    const untyped = manifestBytes();
    expect(referrerOf(descOf(MANIFEST, untyped), untyped)).toEqual({
      ...descOf(MANIFEST, untyped),
      artifactType: 'application/vnd.oci.empty.v1+json',
    });
  });
});

describe('parseIndexLoose', () => {
  it('reads the manifests of an index and nothing else', () => {
    const index = parseIndexLoose(enc.encode(JSON.stringify({ manifests: [subject], extra: 1 })), 'x');
    expect(index).toEqual({ schemaVersion: 2, mediaType: INDEX, manifests: [subject] });
    expect(parseIndexLoose(enc.encode('{}'), 'x').manifests).toEqual([]);
  });

  it('refuses bytes that are not JSON and manifests that are not a list', () => {
    expect(() => parseIndexLoose(enc.encode('nope'), 'referrers of x')).toThrow(/referrers of x: not JSON/);
    const thrown = (() => {
      try {
        parseIndexLoose(enc.encode('{"manifests":{}}'), 'x');
      } catch (err) {
        return err;
      }
    })();
    expect(isA(InvalidManifestError)(thrown)).toBe(true);
  });
});

describe('filterByArtifactType', () => {
  it('keeps the referrers of one artifact type, or all when none is asked', () => {
    const list = [
      { ...subject, artifactType: 'a' },
      { ...subject, artifactType: 'b' },
    ];
    expect(filterByArtifactType(list, 'b')).toEqual([list[1]]);
    expect(filterByArtifactType(list, undefined)).toBe(list);
  });
});
