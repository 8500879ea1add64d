/**
 * `oras cp` against the in-process test registry, whose request log shows what the CLI asked.
 */
import { createHash } from 'node:crypto';
import { startTestRegistry, type TestRegistry } from '@oras-internal/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oras, scratch } from '../../test-support/oras-process.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let registry: TestRegistry;
const work = scratch();

beforeAll(async () => {
  registry = await startTestRegistry();
  const config = Buffer.from('{}');
  const layer = Buffer.from('layer bytes');
  registry.storage.putBlob('src/app', sha256(config), config);
  registry.storage.putBlob('src/app', sha256(layer), layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: 2 },
      layers: [{ mediaType: 'application/octet-stream', digest: sha256(layer), size: layer.length }],
    }),
  );
  registry.storage.putManifest('src/app', 'v1', manifest, MANIFEST);
  // a two-platform index, tagged multi: each manifest's config names its platform
  const platformManifests = ['amd64', 'arm64'].map((architecture) => {
    const platformConfig = Buffer.from(JSON.stringify({ os: 'linux', architecture }));
    registry.storage.putBlob('src/app', sha256(platformConfig), platformConfig);
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha256(platformConfig),
          size: platformConfig.length,
        },
        layers: [{ mediaType: 'application/octet-stream', digest: sha256(layer), size: layer.length }],
      }),
    );
    registry.storage.putManifest('src/app', sha256(bytes), bytes, MANIFEST);
    return {
      mediaType: MANIFEST,
      digest: sha256(bytes),
      size: bytes.length,
      platform: { os: 'linux', architecture },
    };
  });
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: platformManifests }),
  );
  registry.storage.putManifest('src/app', 'multi', index, INDEX);
});

/** The source's manifest requests in the log, as `<method> <tag or digest>`. */
function sourceManifestReads(): string[] {
  return registry.requests
    .filter((r) => r.repository === 'src/app' && r.route === 'manifest')
    .map((r) => `${r.method} ${r.path.split('/').pop()}`);
}

afterAll(async () => {
  await registry?.close();
  work.remove();
});

describe('oras cp', () => {
  it('reads the source root manifest once, with a GET by tag', async () => {
    registry.requests.length = 0;
    const run = await oras(
      [
        'cp',
        `${registry.host}/src/app:v1`,
        `${registry.host}/dst/app:v2`,
        '--from-plain-http',
        '--to-plain-http',
      ],
      {
        cwd: work.dir,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // as oras-go's copy: one GET of the root manifest by tag, its bytes kept (no GET by digest)
    expect(sourceManifestReads()).toEqual(['GET v1']);
    expect(registry.storage.getManifest('dst/app', 'v2')).toBeDefined();
  });

  it('copies one platform of an index as oras.Copy does: the index read once, by tag', async () => {
    registry.requests.length = 0;
    const run = await oras(
      [
        'cp',
        '--platform',
        'linux/arm64',
        `${registry.host}/src/app:multi`,
        `${registry.host}/dst/arm:v1`,
        '--from-plain-http',
        '--to-plain-http',
      ],
      { cwd: work.dir },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const copied = registry.storage.getManifest('dst/arm', 'v1');
    expect(JSON.parse(Buffer.from(copied?.bytes ?? '').toString()).config.size).toBe(
      JSON.stringify({ os: 'linux', architecture: 'arm64' }).length,
    );
    // the index once (GET by tag), then the arm64 manifest by digest; no HEAD of the tag
    const arm64 = JSON.parse(
      Buffer.from(registry.storage.getManifest('src/app', 'multi')?.bytes ?? '').toString(),
    ).manifests[1].digest;
    expect(sourceManifestReads()).toEqual(['GET multi', `GET ${arm64}`]);
  });

  it('warns once about a password on the command line when both ends share the registry', async () => {
    const run = await oras(
      [
        'cp',
        '--from-password',
        'secret',
        `${registry.host}/src/app:v1`,
        `${registry.host}/dst/app:v3`,
        '--from-plain-http',
        '--to-plain-http',
      ],
      { cwd: work.dir },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'WARNING! Using --from-password via the CLI is insecure. Use --password-stdin.\n',
    );
    expect(run.stdout).not.toContain('secret');
  });
});
