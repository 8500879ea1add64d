import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Descriptor, MediaType, digestOf } from '@oras/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../copy.js';
import { fetchAll, pushBytes } from '../stream.js';
import { successors } from '../successors.js';
import { OciLayoutStore } from './index.js';

// Layouts are an exchange format: what we write, skopeo (containers/image) must read, and back.
const run = promisify(execFile);
const encoder = new TextEncoder();
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'oras-skopeo-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function writeImage(root: string): Promise<{ manifest: Descriptor; layer: Descriptor }> {
  const store = await OciLayoutStore.open(root);
  const layerBytes = encoder.encode('not really a tar, skopeo does not look inside');
  const layer = await pushBytes(store, MediaType.ImageLayer, layerBytes);
  const config = await pushBytes(
    store,
    MediaType.ImageConfig,
    encoder.encode(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [digestOf(layerBytes)] },
      }),
    ),
  );
  const manifest = await pushBytes(
    store,
    MediaType.ImageManifest,
    encoder.encode(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers: [layer] }),
    ),
  );
  await store.tag(manifest, 'v1');
  return { manifest, layer };
}

describe('OCI layout interop with skopeo', () => {
  it('skopeo reads a layout we wrote, and we read the layout skopeo writes from it', async () => {
    const ours = join(scratch, 'ours');
    const { manifest, layer } = await writeImage(ours);
    const { stdout } = await run('skopeo', ['inspect', '--raw', `oci:${ours}:v1`]);
    expect(digestOf(stdout)).toBe(manifest.digest);

    const theirs = join(scratch, 'theirs');
    await run('skopeo', ['copy', '--quiet', '--preserve-digests', `oci:${ours}:v1`, `oci:${theirs}:copied`]);
    const layout = await OciLayoutStore.openReadOnly(theirs);
    const root = await layout.resolve('copied');
    expect(root.digest).toBe(manifest.digest);
    const nodes = await successors(layout, root);
    expect(nodes.map((n) => n.digest)).toContain(layer.digest);
    expect(new TextDecoder().decode(await fetchAll(layout, layer))).toContain('not really a tar');
  });

  it('copies from a skopeo layout into ours and skopeo reads the result', async () => {
    const ours = join(scratch, 'ours-2');
    await writeImage(ours);
    const theirs = join(scratch, 'theirs-2');
    await run('skopeo', ['copy', '--quiet', `oci:${ours}:v1`, `oci:${theirs}:t`]);
    const back = await OciLayoutStore.open(join(scratch, 'back'));
    const root = await copy(await OciLayoutStore.openReadOnly(theirs), 't', back, 'again');
    const { stdout } = await run('skopeo', ['inspect', '--raw', `oci:${join(scratch, 'back')}:again`]);
    expect(digestOf(stdout)).toBe(root.digest);
    expect(JSON.parse(await readFile(join(scratch, 'back', 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
  });
});
