/**
 * The file store checks and prepares each folder it writes files into once, not each file: a pull
 * of many small files spent most of its file-system time resolving symlinks per file. These tests
 * count the calls that work costs, and check that the safety it buys still holds for the names
 * that need it (a symlink planted under a file's name, a symlinked folder, a directory layer's
 * symlinks).
 */
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ realpath: 0, mkdir: 0, readdir: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    realpath: (...args: Parameters<typeof actual.realpath>) => {
      calls.realpath++;
      return actual.realpath(...args);
    },
    mkdir: (...args: Parameters<typeof actual.mkdir>) => {
      calls.mkdir++;
      return actual.mkdir(...args);
    },
    readdir: (...args: unknown[]) => {
      calls.readdir++;
      return (actual.readdir as (...a: unknown[]) => unknown)(...args);
    },
  };
});

const { FileStore, PathTraversalError } = await import('./index.js');
const { craftLayer, fileDescriptor } = await import('./test-support/tarball.js');

let root: string;
let out: string;
const stores: InstanceType<typeof FileStore>[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oras-folders-'));
  out = join(root, 'out');
  await mkdir(join(root, 'outside'));
  await mkdir(join(root, 'tmp'));
  await writeFile(join(root, 'outside', 'secret.txt'), 'secret');
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(root, { recursive: true, force: true });
});

/** A store on `out`; the calls are counted from here on (the test's own set-up is not). */
function open(): InstanceType<typeof FileStore> {
  calls.realpath = 0;
  calls.mkdir = 0;
  calls.readdir = 0;
  const store = new FileStore(out, { tempDir: join(root, 'tmp') });
  stores.push(store);
  return store;
}

async function pushFile(store: InstanceType<typeof FileStore>, name: string, content = name): Promise<void> {
  const { desc, bytes } = fileDescriptor(name, content);
  await store.push(desc, bytes);
}

describe('file store folders', () => {
  it('resolves, creates and lists each folder once, however many files go into it', async () => {
    const store = open();
    const names = [
      ...Array.from({ length: 40 }, (_, i) => `f${i}.txt`),
      ...Array.from({ length: 40 }, (_, i) => `sub/deeper/g${i}.txt`),
    ];
    await Promise.all(names.map((name) => pushFile(store, name)));
    for (const name of names) expect(await readFile(join(out, name), 'utf8')).toBe(name);
    // the output folder and sub/deeper: one mkdir each (both were missing), nothing to list
    expect(calls.mkdir).toBe(2);
    expect(calls.readdir).toBeLessThanOrEqual(2);
    // the output folder's real path once, each folder's (and its missing ancestors') once: not
    // one per file (80 files used to cost over 200)
    expect(calls.realpath).toBeLessThanOrEqual(8);
  });

  it('lists a folder that exists once, and still refuses a file named as a symlink that leads out', async () => {
    await mkdir(out);
    await symlink('../outside/secret.txt', join(out, 'planted'));
    const store = open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => pushFile(store, `f${i}.txt`)));
    expect(calls.readdir).toBe(1);
    expect(calls.mkdir).toBe(0);
    const err = await pushFile(store, 'planted').catch((e: unknown) => e);
    expect(PathTraversalError.is(err)).toBe(true);
    expect((err as Error).message).toMatch(/resolves through a symlink/);
    expect(await readlink(join(out, 'planted'))).toBe('../outside/secret.txt');
    expect(await readFile(join(root, 'outside', 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('refuses every file under a symlinked folder that leads out, and creates nothing there', async () => {
    await mkdir(out);
    await symlink('../outside', join(out, 'sub'));
    const store = open();
    for (const name of ['sub/a', 'sub/b', 'sub/new/c']) {
      const err = await pushFile(store, name).catch((e: unknown) => e);
      expect(PathTraversalError.is(err), String(err)).toBe(true);
    }
    expect(calls.mkdir).toBe(0);
    expect(await readFile(join(root, 'outside', 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('refuses a file through a symlink a directory layer made in a folder written to before', async () => {
    const store = open();
    await pushFile(store, 'a/first.txt');
    const { desc, bytes } = craftLayer('a', [
      { path: 'a/sub', type: 'Directory' },
      { path: 'a/l', type: 'SymbolicLink', linkpath: 'sub' },
    ]);
    await store.push(desc, bytes);
    const err = await pushFile(store, 'a/l/x').catch((e: unknown) => e);
    expect(PathTraversalError.is(err), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/goes through the symlink "a\/l" unpacked by another layer/);
  });
});
