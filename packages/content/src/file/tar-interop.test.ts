/**
 * Interoperability of the packer and the unpacker with GNU tar (installed on every machine we
 * test on) and with the `tar` package: long names, long link targets, PAX and GNU formats.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { link, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Annotation, MediaType } from '@oras/spec';
import { create } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from './index.js';
import { readAll } from './test-support/tarball.js';

let root: string;
const stores: FileStore[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oras-tar-interop-'));
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(root, { recursive: true, force: true });
});

function open(dir: string): FileStore {
  const store = new FileStore(dir, { tempDir: root });
  stores.push(store);
  return store;
}

const LONG_DIR = `dir-${'d'.repeat(110)}`;
const LONG_FILE = `file-${'f'.repeat(140)}-é.txt`;

/** A tree with names past the ustar limits, a non-ASCII name and a long symlink target. */
async function makeTree(base: string): Promise<void> {
  await mkdir(join(base, LONG_DIR), { recursive: true });
  await writeFile(join(base, LONG_DIR, LONG_FILE), 'long');
  await writeFile(join(base, 'short.txt'), 'short');
  await symlink(`${LONG_DIR}/${LONG_FILE}`, join(base, 'ln'));
}

async function expectTree(base: string): Promise<void> {
  expect(await readFile(join(base, LONG_DIR, LONG_FILE), 'utf8')).toBe('long');
  expect(await readFile(join(base, 'short.txt'), 'utf8')).toBe('short');
  expect(await readlink(join(base, 'ln'))).toBe(`${LONG_DIR}/${LONG_FILE}`);
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function pushTarball(store: FileStore, name: string, gz: Buffer): Promise<void> {
  await store.push(
    {
      mediaType: MediaType.ImageLayerGzip,
      digest: sha256(gz),
      size: gz.length,
      annotations: {
        [Annotation.Title]: name,
        [Annotation.OrasContentUnpack]: 'true',
        [Annotation.OrasContentDigest]: sha256(gunzipSync(gz)),
      },
    },
    gz,
  );
}

describe('tar interoperability', () => {
  it('unpacks the hard links of a GNU tar archive (named from the archive root)', async () => {
    const src = join(root, 'src', 'app');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'sub', 'f'), 'shared');
    await link(join(src, 'sub', 'f'), join(src, 'h'));
    await link(join(src, 'sub', 'f'), join(src, 'sub', 'h2'));
    const gz = execFileSync('tar', ['-czf', '-', '--sort=name', '-C', join(root, 'src'), 'app']);
    // GNU tar writes the later names as hard links to the first, by archive path.
    const verbose = execFileSync('tar', ['-tvzf', '-'], { input: gz, encoding: 'utf8' });
    expect(verbose).toMatch(/app\/sub\/f link to app\/h|app\/sub\/h2 link to app\/h/);
    const out = join(root, 'out');
    await pushTarball(open(out), 'app', gz);
    for (const name of ['h', 'sub/f', 'sub/h2']) {
      expect(await readFile(join(out, 'app', name), 'utf8')).toBe('shared');
      expect((await lstat(join(out, 'app', name))).nlink).toBe(3);
    }
  });

  it('packs what GNU tar extracts', async () => {
    const src = join(root, 'src');
    await makeTree(src);
    const store = open(root);
    const desc = await store.add('app', '', src);
    const gzPath = join(root, 'app.tar.gz');
    await writeFile(gzPath, await readAll(await store.fetch(desc)));
    const listing = execFileSync('tar', ['-tzf', gzPath], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toContain(`app/${LONG_DIR}/${LONG_FILE}`);
    const dest = join(root, 'gnu');
    await mkdir(dest);
    execFileSync('tar', ['-xzf', gzPath, '-C', dest]);
    await expectTree(join(dest, 'app'));
  });

  it.each(['gnu', 'posix', 'ustar'])('unpacks what GNU tar packs in %s format', async (format) => {
    const src = join(root, 'app');
    if (format === 'ustar') {
      await mkdir(src);
      await writeFile(join(src, 'short.txt'), 'short');
    } else {
      await makeTree(src);
    }
    const gzPath = join(root, 'app.tar.gz');
    execFileSync('tar', [`--format=${format}`, '-czf', gzPath, '-C', root, 'app']);
    const out = join(root, 'out');
    await pushTarball(open(out), 'app', await readFile(gzPath));
    if (format === 'ustar') expect(await readFile(join(out, 'app', 'short.txt'), 'utf8')).toBe('short');
    else await expectTree(join(out, 'app'));
  });

  it('unpacks what the tar package packs', async () => {
    const src = join(root, 'app');
    await makeTree(src);
    const gzPath = join(root, 'app.tar.gz');
    await create({ gzip: true, file: gzPath, cwd: root, portable: true }, ['app']);
    const out = join(root, 'out');
    await pushTarball(open(out), 'app', await readFile(gzPath));
    await expectTree(join(out, 'app'));
  });

  it('round-trips a folder through two stores', async () => {
    const src = join(root, 'src');
    await makeTree(src);
    const packer = open(root);
    const desc = await packer.add('nested/app', '', src);
    const out = join(root, 'out');
    const puller = open(out);
    await puller.push(desc, await packer.fetch(desc));
    await expectTree(join(out, 'nested', 'app'));
  });
});
