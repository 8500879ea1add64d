import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  AbortedError,
  Annotation,
  type Descriptor,
  ErrorCode,
  MediaType,
  MismatchedDigestError,
  MismatchedSizeError,
  MissingReferenceError,
  NotFoundError,
  SizeExceedsLimitError,
  TrailingDataError,
} from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGraphTarget, isTarget } from '../interfaces.js';
import {
  DuplicateNameError,
  FileStore,
  MissingNameError,
  OverwriteDisallowedError,
  StoreClosedError,
} from './index.js';
import { TarReader } from './tar-reader.js';
import { craftLayer, craftTar, fileDescriptor, readAll } from './test-support/tarball.js';

let root: string;
const stores: FileStore[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oras-file-store-'));
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

/** A predicate for `toSatisfy` that keeps the class as `this`. */
function is(errorClass: { is(value: unknown): boolean }): (value: unknown) => boolean {
  return (value) => errorClass.is(value);
}

function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function manifestOf(layers: Descriptor[]): { desc: Descriptor; bytes: Buffer } {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      config: { mediaType: MediaType.Empty, digest: sha256('{}'), size: 2 },
      layers,
    }),
  );
  return { desc: { mediaType: MediaType.ImageManifest, digest: sha256(bytes), size: bytes.length }, bytes };
}

async function tarEntries(
  gz: Buffer,
): Promise<{ path: string; type: string; mtime?: number; mode: number; linkpath: string }[]> {
  const tar = gunzipSync(gz);
  const reader = new TarReader(
    (async function* () {
      yield tar;
    })(),
  );
  const out = [];
  for (let e = await reader.next(); e !== undefined; e = await reader.next()) {
    out.push({ path: e.path, type: e.type, mtime: e.mtime?.getTime(), mode: e.mode, linkpath: e.linkpath });
  }
  return out;
}

async function makeSourceTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'sub', 'deeper'), { recursive: true });
  await writeFile(join(dir, 'b.txt'), 'bee');
  await writeFile(join(dir, 'a.txt'), 'ay');
  await writeFile(join(dir, 'sub', 'deeper', 'c.bin'), Buffer.alloc(70_000, 7));
  await chmod(join(dir, 'a.txt'), 0o640);
  await symlink('a.txt', join(dir, 'link'));
}

describe('FileStore', () => {
  it('is a graph target', () => {
    const store = open(join(root, 'out'));
    expect(isTarget(store)).toBe(true);
    expect(isGraphTarget(store)).toBe(true);
  });

  describe('add', () => {
    it('describes a file with the default media type and its title', async () => {
      const work = join(root, 'work');
      await mkdir(work);
      await writeFile(join(work, 'hello.txt'), 'hello world');
      const store = open(work);
      const desc = await store.add('hello.txt');
      expect(desc).toEqual({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: sha256('hello world'),
        size: 11,
        annotations: { [Annotation.Title]: 'hello.txt' },
      });
      expect((await readAll(await store.fetch(desc))).toString()).toBe('hello world');
    });

    it('takes a custom media type and a path apart from the name', async () => {
      await writeFile(join(root, 'data.json'), '{}');
      const store = open(join(root, 'work'));
      const desc = await store.add('config.json', 'application/vnd.example+json', join(root, 'data.json'));
      expect(desc.mediaType).toBe('application/vnd.example+json');
      expect(desc.annotations?.[Annotation.Title]).toBe('config.json');
      expect(await store.exists(desc)).toBe(true);
    });

    it('refuses an empty name and a duplicate name', async () => {
      await writeFile(join(root, 'f'), 'x');
      const store = open(root);
      await expect(store.add('')).rejects.toSatisfy(is(MissingNameError));
      await store.add('f');
      const err = await store.add('f').catch((e: unknown) => e);
      expect(DuplicateNameError.is(err)).toBe(true);
      expect((err as Error).message).toBe('"f": duplicate name');
      expect((err as DuplicateNameError).code).toBe(ErrorCode.DuplicateName);
    });

    it('rejects a missing path and frees the name again', async () => {
      const store = open(root);
      await expect(store.add('nope')).rejects.toThrow(/ENOENT/);
      await writeFile(join(root, 'nope'), 'now here');
      await expect(store.add('nope')).resolves.toMatchObject({ size: 8 });
    });

    it('packs a directory as tar+gzip with the oras annotations', async () => {
      const src = join(root, 'src');
      await makeSourceTree(src);
      const store = open(root);
      const desc = await store.add('dist', '', src);
      expect(desc.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
      expect(desc.annotations?.[Annotation.OrasContentUnpack]).toBe('true');
      expect(desc.annotations?.[Annotation.Title]).toBe('dist');
      const gz = await readAll(await store.fetch(desc));
      expect(gz.length).toBe(desc.size);
      expect(sha256(gz)).toBe(desc.digest);
      expect(desc.annotations?.[Annotation.OrasContentDigest]).toBe(sha256(gunzipSync(gz)));
      const entries = await tarEntries(gz);
      expect(entries.map((e) => [e.path, e.type])).toEqual([
        ['dist', 'Directory'],
        ['dist/a.txt', 'File'],
        ['dist/b.txt', 'File'],
        ['dist/link', 'SymbolicLink'],
        ['dist/sub', 'Directory'],
        ['dist/sub/deeper', 'Directory'],
        ['dist/sub/deeper/c.bin', 'File'],
      ]);
      expect(entries.find((e) => e.path === 'dist/link')?.linkpath).toBe('a.txt');
      expect(entries.find((e) => e.path === 'dist/a.txt')?.mode).toBe(0o640);
    });

    it('reports the bytes read while it packs a directory, up to the whole tar', async () => {
      const src = join(root, 'src');
      await makeSourceTree(src);
      const store = open(root);
      const seen: number[] = [];
      const desc = await store.add('dist', '', src, { onPacking: (n) => seen.push(n) });
      const tar = gunzipSync(await readAll(await store.fetch(desc)));
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen.at(-1)).toBe(tar.length);
      await writeFile(join(root, 'plain.txt'), 'x');
      const calls: number[] = [];
      await store.add('plain.txt', '', '', { onPacking: (n) => calls.push(n) });
      expect(calls).toEqual([]);
    });

    it('stores hard links as regular files', async () => {
      const src = join(root, 'src');
      await mkdir(src);
      await writeFile(join(src, 'one'), 'same');
      await (await import('node:fs/promises')).link(join(src, 'one'), join(src, 'two'));
      const store = open(root);
      const desc = await store.add('d', '', src);
      const entries = await tarEntries(await readAll(await store.fetch(desc)));
      expect(entries.map((e) => e.type)).toEqual(['Directory', 'File', 'File']);
    });

    it('gives the same digest for the same folder in reproducible mode', async () => {
      const first = join(root, 'first');
      const second = join(root, 'second');
      await makeSourceTree(first);
      await makeSourceTree(second);
      await utimes(join(second, 'b.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
      const store = open(root, { tarReproducible: true });
      const a = await store.add('app', '', first);
      const b = await open(root, { tarReproducible: true }).add('app', '', second);
      expect(b.digest).toBe(a.digest);
      expect(b.annotations).toEqual(a.annotations);
      const entries = await tarEntries(await readAll(await store.fetch(a)));
      expect(new Set(entries.map((e) => e.mtime))).toEqual(new Set([0]));
      // Without the flag, the changed mtime shows.
      const c = await open(root).add('app', '', first);
      const d = await open(root).add('app', '', second);
      expect(d.digest).not.toBe(c.digest);
    });

    it('uses SOURCE_DATE_EPOCH as the fixed mtime', async () => {
      const src = join(root, 'src');
      await makeSourceTree(src);
      const saved = process.env.SOURCE_DATE_EPOCH;
      process.env.SOURCE_DATE_EPOCH = '1700000000';
      try {
        const store = open(root, { tarReproducible: true });
        const desc = await store.add('app', '', src);
        const entries = await tarEntries(await readAll(await store.fetch(desc)));
        expect(new Set(entries.map((e) => e.mtime))).toEqual(new Set([1_700_000_000_000]));
      } finally {
        if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
        else process.env.SOURCE_DATE_EPOCH = saved;
      }
    });

    it('packs names longer than the ustar fields through PAX headers', async () => {
      const src = join(root, 'src');
      const long = 'x'.repeat(120);
      await mkdir(join(src, long), { recursive: true });
      await writeFile(join(src, long, `${'y'.repeat(150)}.txt`), 'deep');
      await symlink(`${long}/${'y'.repeat(150)}.txt`, join(src, 'ln'));
      const store = open(root);
      const desc = await store.add('d', '', src);
      const out = open(join(root, 'out'));
      await out.push(desc, await store.fetch(desc));
      expect(await readFile(join(root, 'out', 'd', long, `${'y'.repeat(150)}.txt`), 'utf8')).toBe('deep');
      expect(await readlink(join(root, 'out', 'd', 'ln'))).toBe(`${long}/${'y'.repeat(150)}.txt`);
    });
  });

  describe('push', () => {
    it('writes a titled blob under its title and fetches it back', async () => {
      const store = open(join(root, 'out'));
      const { desc, bytes } = fileDescriptor('docs/readme.md', '# hi');
      await store.push(desc, bytes);
      expect(await readFile(join(root, 'out', 'docs', 'readme.md'), 'utf8')).toBe('# hi');
      expect(await store.exists(desc)).toBe(true);
      expect((await readAll(await store.fetch(desc))).toString()).toBe('# hi');
      expect(await readdir(join(root, 'out', 'docs'))).toEqual(['readme.md']);
    });

    it('accepts a web stream and an async iterable', async () => {
      const store = open(join(root, 'out'));
      const a = fileDescriptor('a', 'from a stream');
      await store.push(a.desc, new Blob([a.bytes]).stream());
      const b = fileDescriptor('b', 'from chunks');
      await store.push(
        b.desc,
        (async function* () {
          yield b.bytes.subarray(0, 4);
          yield b.bytes.subarray(4);
        })(),
      );
      expect(await readFile(join(root, 'out', 'a'), 'utf8')).toBe('from a stream');
      expect(await readFile(join(root, 'out', 'b'), 'utf8')).toBe('from chunks');
    });

    it.each([
      ['wrong digest', (b: Buffer) => Buffer.from(b).fill(0x41, 0, 1), MismatchedDigestError],
      ['too short', (b: Buffer) => b.subarray(1), MismatchedSizeError],
      ['too long', (b: Buffer) => Buffer.concat([b, Buffer.from('!')]), TrailingDataError],
    ])('refuses content with a %s and leaves nothing under the name', async (_case, corrupt, errorClass) => {
      const out = join(root, 'out');
      const store = open(out);
      const { desc, bytes } = fileDescriptor('file.txt', 'the real content');
      await mkdir(out);
      await writeFile(join(out, 'file.txt'), 'old content');
      await expect(store.push(desc, corrupt(bytes))).rejects.toSatisfy((e: unknown) => errorClass.is(e));
      expect(await readFile(join(out, 'file.txt'), 'utf8')).toBe('old content');
      expect(await readdir(out)).toEqual(['file.txt']);
      expect(await store.exists(desc)).toBe(false);
      // The name is free again: a correct push succeeds.
      await store.push(desc, bytes);
      expect(await readFile(join(out, 'file.txt'), 'utf8')).toBe('the real content');
    });

    it('leaves no half-written file when the source fails midway', async () => {
      const out = join(root, 'out');
      const store = open(out);
      const { desc } = fileDescriptor('big.bin', Buffer.alloc(10_000, 1));
      const failing = (async function* () {
        yield Buffer.alloc(5_000, 1);
        throw new Error('connection reset');
      })();
      await expect(store.push(desc, failing)).rejects.toThrow('connection reset');
      expect(await readdir(out)).toEqual([]);
    });

    it('stops when aborted', async () => {
      const out = join(root, 'out');
      const store = open(out);
      const { desc, bytes } = fileDescriptor('f', 'abc');
      const controller = new AbortController();
      controller.abort();
      await expect(store.push(desc, bytes, { signal: controller.signal })).rejects.toSatisfy(
        is(AbortedError),
      );
      expect(await readdir(out)).toEqual([]);
    });

    it('refuses a second push of the same name', async () => {
      const store = open(join(root, 'out'));
      const a = fileDescriptor('same', 'one');
      const b = fileDescriptor('same', 'two');
      await store.push(a.desc, a.bytes);
      await expect(store.push(b.desc, b.bytes)).rejects.toSatisfy(is(DuplicateNameError));
      expect(await readFile(join(root, 'out', 'same'), 'utf8')).toBe('one');
    });

    it('removes the temp files a killed writer left, and keeps those of live writers', async () => {
      // found by the hostile suite: a pull killed with SIGKILL left .oras-*.tmp files that the
      // next pull never removed, so the output held more than complete files
      const dead = spawnSync(process.execPath, ['-e', '']).pid;
      const out = join(root, 'out');
      await mkdir(join(out, 'dir', 'sub'), { recursive: true });
      const stale = `.oras-${dead}-0123456789abcdef.tmp`;
      const live = `.oras-${process.pid}-fedcba9876543210.tmp`;
      for (const dir of [out, join(out, 'dir', 'sub')]) {
        await writeFile(join(dir, stale), 'half a file');
        await writeFile(join(dir, live), 'still being written');
        await writeFile(join(dir, '.oras-notes.tmp'), 'not ours');
      }
      const store = open(out);
      const file = fileDescriptor('a.txt', 'complete');
      await store.push(file.desc, file.bytes);
      const layer = craftLayer('dir', [
        { path: 'dir/', type: 'Directory' },
        { path: 'dir/sub/', type: 'Directory' },
        { path: 'dir/sub/b.txt', body: 'also complete' },
      ]);
      await store.push(layer.desc, layer.bytes);
      expect((await readdir(out)).sort()).toEqual(['.oras-notes.tmp', live, 'a.txt', 'dir'].sort());
      expect((await readdir(join(out, 'dir', 'sub'))).sort()).toEqual(
        ['.oras-notes.tmp', live, 'b.txt'].sort(),
      );
    });

    it('lets one of two concurrent pushes of a name win', async () => {
      const store = open(join(root, 'out'));
      const a = fileDescriptor('race', 'a'.repeat(100_000));
      const b = fileDescriptor('race', 'b'.repeat(100_000));
      const results = await Promise.allSettled([store.push(a.desc, a.bytes), store.push(b.desc, b.bytes)]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(DuplicateNameError.is(rejected.reason)).toBe(true);
      const winner = results[0]?.status === 'fulfilled' ? 'a' : 'b';
      expect(await readFile(join(root, 'out', 'race'), 'utf8')).toBe(winner.repeat(100_000));
    });

    it('overwrites an existing file by default and refuses with disableOverwrite', async () => {
      const out = join(root, 'out');
      await mkdir(out);
      await writeFile(join(out, 'keep'), 'old');
      const { desc, bytes } = fileDescriptor('keep', 'new');
      const keeping = open(out, { disableOverwrite: true });
      const err = await keeping.push(desc, bytes).catch((e: unknown) => e);
      expect(OverwriteDisallowedError.is(err)).toBe(true);
      expect(await readFile(join(out, 'keep'), 'utf8')).toBe('old');
      await open(out).push(desc, bytes);
      expect(await readFile(join(out, 'keep'), 'utf8')).toBe('new');
    });

    it('keeps unnamed content in the capped fallback store', async () => {
      const store = open(join(root, 'out'), { fallbackLimit: 16 });
      const small = Buffer.from('{"a":1}');
      const desc = { mediaType: 'application/json', digest: sha256(small), size: small.length };
      await store.push(desc, small);
      expect(await store.exists(desc)).toBe(true);
      expect((await readAll(await store.fetch(desc))).toString()).toBe('{"a":1}');
      const big = Buffer.alloc(17, 1);
      const bigDesc = { mediaType: 'application/json', digest: sha256(big), size: big.length };
      await expect(store.push(bigDesc, big)).rejects.toSatisfy(is(SizeExceedsLimitError));
      expect(await store.exists(bigDesc)).toBe(false);
      await expect(stat(join(root, 'out'))).rejects.toThrow(/ENOENT/);
    });

    it('has a 4 MiB fallback limit by default', async () => {
      const store = open(join(root, 'out'));
      const big = Buffer.alloc(4 * 1024 * 1024 + 1);
      const desc = { mediaType: 'application/octet-stream', digest: sha256(big), size: big.length };
      await expect(store.push(desc, big)).rejects.toSatisfy(is(SizeExceedsLimitError));
      const ok = big.subarray(1);
      await store.push({ ...desc, digest: sha256(ok), size: ok.length }, ok);
    });

    it('discards unnamed content with ignoreNoName', async () => {
      const store = open(join(root, 'out'), { ignoreNoName: true });
      const bytes = Buffer.from('{}');
      const desc = { mediaType: 'application/json', digest: sha256(bytes), size: 2 };
      await store.push(desc, bytes);
      expect(await store.exists(desc)).toBe(false);
    });

    it('unpacks a directory layer and checks the tar digest', async () => {
      const src = join(root, 'src');
      await makeSourceTree(src);
      const packer = open(root);
      const desc = await packer.add('app', '', src);
      const out = join(root, 'out');
      const store = open(out);
      await store.push(desc, await packer.fetch(desc));
      expect(await readFile(join(out, 'app', 'a.txt'), 'utf8')).toBe('ay');
      expect(await readFile(join(out, 'app', 'sub', 'deeper', 'c.bin'))).toEqual(Buffer.alloc(70_000, 7));
      expect(await readlink(join(out, 'app', 'link'))).toBe('a.txt');
      // The fetched content is the gzip, as pushed.
      expect(sha256(await readAll(await store.fetch(desc)))).toBe(desc.digest);
    });

    it('refuses a directory layer whose tar digest does not match, before writing', async () => {
      const { desc, bytes } = craftLayer('app', [{ path: 'app/x', body: 'x' }], {
        tarDigest: sha256('other'),
      });
      const out = join(root, 'out');
      const store = open(out);
      const err = await store.push(desc, bytes).catch((e: unknown) => e);
      expect(MismatchedDigestError.is(err)).toBe(true);
      expect((err as Error).message).toMatch(/^"app": content digest mismatch/);
      // the layer's folder, made for it, goes again
      expect(await readdir(out)).toEqual([]);
    });

    it('leaves no half-written file when a tarball ends inside an entry', async () => {
      const tar = craftTar([
        { path: 'app/whole', body: 'complete' },
        { path: 'app/partial', body: 'p'.repeat(5000) },
      ]).subarray(0, 512 * 4);
      const gz = gzipSync(tar);
      const desc = {
        mediaType: MediaType.ImageLayerGzip,
        digest: sha256(gz),
        size: gz.length,
        annotations: {
          [Annotation.Title]: 'app',
          [Annotation.OrasContentUnpack]: 'true',
          [Annotation.OrasContentDigest]: sha256(tar),
        },
      };
      const out = join(root, 'out');
      await expect(open(out).push(desc, gz)).rejects.toThrow(/unexpected end of archive/);
      // the whole layer is undone, the entry before the broken one included
      expect(await readdir(out)).toEqual([]);
    });

    it('unpacks without a tar digest annotation', async () => {
      const { desc, bytes } = craftLayer('app', [{ path: 'app/x', body: 'x' }], { tarDigest: null });
      const store = open(join(root, 'out'));
      await store.push(desc, bytes);
      expect(await readFile(join(root, 'out', 'app', 'x'), 'utf8')).toBe('x');
    });

    it('saves the tar+gzip as a file with skipUnpack', async () => {
      const { desc, bytes } = craftLayer('app', [{ path: 'app/x', body: 'x' }]);
      const store = open(join(root, 'out'), { skipUnpack: true });
      await store.push(desc, bytes);
      expect(await readFile(join(root, 'out', 'app'))).toEqual(bytes);
    });

    it('caps the unpacked size', async () => {
      const { desc, bytes } = craftLayer('bomb', [{ path: 'bomb/zeros', body: Buffer.alloc(1 << 20) }]);
      const store = open(join(root, 'out'), { maxUnpackBytes: 64 * 1024 });
      await expect(store.push(desc, bytes)).rejects.toSatisfy(is(SizeExceedsLimitError));
      expect(await readdir(join(root, 'out'))).toEqual([]);
    });

    it('applies archived modes with preservePermissions and masks them otherwise', async () => {
      const entries = [
        { path: 'p', type: 'Directory' as const, mode: 0o750 },
        { path: 'p/run.sh', body: '#!/bin/sh', mode: 0o777 },
      ];
      const layer = craftLayer('p', entries);
      const umask = process.umask();
      const plain = open(join(root, 'plain'));
      await plain.push(layer.desc, layer.bytes);
      expect((await stat(join(root, 'plain', 'p', 'run.sh'))).mode & 0o777).toBe(0o777 & ~umask);
      const preserving = open(join(root, 'kept'), { preservePermissions: true });
      process.umask(0o077);
      try {
        await preserving.push(layer.desc, layer.bytes);
      } finally {
        process.umask(umask);
      }
      expect((await stat(join(root, 'kept', 'p', 'run.sh'))).mode & 0o777).toBe(0o777);
      expect((await stat(join(root, 'kept', 'p'))).mode & 0o777).toBe(0o750);
    });

    it('sets the archived mtimes', async () => {
      const when = new Date('2020-01-02T03:04:05Z');
      const layer = craftLayer('t', [{ path: 't/f', body: 'f', mtime: when }]);
      await open(join(root, 'out')).push(layer.desc, layer.bytes);
      expect((await stat(join(root, 'out', 't', 'f'))).mtime.getTime()).toBe(when.getTime());
    });

    it('restores a file deduplicated by content unless forceCAS', async () => {
      const one = fileDescriptor('one.txt', 'same bytes');
      const two = fileDescriptor('two.txt', 'same bytes');
      const manifest = manifestOf([one.desc, two.desc]);
      const out = join(root, 'out');
      const store = open(out);
      await store.push(one.desc, one.bytes);
      await store.push(manifest.desc, manifest.bytes);
      expect(await readFile(join(out, 'two.txt'), 'utf8')).toBe('same bytes');

      const casOut = join(root, 'cas');
      const cas = open(casOut, { forceCAS: true });
      await cas.push(one.desc, one.bytes);
      await cas.push(manifest.desc, manifest.bytes);
      expect(await readdir(casOut)).toEqual(['one.txt']);
    });

    it('reports each file it restores to onRestored, and none with forceCAS', async () => {
      const one = fileDescriptor('one.txt', 'same bytes');
      const two = fileDescriptor('two.txt', 'same bytes');
      const three = fileDescriptor('three.txt', 'other bytes');
      const manifest = manifestOf([one.desc, two.desc, three.desc]);
      const restored: Descriptor[] = [];
      const store = open(join(root, 'out'), { onRestored: (desc) => void restored.push(desc) });
      await store.push(one.desc, one.bytes);
      await store.push(three.desc, three.bytes);
      expect(restored).toEqual([]);
      await store.push(manifest.desc, manifest.bytes);
      expect(restored).toEqual([two.desc]);
      expect(await readFile(join(root, 'out', 'two.txt'), 'utf8')).toBe('same bytes');

      const casRestored: Descriptor[] = [];
      const cas = open(join(root, 'cas'), { forceCAS: true, onRestored: (d) => void casRestored.push(d) });
      await cas.push(one.desc, one.bytes);
      await cas.push(manifest.desc, manifest.bytes);
      expect(casRestored).toEqual([]);
    });

    it('fails the push when onRestored rejects', async () => {
      const one = fileDescriptor('one.txt', 'same bytes');
      const two = fileDescriptor('two.txt', 'same bytes');
      const manifest = manifestOf([one.desc, two.desc]);
      const store = open(join(root, 'out'), {
        onRestored: async () => {
          throw new Error('reporter broke');
        },
      });
      await store.push(one.desc, one.bytes);
      await expect(store.push(manifest.desc, manifest.bytes)).rejects.toThrow('reporter broke');
    });

    it('tells onUnpacking when a verified directory layer starts to unpack, and not for files or with skipUnpack', async () => {
      const layer = craftLayer('dir', [{ path: 'dir/f.txt', body: 'in a folder' }]);
      const file = fileDescriptor('plain.txt', 'a file');
      const out = join(root, 'out');
      const seen: { desc: Descriptor; unpackedYet: boolean }[] = [];
      const store = open(out, {
        onUnpacking: async (desc) => {
          const unpackedYet = await stat(join(out, 'dir', 'f.txt')).then(
            () => true,
            () => false,
          );
          seen.push({ desc, unpackedYet });
        },
      });
      await store.push(file.desc, file.bytes);
      await store.push(layer.desc, layer.bytes);
      expect(seen).toEqual([{ desc: layer.desc, unpackedYet: false }]);
      expect(await readFile(join(out, 'dir', 'f.txt'), 'utf8')).toBe('in a folder');

      const skipped: Descriptor[] = [];
      const raw = open(join(root, 'raw'), { skipUnpack: true, onUnpacking: (d) => void skipped.push(d) });
      await raw.push(layer.desc, layer.bytes);
      expect(skipped).toEqual([]);
    });

    it('does not unpack a layer whose bytes do not match, so onUnpacking is not called', async () => {
      const layer = craftLayer('dir', [{ path: 'dir/f.txt', body: 'in a folder' }]);
      const seen: Descriptor[] = [];
      const store = open(join(root, 'out'), { onUnpacking: (d) => void seen.push(d) });
      const corrupt = Buffer.from(layer.bytes);
      corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff;
      await expect(store.push(layer.desc, corrupt)).rejects.toSatisfy(is(MismatchedDigestError));
      expect(seen).toEqual([]);
    });
  });

  describe('tags, resolve and predecessors', () => {
    it('tags existing content and resolves the tag and the manifest digest', async () => {
      const store = open(join(root, 'out'));
      const layer = fileDescriptor('l', 'layer');
      const manifest = manifestOf([layer.desc]);
      await store.push(layer.desc, layer.bytes);
      await store.push(manifest.desc, manifest.bytes);
      await store.tag(manifest.desc, 'v1');
      expect(await store.resolve('v1')).toEqual(manifest.desc);
      expect(await store.resolve(manifest.desc.digest)).toEqual(manifest.desc);
      await expect(store.resolve('v2')).rejects.toSatisfy(is(NotFoundError));
      await expect(store.resolve('')).rejects.toSatisfy(is(MissingReferenceError));
      await expect(store.tag(manifest.desc, '')).rejects.toSatisfy(is(MissingReferenceError));
      const absent = { mediaType: MediaType.ImageManifest, digest: sha256('nothing'), size: 7 };
      await expect(store.tag(absent, 'v3')).rejects.toSatisfy(is(NotFoundError));
    });

    it('finds the manifests that point at a blob', async () => {
      const store = open(join(root, 'out'));
      const layer = fileDescriptor('l', 'layer');
      const manifest = manifestOf([layer.desc]);
      await store.push(layer.desc, layer.bytes);
      await store.push(manifest.desc, manifest.bytes);
      const found = await store.predecessors(layer.desc);
      expect(found.map((d) => d.digest)).toEqual([manifest.desc.digest]);
      // Described as the referrers API lists it: the config media type stands in for artifactType.
      expect(found[0]?.artifactType).toBe(MediaType.Empty);
      expect(await store.predecessors(manifest.desc)).toEqual([]);
    });

    it('does not find a titled descriptor whose name is unknown', async () => {
      const store = open(join(root, 'out'));
      const a = fileDescriptor('a', 'x');
      await store.push(a.desc, a.bytes);
      const renamed = { ...a.desc, annotations: { [Annotation.Title]: 'b' } };
      expect(await store.exists(renamed)).toBe(false);
      await expect(store.fetch(renamed)).rejects.toSatisfy(is(NotFoundError));
    });

    it('fails a fetch whose file changed on disk', async () => {
      const out = join(root, 'out');
      const store = open(out);
      const a = fileDescriptor('a', 'original');
      await store.push(a.desc, a.bytes);
      await writeFile(join(out, 'a'), 'tampered');
      await expect(readAll(await store.fetch(a.desc))).rejects.toSatisfy(is(MismatchedDigestError));
    });
  });

  describe('close', () => {
    it('removes temporary files and refuses further use', async () => {
      const src = join(root, 'src');
      await makeSourceTree(src);
      const temp = join(root, 'temp');
      await mkdir(temp);
      const store = new FileStore(root, { tempDir: temp });
      const desc = await store.add('app', '', src);
      expect((await readdir(temp)).length).toBe(1);
      await store.close();
      expect(await readdir(temp)).toEqual([]);
      await expect(store.fetch(desc)).rejects.toSatisfy(is(StoreClosedError));
      await expect(store.push(desc, Buffer.alloc(0))).rejects.toSatisfy(is(StoreClosedError));
      await expect(store.add('x')).rejects.toSatisfy(is(StoreClosedError));
      await expect(store.exists(desc)).rejects.toSatisfy(is(StoreClosedError));
      await store.close();
    });

    it('removes the saved gzip of an unpacked layer', async () => {
      const temp = join(root, 'temp');
      await mkdir(temp);
      const store = new FileStore(join(root, 'out'), { tempDir: temp });
      const layer = craftLayer('d', [{ path: 'd/f', body: 'f' }]);
      await store.push(layer.desc, layer.bytes);
      expect((await readdir(temp)).length).toBe(1);
      await store.close();
      expect(await readdir(temp)).toEqual([]);
      expect((await lstat(join(root, 'out', 'd', 'f'))).isFile()).toBe(true);
    });
  });
});
