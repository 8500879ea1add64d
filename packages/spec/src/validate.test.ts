import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeIndex, serializeManifest } from './canonical-json.js';
import { digestOf } from './digest.js';
import { ErrorCode, InvalidManifestError, OrasError, SizeExceedsLimitError } from './errors.js';
import { isValidMediaType, MediaType } from './media-types.js';
import type { Descriptor, Index, Manifest } from './types.js';
import { EMPTY_DESCRIPTOR } from './types.js';
import {
  DEFAULT_MAX_METADATA_BYTES,
  descriptorFromBytes,
  descriptorsEqual,
  parseIndex,
  parseManifest,
  validateDescriptor,
} from './validate.js';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

const LAYER: Descriptor = {
  mediaType: MediaType.ImageLayer,
  digest: digestOf('hello world\n'),
  size: 12,
  annotations: { 'org.opencontainers.image.title': 'hello.txt' },
};

const MANIFEST: Manifest = {
  schemaVersion: 2,
  mediaType: MediaType.ImageManifest,
  artifactType: 'application/vnd.example',
  config: EMPTY_DESCRIPTOR,
  layers: [LAYER],
  subject: { mediaType: MediaType.ImageManifest, digest: digestOf('subject'), size: 7 },
  annotations: { a: 'b' },
};

const INDEX: Index = {
  schemaVersion: 2,
  mediaType: MediaType.ImageIndex,
  manifests: [
    {
      mediaType: MediaType.ImageManifest,
      digest: digestOf('m'),
      size: 1,
      platform: { architecture: 'amd64', os: 'linux', 'os.features': ['x'] },
    },
  ],
};

function manifestError(f: () => unknown): InvalidManifestError {
  try {
    f();
  } catch (error) {
    expect(InvalidManifestError.is(error)).toBe(true);
    return error as InvalidManifestError;
  }
  throw new Error('expected an InvalidManifestError');
}

describe('parseManifest', () => {
  it('parses what serializeManifest writes', () => {
    expect(parseManifest(serializeManifest(MANIFEST))).toEqual(MANIFEST);
  });

  it('accepts a Docker v2 schema 2 manifest and one without mediaType', () => {
    const docker = { ...MANIFEST, mediaType: MediaType.DockerManifest };
    expect(parseManifest(encode(docker)).mediaType).toBe(MediaType.DockerManifest);
    const { mediaType: _, ...bare } = MANIFEST;
    expect(parseManifest(encode(bare)).layers).toHaveLength(1);
  });

  it.each([
    ['schemaVersion 1', { ...MANIFEST, schemaVersion: 1 }, 'schemaVersion: must be 2'],
    ['schemaVersion "2"', { ...MANIFEST, schemaVersion: '2' }, 'schemaVersion: must be 2, got "2"'],
    [
      'an index media type',
      { ...MANIFEST, mediaType: MediaType.ImageIndex },
      'unexpected media type "application/vnd.oci.image.index.v1+json" (this is an index)',
    ],
    ['an unknown media type', { ...MANIFEST, mediaType: 'text/plain' }, 'mediaType: unexpected media type'],
    ['no config', { ...MANIFEST, config: undefined }, 'config: must be a descriptor object'],
    ['no layers', { ...MANIFEST, layers: undefined }, 'layers: missing'],
    ['layers not an array', { ...MANIFEST, layers: {} }, 'layers: must be an array'],
    [
      'a bad layer digest',
      { ...MANIFEST, layers: [{ ...LAYER, digest: 'sha256:abc' }] },
      'layers[0].digest: invalid digest',
    ],
    [
      'a layer without digest',
      { ...MANIFEST, layers: [{ ...LAYER, digest: undefined }] },
      'layers[0].digest: missing digest',
    ],
    [
      'a negative size',
      { ...MANIFEST, layers: [LAYER, { ...LAYER, size: -1 }] },
      'layers[1].size: invalid size "-1"',
    ],
    ['a fractional size', { ...MANIFEST, layers: [{ ...LAYER, size: 1.5 }] }, 'layers[0].size'],
    ['an unsafe size', { ...MANIFEST, layers: [{ ...LAYER, size: 2 ** 53 }] }, 'non-negative safe integer'],
    ['a string size', { ...MANIFEST, layers: [{ ...LAYER, size: '12' }] }, 'layers[0].size'],
    ['no size', { ...MANIFEST, layers: [{ ...LAYER, size: undefined }] }, 'layers[0].size: missing size'],
    [
      'a bad media type',
      { ...MANIFEST, layers: [{ ...LAYER, mediaType: 'not a type' }] },
      'layers[0].mediaType: invalid media type',
    ],
    [
      'no media type',
      { ...MANIFEST, config: { ...EMPTY_DESCRIPTOR, mediaType: undefined } },
      'config.mediaType: missing media type',
    ],
    ['a bad artifactType', { ...MANIFEST, artifactType: 'nope' }, 'artifactType: invalid media type'],
    ['non-string annotations', { ...MANIFEST, annotations: { a: 1 } }, 'annotations["a"]: must be a string'],
    ['array annotations', { ...MANIFEST, annotations: ['a'] }, 'annotations: must be an object of strings'],
    [
      'a bad subject',
      { ...MANIFEST, subject: { mediaType: MediaType.ImageManifest } },
      'subject.digest: missing digest',
    ],
    [
      'bad urls',
      { ...MANIFEST, layers: [{ ...LAYER, urls: 'https://x' }] },
      'layers[0].urls: must be an array of strings',
    ],
    [
      'bad data',
      { ...MANIFEST, config: { ...EMPTY_DESCRIPTOR, data: 'e30' } },
      'config.data: must be standard base64',
    ],
    [
      'a platform without os',
      { ...MANIFEST, config: { ...EMPTY_DESCRIPTOR, platform: { architecture: 'amd64' } } },
      'config.platform.os',
    ],
  ])('refuses %s', (_name, value, reason) => {
    const error = manifestError(() => parseManifest(encode(value)));
    expect(error.message).toContain(reason);
    expect(error.message).toMatch(/^invalid manifest: /);
    expect(error.code).toBe(ErrorCode.InvalidManifest);
  });

  it('refuses bytes that are not a JSON object in UTF-8', () => {
    expect(manifestError(() => parseManifest(new Uint8Array()))).toHaveProperty(
      'message',
      expect.stringContaining('not valid json'),
    );
    expect(manifestError(() => parseManifest(new TextEncoder().encode('[]'))).message).toContain(
      'not a json object',
    );
    expect(manifestError(() => parseManifest(new TextEncoder().encode('null'))).message).toContain(
      'not a json object',
    );
    expect(manifestError(() => parseManifest(new Uint8Array([0x7b, 0xff, 0x7d]))).message).toContain(
      'not valid utf-8',
    );
  });

  it('caps the size at 4 MiB by default and at maxBytes when given', () => {
    expect(DEFAULT_MAX_METADATA_BYTES).toBe(4 * 1024 * 1024);
    const bytes = serializeManifest(MANIFEST);
    expect(() => parseManifest(bytes, { maxBytes: bytes.byteLength - 1 })).toThrow(SizeExceedsLimitError);
    expect(parseManifest(bytes, { maxBytes: bytes.byteLength }).layers).toHaveLength(1);
    const big = new Uint8Array(DEFAULT_MAX_METADATA_BYTES + 1).fill(0x20);
    try {
      parseManifest(big);
      expect.unreachable();
    } catch (error) {
      expect(SizeExceedsLimitError.is(error)).toBe(true);
      expect((error as Error).message).toBe('manifest of 4194305 bytes exceeds the limit of 4194304 bytes');
    }
  });

  it('answers deeply nested and huge documents with a clear error, never a crash', () => {
    const deep = new TextEncoder().encode(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
    expect(manifestError(() => parseManifest(deep, { maxBytes: 2_000_000 })).message).toContain(
      'not a json object',
    );
    const deepAnnotations = new TextEncoder().encode(
      `{"schemaVersion":2,"config":${JSON.stringify(EMPTY_DESCRIPTOR)},"layers":[],"annotations":{"a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`,
    );
    expect(manifestError(() => parseManifest(deepAnnotations)).message).toContain(
      'annotations["a"]: must be a string',
    );
    const manyLayers = { ...MANIFEST, layers: Array.from({ length: 20_000 }, () => LAYER) };
    expect(parseManifest(encode(manyLayers)).layers).toHaveLength(20_000);
    const longKey = { ...MANIFEST, annotations: { ['k'.repeat(1_000_000)]: 7 } };
    expect(manifestError(() => parseManifest(encode(longKey))).message.length).toBeLessThan(300);
    // Megabytes of input parsed several times: seconds on a quiet machine, far more on a loaded one.
  }, 180_000);

  it('never throws anything but an OrasError on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array(), fc.jsonValue().map(encode)), (bytes) => {
        try {
          parseManifest(bytes);
        } catch (error) {
          expect(OrasError.is(error)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseIndex', () => {
  it('parses what serializeIndex writes, and Docker manifest lists', () => {
    expect(parseIndex(serializeIndex(INDEX))).toEqual(INDEX);
    const list = { ...INDEX, mediaType: MediaType.DockerManifestList };
    expect(parseIndex(encode(list)).mediaType).toBe(MediaType.DockerManifestList);
  });

  it.each([
    ['a manifest media type', { ...INDEX, mediaType: MediaType.ImageManifest }, '(this is a manifest)'],
    ['no manifests', { ...INDEX, manifests: undefined }, 'manifests: missing'],
    [
      'a bad platform',
      { ...INDEX, manifests: [{ ...INDEX.manifests[0], platform: { architecture: '', os: 'linux' } }] },
      'manifests[0].platform.architecture: must be a non-empty string',
    ],
    [
      'bad os.features',
      {
        ...INDEX,
        manifests: [
          { ...INDEX.manifests[0], platform: { architecture: 'arm', os: 'linux', 'os.features': [1] } },
        ],
      },
      'manifests[0].platform.os.features',
    ],
    [
      'a bad variant',
      {
        ...INDEX,
        manifests: [{ ...INDEX.manifests[0], platform: { architecture: 'arm', os: 'linux', variant: 7 } }],
      },
      'manifests[0].platform.variant: must be a string',
    ],
    [
      'schemaVersion missing',
      { ...INDEX, schemaVersion: undefined },
      'schemaVersion: must be 2, got nothing',
    ],
  ])('refuses %s', (_name, value, reason) => {
    const error = manifestError(() => parseIndex(encode(value)));
    expect(error.message).toContain(reason);
    expect(error.message).toMatch(/^invalid index: /);
  });

  it('caps the size', () => {
    expect(() => parseIndex(serializeIndex(INDEX), { maxBytes: 10 })).toThrow(
      /^index of \d+ bytes exceeds the limit of 10 bytes$/,
    );
  });
});

describe('validateDescriptor', () => {
  it('accepts a valid descriptor and narrows its type', () => {
    const value: unknown = JSON.parse(JSON.stringify(LAYER));
    validateDescriptor(value);
    expect(value.size).toBe(12);
    validateDescriptor(EMPTY_DESCRIPTOR);
  });

  it('names the field at fault', () => {
    expect(manifestError(() => validateDescriptor(null)).message).toBe(
      'invalid descriptor: descriptor: must be a descriptor object',
    );
    expect(manifestError(() => validateDescriptor({ ...LAYER, size: -5 })).message).toContain(
      'descriptor.size: invalid size "-5"',
    );
    const unsupported = manifestError(() =>
      validateDescriptor({ ...LAYER, digest: `sha384:${'a'.repeat(96)}` }),
    );
    expect(unsupported.message).toContain('descriptor.digest: unsupported digest algorithm');
    expect(OrasError.is(unsupported.cause)).toBe(true);
  });
});

describe('descriptorFromBytes and descriptorsEqual', () => {
  it('describes bytes with their sha256 digest and size', () => {
    const bytes = new TextEncoder().encode('hello world\n');
    expect(descriptorFromBytes(MediaType.ImageLayer, bytes)).toEqual({
      mediaType: MediaType.ImageLayer,
      digest: 'sha256:a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447',
      size: 12,
    });
    expect(descriptorFromBytes('', new Uint8Array()).mediaType).toBe('application/octet-stream');
    expect(descriptorFromBytes(MediaType.Empty, new TextEncoder().encode('{}'))).toEqual({
      mediaType: EMPTY_DESCRIPTOR.mediaType,
      digest: EMPTY_DESCRIPTOR.digest,
      size: 2,
    });
  });

  it('compares media type, digest and size only', () => {
    expect(descriptorsEqual(LAYER, { mediaType: LAYER.mediaType, digest: LAYER.digest, size: 12 })).toBe(
      true,
    );
    expect(descriptorsEqual(LAYER, { ...LAYER, annotations: {} })).toBe(true);
    expect(descriptorsEqual(LAYER, { ...LAYER, mediaType: MediaType.ImageLayerGzip })).toBe(false);
    expect(descriptorsEqual(LAYER, { ...LAYER, digest: digestOf('x') })).toBe(false);
    expect(descriptorsEqual(LAYER, { ...LAYER, size: 13 })).toBe(false);
  });
});

describe('isValidMediaType', () => {
  it('accepts what the image-spec schema pattern (and oras-go) accepts, its `&-^` range included', () => {
    for (const type of [
      'text/plain',
      'application/vnd.oci.image.manifest.v1+json',
      'test/attach',
      'a/b/c',
      'a:b/c',
      'Ab1/x(y)',
      'x/y=z',
    ]) {
      expect(isValidMediaType(type), type).toBe(true);
    }
  });

  it('refuses what oras refuses: no slash, spaces, parameters, a part too long or not starting alphanumeric', () => {
    for (const type of [
      'test.attach',
      'test-artifact',
      '',
      'x/y z',
      'x/y; charset=utf-8',
      '/x',
      'x/',
      '-x/y',
      'x/_y',
      `${'a'.repeat(128)}/x`,
      'x/y~',
    ]) {
      expect(isValidMediaType(type), type).toBe(false);
    }
    expect(isValidMediaType(`${'a'.repeat(127)}/x`)).toBe(true);
  });
});
