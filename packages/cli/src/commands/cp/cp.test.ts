/**
 * `oras cp` against the in-process test registry, whose request log shows what the CLI asked.
 */
import { createHash } from 'node:crypto';
import { startTestRegistry, type TestRegistry } from '@oras-internal/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oras, scratch } from '../../test-support/oras-process.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
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
});

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
    const manifestReads = registry.requests.filter(
      (r) => r.repository === 'src/app' && r.route === 'manifest',
    );
    expect(manifestReads.map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['GET v1']);
    expect(registry.storage.getManifest('dst/app', 'v2')).toBeDefined();
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
