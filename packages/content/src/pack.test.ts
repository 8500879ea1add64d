import {
  Annotation,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  InvalidArgumentError,
  InvalidMediaTypeError,
  MediaType,
  UnsupportedError,
  digestOf,
} from '@oras/spec';
import { describe, expect, it } from 'vitest';
import type { ContentSource, Pusher } from './interfaces.js';
import { MemoryStore } from './memory/index.js';
import { PackManifestVersion, formatRfc3339, isRfc3339, packManifest } from './pack.js';
import { fetchAll, pushBytes } from './stream.js';

const CREATED = '2024-01-02T03:04:05Z';
const EMPTY =
  '{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}';

async function manifestText(store: MemoryStore, desc: Descriptor): Promise<string> {
  return new TextDecoder().decode(await fetchAll(store, desc));
}

describe('packManifest v1.1', () => {
  it('packs an artifact with the empty config and the empty layer, byte for byte as oras does', async () => {
    const store = new MemoryStore();
    const desc = await packManifest(store, PackManifestVersion.V1_1, 'application/vnd.example.thing', {
      manifestAnnotations: { [Annotation.Created]: CREATED },
    });
    const expected =
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
      `"artifactType":"application/vnd.example.thing","config":${EMPTY},"layers":[${EMPTY}],` +
      `"annotations":{"org.opencontainers.image.created":"${CREATED}"}}`;
    expect(await manifestText(store, desc)).toBe(expected);
    expect(desc).toEqual({
      mediaType: MediaType.ImageManifest,
      digest: digestOf(expected),
      size: expected.length,
      artifactType: 'application/vnd.example.thing',
      annotations: { [Annotation.Created]: CREATED },
    });
    expect(await store.exists(EMPTY_DESCRIPTOR)).toBe(true);
  });

  it('keeps the given layers and subject, and escapes like Go', async () => {
    const store = new MemoryStore();
    const layer = await pushBytes(store, MediaType.ImageLayer, new TextEncoder().encode('hello'));
    const subject = await packManifest(store, PackManifestVersion.V1_1, 'application/vnd.subject', {
      created: new Date(0),
    });
    const desc = await packManifest(store, PackManifestVersion.V1_1, 'application/vnd.sig', {
      layers: [{ ...layer, annotations: { [Annotation.Title]: 'a<b>&c.txt' } }],
      subject,
      manifestAnnotations: { [Annotation.Created]: CREATED, b: '2', a: '1' },
    });
    const text = await manifestText(store, desc);
    expect(text).toContain('"org.opencontainers.image.title":"a\\u003cb\\u003e\\u0026c.txt"');
    expect(text).toContain(
      `"subject":{"mediaType":"${MediaType.ImageManifest}","digest":"${subject.digest}"`,
    );
    expect(
      text.endsWith(`"annotations":{"a":"1","b":"2","org.opencontainers.image.created":"${CREATED}"}}`),
    ).toBe(true);
    expect(await store.predecessors(subject)).toHaveLength(1);
  });

  it('sets created to the given time, or now, in RFC 3339 whole seconds', async () => {
    const store = new MemoryStore();
    const fixed = await packManifest(store, PackManifestVersion.V1_1, 'application/vnd.x', {
      created: new Date('2025-06-07T08:09:10.999Z'),
    });
    expect(fixed.annotations?.[Annotation.Created]).toBe('2025-06-07T08:09:10Z');
    const again = await packManifest(store, PackManifestVersion.V1_1, 'application/vnd.x', {
      created: new Date('2025-06-07T08:09:10.999Z'),
    });
    expect(again.digest).toBe(fixed.digest);
    const now = await packManifest(store, PackManifestVersion.V1_1, 'application/vnd.x');
    expect(isRfc3339(now.annotations?.[Annotation.Created] ?? '')).toBe(true);
  });

  it('refuses a created annotation that is not RFC 3339', async () => {
    await expect(
      packManifest(new MemoryStore(), PackManifestVersion.V1_1, 'application/vnd.x', {
        manifestAnnotations: { [Annotation.Created]: '2024-13-01T00:00:00Z' },
      }),
    ).rejects.toMatchObject({ code: InvalidArgumentError.code });
  });

  it('requires an artifact type unless a non-empty config is given', async () => {
    const store = new MemoryStore();
    await expect(packManifest(store, PackManifestVersion.V1_1, '')).rejects.toMatchObject({
      code: InvalidArgumentError.code,
    });
    await expect(
      packManifest(store, PackManifestVersion.V1_1, '', { configDescriptor: EMPTY_DESCRIPTOR }),
    ).rejects.toMatchObject({ code: InvalidArgumentError.code });
    const config = await pushBytes(
      store,
      'application/vnd.example.config+json',
      new TextEncoder().encode('{"a":1}'),
    );
    const desc = await packManifest(store, PackManifestVersion.V1_1, '', {
      configDescriptor: config,
      created: new Date(0),
    });
    expect(desc.artifactType).toBeUndefined();
    const text = await manifestText(store, desc);
    expect(text).not.toContain('artifactType');
    expect(text).toContain(`"layers":[${EMPTY}]`);
    expect(await store.exists(EMPTY_DESCRIPTOR)).toBe(true);
  });

  it('checks the artifact type against the media type pattern', async () => {
    for (const bad of ['nope', 'test.attach', 'a/b c', `${'x'.repeat(128)}/y`, '/x']) {
      await expect(packManifest(new MemoryStore(), PackManifestVersion.V1_1, bad)).rejects.toMatchObject({
        code: InvalidMediaTypeError.code,
        message: `invalid artifactType format: ${bad}: invalid media type`,
      });
    }
  });

  it('accepts what the image-spec schema pattern accepts, as oras-go does', async () => {
    for (const good of ['test/attach', 'a/b/c', 'a:b/c']) {
      const desc = await packManifest(new MemoryStore(), PackManifestVersion.V1_1, good, {
        created: new Date(0),
      });
      expect(desc.artifactType).toBe(good);
    }
  });

  it('checks the config media type before pushing anything', async () => {
    const store = new MemoryStore();
    const config = { mediaType: 'notatype', digest: digestOf('{}'), size: 2 };
    await expect(
      packManifest(store, PackManifestVersion.V1_1, 'test/x', { configDescriptor: config }),
    ).rejects.toMatchObject({
      code: InvalidMediaTypeError.code,
      message: 'invalid config mediaType format: notatype: invalid media type',
    });
    expect(await store.exists(EMPTY_DESCRIPTOR)).toBe(false);
  });

  it('pushes the empty config only when it is missing, to pushers that cannot tell', async () => {
    const pushed: string[] = [];
    const pusher: Pusher = {
      async push(expected: Descriptor, content: ContentSource) {
        pushed.push(expected.mediaType);
        void content;
      },
    };
    await packManifest(pusher, PackManifestVersion.V1_1, 'application/vnd.x', { created: new Date(0) });
    expect(pushed).toEqual([MediaType.Empty, MediaType.ImageManifest]);
  });
});

describe('packManifest v1.0', () => {
  it('uses the artifact type as config media type and leaves layers empty', async () => {
    const store = new MemoryStore();
    const desc = await packManifest(store, PackManifestVersion.V1_0, 'application/vnd.example.config', {
      manifestAnnotations: { [Annotation.Created]: CREATED },
      configAnnotations: { k: 'v' },
    });
    const config = `{"mediaType":"application/vnd.example.config","digest":"${digestOf('{}')}","size":2,"annotations":{"k":"v"}}`;
    const expected =
      `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":${config},` +
      `"layers":[],"annotations":{"org.opencontainers.image.created":"${CREATED}"}}`;
    expect(await manifestText(store, desc)).toBe(expected);
    expect(desc.artifactType).toBe('application/vnd.example.config');
  });

  it('defaults the config media type to the unknown config type', async () => {
    const store = new MemoryStore();
    const desc = await packManifest(store, PackManifestVersion.V1_0, '', { created: new Date(0) });
    expect(desc.artifactType).toBe(MediaType.UnknownConfig);
    expect(await manifestText(store, desc)).toContain(`"config":{"mediaType":"${MediaType.UnknownConfig}"`);
  });

  it('ignores (and does not check) the artifact type when a config is given, as oras-go', async () => {
    const store = new MemoryStore();
    const config = { mediaType: 'application/vnd.example.config', digest: digestOf('{}'), size: 2 };
    const desc = await packManifest(store, PackManifestVersion.V1_0, 'test.attach', {
      configDescriptor: config,
      created: new Date(0),
    });
    expect(desc.artifactType).toBe('application/vnd.example.config');
    await expect(packManifest(store, PackManifestVersion.V1_0, 'test.attach')).rejects.toMatchObject({
      message: 'invalid artifactType format: test.attach: invalid media type',
    });
  });

  it('refuses a subject', async () => {
    await expect(
      packManifest(new MemoryStore(), PackManifestVersion.V1_0, 'application/vnd.x', {
        subject: EMPTY_DESCRIPTOR,
      }),
    ).rejects.toMatchObject({ code: UnsupportedError.code });
  });

  it('refuses unknown versions', async () => {
    await expect(packManifest(new MemoryStore(), '2.0' as never, 'application/vnd.x')).rejects.toMatchObject({
      code: UnsupportedError.code,
    });
  });
});

describe('RFC 3339 helpers', () => {
  it('accepts what Go accepts and refuses the rest', () => {
    for (const ok of [
      '2024-02-29T23:59:59Z',
      '2024-01-01T00:00:00.123456+05:30',
      '1970-01-01T00:00:00-00:00',
    ]) {
      expect(isRfc3339(ok)).toBe(true);
    }
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2024-01-01 00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01',
      '',
    ]) {
      expect(isRfc3339(bad)).toBe(false);
    }
    expect(formatRfc3339(new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 678)))).toBe('2020-01-02T03:04:05Z');
  });
});
