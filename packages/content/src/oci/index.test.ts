import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AlreadyExistsError,
  Annotation,
  type Descriptor,
  MediaType,
  MismatchedDigestError,
  NotFoundError,
  UnsafeError,
  UnsupportedError,
} from '@oras/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGraphTarget, isReadOnlyGraphTarget } from '../interfaces.js';
import { fetchAll, pushBytes } from '../stream.js';
import { describeStoreBehaviour } from '../test-support/store-behaviour.js';
import { OciLayoutStore, acquireLock, writeLayoutTar } from './index.js';

const run = promisify(execFile);
const encoder = new TextEncoder();
let scratch: string;
let counter = 0;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'oras-oci-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const freshDir = () => join(scratch, `layout-${++counter}`);

describeStoreBehaviour('OciLayoutStore', () => OciLayoutStore.open(freshDir()), { duplicatePush: 'reject' });

async function readIndex(root: string): Promise<{ manifests: Descriptor[] }> {
  return JSON.parse(await readFile(join(root, 'index.json'), 'utf8'));
}

async function pushImage(store: OciLayoutStore, name: string, extra: Record<string, unknown> = {}) {
  const config = await pushBytes(store, 'application/vnd.test.config', encoder.encode(`{"name":"${name}"}`));
  const layer = await pushBytes(store, 'application/vnd.test.layer', encoder.encode(`layer of ${name}`));
  const manifest = await pushBytes(
    store,
    MediaType.ImageManifest,
    encoder.encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        config,
        layers: [layer],
        ...extra,
      }),
    ),
  );
  return { config, layer, manifest };
}

describe('OciLayoutStore', () => {
  it('creates the layout files', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    expect(isGraphTarget(store)).toBe(true);
    expect(JSON.parse(await readFile(join(root, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    expect(await readIndex(root)).toMatchObject({ schemaVersion: 2, manifests: [] });
  });

  it('stores blobs under blobs/<alg>/<hex>', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const desc = await pushBytes(store, 'application/octet-stream', encoder.encode('blob'));
    const hex = desc.digest.slice('sha256:'.length);
    expect(await readFile(join(root, 'blobs', 'sha256', hex), 'utf8')).toBe('blob');
  });

  it('lists every pushed manifest in index.json, tagged or not, and tags with ref.name', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const a = await pushImage(store, 'a');
    const b = await pushImage(store, 'b');
    await store.tag(a.manifest, 'v1');
    const index = await readIndex(root);
    expect(index.manifests).toHaveLength(2);
    expect(index.manifests).toContainEqual({ ...a.manifest, annotations: { [Annotation.RefName]: 'v1' } });
    expect(index.manifests).toContainEqual(b.manifest);
  });

  it('keeps an untagged manifest listed after its tag is removed', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const { manifest } = await pushImage(store, 'a');
    await store.tag(manifest, 'v1');
    await store.untag('v1');
    expect((await readIndex(root)).manifests).toEqual([manifest]);
  });

  it('persists tags across opens and reads layouts written by others', async () => {
    const root = freshDir();
    const first = await OciLayoutStore.open(root);
    const { manifest } = await pushImage(first, 'a');
    await first.tag(manifest, 'stable');
    const second = await OciLayoutStore.open(root);
    expect((await second.resolve('stable')).digest).toBe(manifest.digest);
    // A change made through one store object is seen by the other.
    await second.tag(manifest, 'other');
    expect((await first.resolve('other')).digest).toBe(manifest.digest);
  });

  it('leaves nothing behind when a push fails', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const desc = { mediaType: 'application/octet-stream', digest: `sha256:${'a'.repeat(64)}`, size: 4 };
    await expect(store.push(desc, encoder.encode('abcd'))).rejects.toMatchObject({
      code: MismatchedDigestError.code,
    });
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
    expect(await readdir(join(root, 'blobs'))).toEqual([]);
  });

  it('leaves nothing behind when a push is aborted', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const controller = new AbortController();
    async function* slow() {
      yield encoder.encode('ab');
      controller.abort();
      yield encoder.encode('cd');
    }
    const desc = { mediaType: 'application/octet-stream', digest: `sha256:${'b'.repeat(64)}`, size: 4 };
    await expect(store.push(desc, slow(), { signal: controller.signal })).rejects.toThrow();
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('stops a push waiting on a stalled source when aborted, and keeps nothing', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const controller = new AbortController();
    const stalled = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode('ab'));
      },
      pull() {
        controller.abort(new Error('user gave up'));
        return new Promise<void>(() => undefined);
      },
    });
    const desc = { mediaType: 'application/octet-stream', digest: `sha256:${'c'.repeat(64)}`, size: 4 };
    await expect(store.push(desc, stalled, { signal: controller.signal })).rejects.toThrow('user gave up');
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
    expect(await store.exists(desc)).toBe(false);
  });

  it('rejects pushing a blob it has with AlreadyExistsError', async () => {
    const store = await OciLayoutStore.open(freshDir());
    const desc = await pushBytes(store, 'application/octet-stream', encoder.encode('x'));
    await expect(store.push(desc, encoder.encode('x'))).rejects.toMatchObject({
      code: AlreadyExistsError.code,
    });
  });

  it('deletes a manifest and its index entries', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const { manifest } = await pushImage(store, 'a');
    await store.tag(manifest, 'v1');
    await store.delete(manifest);
    expect((await readIndex(root)).manifests).toEqual([]);
    await expect(store.resolve('v1')).rejects.toMatchObject({ code: NotFoundError.code });
  });

  it('collects garbage: removes unreachable blobs and keeps the graph of every listed manifest', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const kept = await pushImage(store, 'kept');
    const gone = await pushImage(store, 'gone');
    const stray = await pushBytes(store, 'application/octet-stream', encoder.encode('stray'));
    await store.delete(gone.manifest);
    const { removed } = await store.gc();
    expect(removed).toEqual([gone.config.digest, gone.layer.digest, stray.digest].sort());
    for (const d of [kept.manifest, kept.config, kept.layer]) expect(await store.exists(d)).toBe(true);
    for (const d of [gone.config, gone.layer, stray]) expect(await store.exists(d)).toBe(false);
  });

  it('keeps young unreferenced blobs when given a grace period', async () => {
    const store = await OciLayoutStore.open(freshDir());
    const stray = await pushBytes(store, 'application/octet-stream', encoder.encode('young'));
    expect((await store.gc({ minAgeMs: 60_000 })).removed).toEqual([]);
    expect(await store.exists(stray)).toBe(true);
  });

  it('finds predecessors in a layout it did not write itself', async () => {
    const root = freshDir();
    const writer = await OciLayoutStore.open(root);
    const image = await pushImage(writer, 'subject');
    const sig = await pushImage(writer, 'signature', {
      artifactType: 'application/vnd.test.sig',
      subject: image.manifest,
    });
    const reader = await OciLayoutStore.open(root);
    const found = await reader.predecessors(image.manifest);
    expect(found).toEqual([{ ...sig.manifest, artifactType: 'application/vnd.test.sig' }]);
  });

  it('refuses a layout of another version', async () => {
    const root = freshDir();
    await OciLayoutStore.open(root);
    await writeFile(join(root, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await expect(OciLayoutStore.open(root)).rejects.toMatchObject({ code: UnsupportedError.code });
  });

  it('breaks the stale lock of a dead process', async () => {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    // A pid that cannot be alive: larger than any pid_max.
    await writeFile(join(root, 'index.json.lock'), `99999999 ${(await import('node:os')).hostname()} 0 dead`);
    const { manifest } = await pushImage(store, 'after-crash');
    expect((await store.resolve(manifest.digest)).digest).toBe(manifest.digest);
  });

  it('breaks an old lock even when its pid is alive (a reused pid), and respects a fresh one', async () => {
    const root = freshDir();
    await OciLayoutStore.open(root);
    const lockPath = join(root, 'y.lock');
    const host = (await import('node:os')).hostname();
    await writeFile(lockPath, `${process.ppid} ${host} 0 fresh`);
    await expect(acquireLock(lockPath, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'ORAS_ERR_TIMEOUT',
    });
    const old = new Date(Date.now() - 120_000);
    await utimes(lockPath, old, old);
    await (await acquireLock(lockPath, { timeoutMs: 1_000 })).release();
  });

  it('waits for a held lock and fails after its timeout', async () => {
    const root = freshDir();
    const lockPath = join(root, 'x.lock');
    await OciLayoutStore.open(root);
    const held = await acquireLock(lockPath);
    await expect(acquireLock(lockPath, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'ORAS_ERR_TIMEOUT',
    });
    const waiting = acquireLock(lockPath, { timeoutMs: 10_000 });
    await held.release();
    await (await waiting).release();
    await expect(stat(lockPath)).rejects.toThrow();
  });

  it('loses nothing when two processes write one layout at once', async () => {
    const root = freshDir();
    await OciLayoutStore.open(root);
    const supportDir = fileURLToPath(new URL('../test-support/', import.meta.url));
    const writer = (prefix: string) =>
      run(
        process.execPath,
        [
          '--import',
          join(supportDir, 'register-ts.mjs'),
          join(supportDir, 'oci-writer.ts'),
          root,
          prefix,
          '30',
        ],
        { timeout: 150_000 },
      );
    await Promise.all([writer('alpha'), writer('beta')]);
    const store = await OciLayoutStore.open(root);
    const tags: string[] = [];
    for await (const page of store.tags()) tags.push(...page);
    const expected = ['alpha', 'beta'].flatMap((p) => Array.from({ length: 15 }, (_, i) => `${p}-${i * 2}`));
    expect(tags.sort()).toEqual(expected.sort());
    const index = await readIndex(root);
    expect(new Set(index.manifests.map((m) => m.digest)).size).toBe(60);
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  }, 180_000);
});

describe('OciLayoutStore.openReadOnly', () => {
  async function writtenLayout() {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const image = await pushImage(store, 'ro');
    const sig = await pushImage(store, 'ro-sig', {
      artifactType: 'application/vnd.test.sig',
      subject: image.manifest,
    });
    await store.tag(image.manifest, 'v1');
    return { root, image, sig };
  }

  it('reads a layout directory', async () => {
    const { root, image, sig } = await writtenLayout();
    const layout = await OciLayoutStore.openReadOnly(root);
    expect(isReadOnlyGraphTarget(layout)).toBe(true);
    expect('push' in layout).toBe(false);
    expect((await layout.resolve('v1')).digest).toBe(image.manifest.digest);
    expect(new TextDecoder().decode(await fetchAll(layout, image.layer))).toBe('layer of ro');
    expect((await layout.predecessors(image.manifest)).map((d) => d.digest)).toEqual([sig.manifest.digest]);
  });

  it('refuses a blob that is a symlink to a file outside the layout, for reading and copying', async () => {
    const { root, image } = await writtenLayout();
    // The layer's blob becomes a link to a file elsewhere with the same bytes (its digest is known).
    const outsideFile = join(scratch, `outside-${++counter}.txt`);
    const blob = join(root, 'blobs', 'sha256', image.layer.digest.slice('sha256:'.length));
    await rename(blob, outsideFile);
    await symlink(outsideFile, blob);
    for (const layout of [await OciLayoutStore.openReadOnly(root), await OciLayoutStore.open(root)]) {
      expect(await layout.exists(image.layer)).toBe(false);
      const err = await layout.fetch(image.layer).catch((e: unknown) => e);
      expect(UnsafeError.is(err)).toBe(true);
      expect((err as Error).message).toMatch(/blobs\/sha256\/[0-9a-f]{64}: is a symlink, refused/);
    }
  });

  it('refuses an index.json that is a symlink to a file outside the layout', async () => {
    const { root } = await writtenLayout();
    const outsideIndex = join(scratch, `outside-index-${++counter}.json`);
    await rename(join(root, 'index.json'), outsideIndex);
    await symlink(outsideIndex, join(root, 'index.json'));
    const before = await readFile(outsideIndex);
    for (const open of [() => OciLayoutStore.openReadOnly(root), () => OciLayoutStore.open(root)]) {
      const err = await open()
        .then((layout) => layout.resolve('v1'))
        .catch((e: unknown) => e);
      expect(UnsafeError.is(err)).toBe(true);
      expect((err as Error).message).toMatch(/index\.json: is a symlink, refused/);
    }
    expect((await readFile(outsideIndex)).equals(before)).toBe(true);
  });

  it('refuses a blob that is a FIFO without waiting on it', async () => {
    const { root, image } = await writtenLayout();
    const blob = join(root, 'blobs', 'sha256', image.layer.digest.slice('sha256:'.length));
    await rm(blob);
    await run('mkfifo', [blob]);
    const layout = await OciLayoutStore.openReadOnly(root);
    const err = await layout.fetch(image.layer).catch((e: unknown) => e);
    expect(UnsafeError.is(err)).toBe(true);
    expect((err as Error).message).toMatch(/is not a regular file, refused/);
  });

  it('reads a layout from a tar archive without unpacking it', async () => {
    const { root, image, sig } = await writtenLayout();
    const tarFile = join(scratch, `layout-${++counter}.tar`);
    await run('tar', ['-cf', tarFile, '-C', root, '.']);
    const layout = await OciLayoutStore.openReadOnly(tarFile);
    expect((await layout.resolve('v1')).digest).toBe(image.manifest.digest);
    expect(await layout.exists(image.config)).toBe(true);
    expect(new TextDecoder().decode(await fetchAll(layout, image.config))).toBe('{"name":"ro"}');
    expect((await layout.predecessors(image.manifest)).map((d) => d.digest)).toEqual([sig.manifest.digest]);
    const tags: string[] = [];
    for await (const page of layout.tags()) tags.push(...page);
    expect(tags).toEqual(['v1']);
    await expect(layout.fetch({ ...image.layer, digest: `sha256:${'0'.repeat(64)}` })).rejects.toMatchObject({
      code: NotFoundError.code,
    });
  });

  it('resolves the digest of any blob it holds, in a directory and in a tar archive', async () => {
    const { root, image } = await writtenLayout();
    const tarFile = join(scratch, `layout-${++counter}.tar`);
    await run('tar', ['-cf', tarFile, '-C', root, '.']);
    for (const layout of [
      await OciLayoutStore.openReadOnly(root),
      await OciLayoutStore.openReadOnly(tarFile),
    ]) {
      expect(await layout.resolve(image.layer.digest)).toEqual({
        mediaType: 'application/octet-stream',
        digest: image.layer.digest,
        size: image.layer.size,
      });
      expect((await layout.resolve(image.manifest.digest)).mediaType).toBe(image.manifest.mediaType);
      await expect(layout.resolve(`sha256:${'1'.repeat(64)}`)).rejects.toMatchObject({
        code: NotFoundError.code,
      });
    }
  });

  it('writes a layout as a tar archive that reads back the same, and tar lists', async () => {
    const { root, image, sig } = await writtenLayout();
    const tarFile = join(scratch, `written-${++counter}.tar`);
    const size = await writeLayoutTar(root, tarFile);
    expect((await stat(tarFile)).size).toBe(size);
    const layout = await OciLayoutStore.openReadOnly(tarFile);
    expect((await layout.resolve('v1')).digest).toBe(image.manifest.digest);
    expect(new TextDecoder().decode(await fetchAll(layout, image.layer))).toBe('layer of ro');
    expect((await layout.predecessors(image.manifest)).map((d) => d.digest)).toEqual([sig.manifest.digest]);
    const { stdout } = await run('tar', ['-tf', tarFile]);
    expect(stdout.split('\n')).toEqual(
      expect.arrayContaining(['oci-layout', 'index.json', `blobs/sha256/${image.layer.digest.slice(7)}`]),
    );
    expect((await readdir(scratch)).some((name) => name.endsWith('.tmp'))).toBe(false);
  });

  it('reads tar archives with long names written in pax format', async () => {
    const { root, image } = await writtenLayout();
    const tarFile = join(scratch, `layout-${++counter}.tar`);
    await run('tar', ['--format=pax', '-cf', tarFile, '-C', root, 'oci-layout', 'index.json', 'blobs']);
    const layout = await OciLayoutStore.openReadOnly(tarFile);
    expect(new TextDecoder().decode(await fetchAll(layout, image.layer))).toBe('layer of ro');
  });

  it('detects a corrupted blob when it is read', async () => {
    const { root, image } = await writtenLayout();
    await writeFile(join(root, 'blobs', 'sha256', image.layer.digest.slice(7)), 'layer of XX');
    const layout = await OciLayoutStore.openReadOnly(root);
    await expect(fetchAll(layout, image.layer)).rejects.toMatchObject({ code: MismatchedDigestError.code });
  });

  it('refuses a file that is not a tar and a folder that is not a layout', async () => {
    const notTar = join(scratch, `junk-${++counter}`);
    await writeFile(notTar, 'x'.repeat(2048));
    await expect(OciLayoutStore.openReadOnly(notTar)).rejects.toThrow(/not a tar/);
    await expect(OciLayoutStore.openReadOnly(scratch)).rejects.toMatchObject({ code: NotFoundError.code });
    await expect(OciLayoutStore.openReadOnly(join(scratch, 'missing'))).rejects.toMatchObject({
      code: NotFoundError.code,
    });
  });
});

describe('OciLayoutStore with symlinked folders inside the layout', () => {
  /** A layout with an image whose folder `moved` (`blobs` or `blobs/sha256`) is moved out and linked back. */
  async function linkedLayout(moved: 'blobs' | 'blobs/sha256') {
    const root = freshDir();
    const store = await OciLayoutStore.open(root);
    const image = await pushImage(store, 'linked');
    await store.tag(image.manifest, 'v1');
    const outside = join(scratch, `outside-${++counter}`);
    await rename(join(root, moved), outside);
    await symlink(outside, join(root, moved));
    return { root, image, outside };
  }

  /** Every file under `dir`, with its size, so that a write or a removal shows. */
  async function listing(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    return Promise.all(files.map(async (f) => `${f} ${(await stat(f)).size}`)).then((l) => l.sort());
  }

  for (const moved of ['blobs', 'blobs/sha256'] as const) {
    const reason = new RegExp(`${moved.replace('/', '\\/')}: is a symlink, refused`);

    it(`refuses to read a blob through a symlinked ${moved}`, async () => {
      const { root, image } = await linkedLayout(moved);
      for (const layout of [await OciLayoutStore.openReadOnly(root), await OciLayoutStore.open(root)]) {
        // One at a time: a rejection left waiting while another is awaited counts as unhandled.
        const attempts: (() => Promise<unknown>)[] = [
          () => layout.fetch(image.layer),
          () => layout.exists(image.layer),
          () => layout.resolve(image.layer.digest),
          () => layout.predecessors(image.layer),
        ];
        for (const attempt of attempts) {
          const err = await attempt().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(UnsafeError.is(err)).toBe(true);
          expect((err as Error).message).toMatch(reason);
        }
      }
    });

    it(`refuses to push, delete or collect through a symlinked ${moved}, changing nothing outside`, async () => {
      const { root, image, outside } = await linkedLayout(moved);
      const before = await listing(outside);
      const store = await OciLayoutStore.open(root);
      const err = await pushBytes(store, 'application/vnd.test.layer', encoder.encode('new layer')).catch(
        (e: unknown) => e,
      );
      expect(UnsafeError.is(err)).toBe(true);
      expect((err as Error).message).toMatch(reason);
      await expect(store.delete(image.layer)).rejects.toMatchObject({ code: UnsafeError.code });
      await store.untag('v1');
      await expect(store.gc()).rejects.toMatchObject({ code: UnsafeError.code });
      expect(await listing(outside)).toEqual(before);
      expect(await readdir(join(root, 'ingest'))).toEqual([]);
    });
  }

  it('refuses to push through a symlinked ingest folder, writing nothing outside', async () => {
    const root = freshDir();
    await OciLayoutStore.open(root);
    const outside = await mkdtemp(join(scratch, 'outside-ingest-'));
    await symlink(outside, join(root, 'ingest'));
    const store = await OciLayoutStore.open(root);
    const err = await pushBytes(store, 'application/vnd.test.layer', encoder.encode('new layer')).catch(
      (e: unknown) => e,
    );
    expect(UnsafeError.is(err)).toBe(true);
    expect((err as Error).message).toMatch(/ingest: is a symlink, refused/);
    expect(await readdir(outside)).toEqual([]);
    await expect(store.gc()).rejects.toMatchObject({ code: UnsafeError.code });
  });

  it('works on a layout whose root is reached through a symlink', async () => {
    const real = freshDir();
    const link = join(scratch, `root-link-${++counter}`);
    await OciLayoutStore.open(real);
    await symlink(real, link);
    const store = await OciLayoutStore.open(link);
    const image = await pushImage(store, 'via-link');
    await store.tag(image.manifest, 'v1');
    expect(new TextDecoder().decode(await fetchAll(store, image.layer))).toBe('layer of via-link');
    expect(await listing(join(real, 'blobs', 'sha256'))).toHaveLength(3);
    const layout = await OciLayoutStore.openReadOnly(link);
    expect((await layout.resolve('v1')).digest).toBe(image.manifest.digest);
    expect(new TextDecoder().decode(await fetchAll(layout, image.config))).toBe('{"name":"via-link"}');
    await store.delete(image.manifest);
    expect((await store.gc()).removed.sort()).toEqual([image.config.digest, image.layer.digest].sort());
  });
});
