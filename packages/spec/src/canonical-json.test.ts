import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, serializeDescriptor, serializeIndex, serializeManifest } from './canonical-json.js';
import { digestOf } from './digest.js';
import { InvalidArgumentError } from './errors.js';
import { MediaType } from './media-types.js';
import type { Descriptor, Index, Manifest } from './types.js';
import { EMPTY_DESCRIPTOR } from './types.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

// "hello world\n", as `oras push` would add a file of that content.
const HELLO_LAYER: Descriptor = {
  mediaType: MediaType.ImageLayer,
  digest: 'sha256:a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447',
  size: 12,
  annotations: { 'org.opencontainers.image.title': 'hello.txt' },
};

// The manifest bytes were written by hand and digested with `sha256sum` in a shell.
const HELLO_MANIFEST_TEXT =
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
  '"artifactType":"application/vnd.example.greeting.v1","config":{"mediaType":"application/vnd.oci.empty.v1+json",' +
  '"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},' +
  '"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar",' +
  '"digest":"sha256:a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447","size":12,' +
  '"annotations":{"org.opencontainers.image.title":"hello.txt"}}],' +
  '"annotations":{"org.opencontainers.image.created":"2026-11-29T12:00:00Z"}}';
const HELLO_MANIFEST_DIGEST = 'sha256:04b13cf4edd30b29ec531315040841ec52943706497eaa7167993c8e60ad64f9';
const HELLO_INDEX_DIGEST = 'sha256:23242859233ca8329f1e81c874ee94e85c8345f1344de1ee823bc5bba8ed1a3d';

describe('serializeDescriptor', () => {
  it('writes the empty descriptor exactly as oras-go does', () => {
    expect(text(serializeDescriptor(EMPTY_DESCRIPTOR))).toBe(
      '{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}',
    );
  });

  it('writes fields in Go struct order whatever order they were set in', () => {
    const scrambled = {
      artifactType: 'application/vnd.example',
      platform: {
        features: ['sse4'],
        variant: 'v8',
        'os.features': ['f'],
        'os.version': '1',
        os: 'linux',
        architecture: 'arm64',
      },
      data: 'AA==',
      annotations: { z: '1', a: '2' },
      urls: ['https://example.com/x'],
      size: 1,
      digest: 'sha256:6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      mediaType: 'application/octet-stream',
    } as Descriptor;
    expect(text(serializeDescriptor(scrambled))).toBe(
      '{"mediaType":"application/octet-stream","digest":"sha256:6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",' +
        '"size":1,"urls":["https://example.com/x"],"annotations":{"a":"2","z":"1"},"data":"AA==",' +
        '"platform":{"architecture":"arm64","os":"linux","os.version":"1","os.features":["f"],"variant":"v8","features":["sse4"]},' +
        '"artifactType":"application/vnd.example"}',
    );
  });

  it('leaves out empty omitempty fields, keeps a zero size, and drops unknown fields', () => {
    const descriptor = {
      mediaType: 'application/x',
      digest: EMPTY_DESCRIPTOR.digest,
      size: 0,
      urls: [],
      annotations: {},
      data: '',
      artifactType: '',
      unknown: 'dropped',
    } as Descriptor;
    expect(text(serializeDescriptor(descriptor))).toBe(
      `{"mediaType":"application/x","digest":"${EMPTY_DESCRIPTOR.digest}","size":0}`,
    );
  });

  it('writes a platform with empty architecture and os, as Go writes non-omitempty fields', () => {
    const descriptor = {
      ...EMPTY_DESCRIPTOR,
      data: undefined,
      platform: { architecture: '', os: '' },
    } as Descriptor;
    expect(text(serializeDescriptor(descriptor))).toContain('"platform":{"architecture":"","os":""}');
  });
});

describe('serializeManifest', () => {
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    artifactType: 'application/vnd.example.greeting.v1',
    config: EMPTY_DESCRIPTOR,
    layers: [HELLO_LAYER],
    annotations: { 'org.opencontainers.image.created': '2026-11-29T12:00:00Z' },
  };

  it('gives the bytes and digest of a hand-written manifest', () => {
    const bytes = serializeManifest(manifest);
    expect(text(bytes)).toBe(HELLO_MANIFEST_TEXT);
    expect(bytes.byteLength).toBe(588);
    expect(digestOf(bytes)).toBe(HELLO_MANIFEST_DIGEST);
  });

  it('writes the same bytes whatever order the fields were set in', () => {
    const reordered = {
      annotations: manifest.annotations,
      layers: manifest.layers,
      config: manifest.config,
      artifactType: manifest.artifactType,
      mediaType: manifest.mediaType,
      schemaVersion: 2,
    } as Manifest;
    expect(digestOf(serializeManifest(reordered))).toBe(HELLO_MANIFEST_DIGEST);
  });

  it('writes missing layers as [], leaves out a missing subject, and writes a subject in place', () => {
    const bare = { schemaVersion: 2, config: EMPTY_DESCRIPTOR } as unknown as Manifest;
    expect(text(serializeManifest(bare))).toBe(
      `{"schemaVersion":2,"config":${text(serializeDescriptor(EMPTY_DESCRIPTOR))},"layers":[]}`,
    );
    const withSubject: Manifest = {
      ...manifest,
      subject: { mediaType: MediaType.ImageManifest, digest: HELLO_MANIFEST_DIGEST, size: 588 },
    };
    expect(text(serializeManifest(withSubject))).toContain(
      `"layers":[${text(serializeDescriptor(HELLO_LAYER))}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${HELLO_MANIFEST_DIGEST}","size":588},"annotations":`,
    );
  });
});

describe('serializeIndex', () => {
  it('gives the bytes and digest of a hand-written index, with HTML characters escaped', () => {
    const index: Index = {
      schemaVersion: 2,
      mediaType: MediaType.ImageIndex,
      manifests: [
        {
          mediaType: MediaType.ImageManifest,
          digest: HELLO_MANIFEST_DIGEST,
          size: 588,
          platform: { variant: 'v7', os: 'linux', architecture: 'arm' },
        },
      ],
      annotations: { 'a&b': '<x>' },
    };
    const bytes = serializeIndex(index);
    expect(text(bytes)).toBe(
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${HELLO_MANIFEST_DIGEST}","size":588,"platform":{"architecture":"arm","os":"linux","variant":"v7"}}],"annotations":{"a\\u0026b":"\\u003cx\\u003e"}}`,
    );
    expect(digestOf(bytes)).toBe(HELLO_INDEX_DIGEST);
  });

  it('writes missing manifests as [] and keeps artifactType and subject in Go order', () => {
    const index = {
      subject: EMPTY_DESCRIPTOR,
      artifactType: 'application/vnd.example',
      schemaVersion: 2,
    } as unknown as Index;
    expect(text(serializeIndex(index))).toBe(
      `{"schemaVersion":2,"artifactType":"application/vnd.example","manifests":[],"subject":${text(serializeDescriptor(EMPTY_DESCRIPTOR))}}`,
    );
  });
});

describe('canonicalJson', () => {
  it('escapes like Go: HTML characters, line and paragraph separators, control characters', () => {
    expect(canonicalJson('<a href="x">&</a>')).toBe('"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
    expect(canonicalJson('\u2028\u2029')).toBe('"\\u2028\\u2029"');
    expect(canonicalJson('\n\r\t\b\f\u0000\u0001\u001f\\')).toBe(
      '"\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\\\\"',
    );
    // DEL, non-ASCII and astral characters are written as they are (UTF-8 in the bytes).
    expect(canonicalJson('\u007f é 😀')).toBe('"\u007f é 😀"');
  });

  it('writes a lone surrogate as the replacement character, as Go writes invalid UTF-8', () => {
    expect(canonicalJson('a\ud800b')).toBe('"a\\ufffdb"');
    expect(canonicalJson('\udc00')).toBe('"\\ufffd"');
  });

  it('sorts object keys by code point (UTF-8 byte order), not by UTF-16 unit', () => {
    const value = { b: 1, a: 2, B: 3, é: 4, '😀': 5, '\uffff': 6, '': 7, aa: 8 };
    expect(canonicalJson(value)).toBe('{"":7,"B":3,"a":2,"aa":8,"b":1,"é":4,"\uffff":6,"😀":5}');
  });

  it('writes numbers as Go writes float64', () => {
    expect(canonicalJson([0, 1, -1, 0.1, 1e20, 1e21, 1.5e-7, 1e-6, -0, 2 ** 53])).toBe(
      '[0,1,-1,0.1,100000000000000000000,1e+21,1.5e-7,0.000001,-0,9007199254740992]',
    );
  });

  it('leaves out undefined members, writes undefined array items as null, and honours toJSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, null, true, false], c: new Date(0) })).toBe(
      '{"b":[null,null,true,false],"c":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow(/unsupported number/);
    expect(() => canonicalJson(() => 1)).toThrow(InvalidArgumentError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
    // The same object twice is not a cycle.
    const shared = { x: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });

  it('parses back to the same value with JSON.parse (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const out = canonicalJson(value);
        // Compared with the value itself: like Go, -0 stays -0 (JSON.stringify writes 0).
        expect(JSON.parse(out)).toEqual(value);
        expect(out).not.toMatch(/[<>&\u2028\u2029\n]/);
      }),
    );
  });

  it('is insensitive to key insertion order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme' }), fc.string()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
    );
  });
});

describe('serializing values of the wrong type', () => {
  it('refuses them instead of writing bytes oras would never write', () => {
    const bad: Array<[string, () => unknown]> = [
      [
        '"size" must be a safe integer',
        () => serializeDescriptor({ ...EMPTY_DESCRIPTOR, size: '2' as unknown as number }),
      ],
      ['"size" must be a safe integer', () => serializeDescriptor({ ...EMPTY_DESCRIPTOR, size: 1.5 })],
      [
        '"digest" must be a string',
        () => serializeDescriptor({ ...EMPTY_DESCRIPTOR, digest: 1 as unknown as string }),
      ],
      [
        '"urls" must be an array of strings',
        () => serializeDescriptor({ ...EMPTY_DESCRIPTOR, urls: [1] as unknown as string[] }),
      ],
      [
        '"annotations.a" must be a string',
        () => serializeDescriptor({ ...EMPTY_DESCRIPTOR, annotations: { a: 1 } as never }),
      ],
      [
        '"annotations" must be an object of strings',
        () => serializeDescriptor({ ...EMPTY_DESCRIPTOR, annotations: [] as never }),
      ],
      [
        '"platform" must be an object',
        () => serializeDescriptor({ ...EMPTY_DESCRIPTOR, platform: 'linux/amd64' as never }),
      ],
      [
        '"layers" must be an array',
        () => serializeManifest({ schemaVersion: 2, config: EMPTY_DESCRIPTOR, layers: {} as never }),
      ],
      ['"manifests" must be an array', () => serializeIndex({ schemaVersion: 2, manifests: 'x' as never })],
      [
        '"schemaVersion" must be a safe integer',
        () => serializeIndex({ schemaVersion: '2' as never, manifests: [] }),
      ],
    ];
    for (const [message, f] of bad) {
      expect(f, message).toThrow(InvalidArgumentError);
      expect(f, message).toThrow(message);
    }
  });

  it('treats null like a missing field, as Go unmarshals null', () => {
    const descriptor = {
      ...EMPTY_DESCRIPTOR,
      data: null,
      annotations: null,
      urls: null,
    } as unknown as Descriptor;
    expect(text(serializeDescriptor(descriptor))).toBe(
      `{"mediaType":"application/vnd.oci.empty.v1+json","digest":"${EMPTY_DESCRIPTOR.digest}","size":2}`,
    );
  });
});
