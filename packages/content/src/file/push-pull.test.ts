/**
 * The `oras push` / `oras pull` flow end to end with the package's copy: files and a folder added
 * to a file store, packed under a manifest, copied into an OCI layout, and pulled back into a
 * fresh folder.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_DESCRIPTOR, emptyJsonBytes, MediaType } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copy } from '../copy.js';
import { OciLayoutStore } from '../oci/index.js';
import { pushBytes } from '../stream.js';
import { FileStore } from './index.js';

let root: string;
const stores: FileStore[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oras-push-pull-'));
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(root, { recursive: true, force: true });
});

function open(dir: string, options: ConstructorParameters<typeof FileStore>[1] = {}): FileStore {
  const store = new FileStore(dir, { tempDir: root, ...options });
  stores.push(store);
  return store;
}

describe('push and pull through an OCI layout', () => {
  it('brings back the same files and folder', async () => {
    const work = join(root, 'work');
    await mkdir(join(work, 'docs', 'guide'), { recursive: true });
    await writeFile(join(work, 'hello.txt'), 'hello');
    await writeFile(join(work, 'same.txt'), 'hello');
    await writeFile(join(work, 'docs', 'index.md'), '# index');
    await writeFile(join(work, 'docs', 'guide', 'one.md'), 'one');

    // push: add, pack a manifest, tag, copy to the layout
    const src = open(work);
    const layers = [await src.add('hello.txt'), await src.add('same.txt'), await src.add('docs')];
    await src.push(EMPTY_DESCRIPTOR, emptyJsonBytes());
    const manifest = await pushBytes(
      src,
      MediaType.ImageManifest,
      new TextEncoder().encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.ImageManifest,
          artifactType: 'application/vnd.example.bundle',
          config: EMPTY_DESCRIPTOR,
          layers,
        }),
      ),
    );
    await src.tag(manifest, 'v1');
    const layout = await OciLayoutStore.open(join(root, 'layout'));
    await copy(src, 'v1', layout, 'v1');

    // pull: copy from the layout into a fresh folder
    const out = join(root, 'out');
    const dst = open(out);
    const pulled = await copy(layout, 'v1', dst, 'v1');
    expect(pulled.digest).toBe(manifest.digest);
    expect((await readdir(out)).sort()).toEqual(['docs', 'hello.txt', 'same.txt']);
    expect(await readFile(join(out, 'hello.txt'), 'utf8')).toBe('hello');
    // Same content, another name: restored although copy deduplicates by digest.
    expect(await readFile(join(out, 'same.txt'), 'utf8')).toBe('hello');
    expect(await readFile(join(out, 'docs', 'guide', 'one.md'), 'utf8')).toBe('one');
    expect(await readFile(join(out, 'docs', 'index.md'), 'utf8')).toBe('# index');
    expect((await dst.resolve('v1')).digest).toBe(manifest.digest);
  });
});
