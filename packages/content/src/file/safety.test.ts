/**
 * What an outside review broke in the file store (issue 15), each as a specification: a limit on
 * what all directory layers unpack together, a failed layer undone with the user's files as they
 * were, file-system errors in the user's terms, and every temporary file removable at once (also
 * synchronously, from a signal handler).
 */
import { link, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, SizeExceedsLimitError } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as file from './index.js';
import { FileStore, type FileStoreOptions } from './index.js';
import { TempFiles } from '../internal/temp-files.js';
import { type CraftedEntry, craftLayer, fileDescriptor, snapshotTree } from './test-support/tarball.js';

let root: string;
let out: string;
const stores: FileStore[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oras-file-safety-'));
  out = join(root, 'out');
  await mkdir(out);
  await mkdir(join(root, 'tmp'));
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(root, { recursive: true, force: true });
});

function open(options: FileStoreOptions = {}): FileStore {
  const store = new FileStore(out, { tempDir: join(root, 'tmp'), ...options });
  stores.push(store);
  return store;
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; cause?: unknown }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a failure').toBeInstanceOf(Error);
  return err as Error & { code?: string };
}

function pushLayer(store: FileStore, name: string, entries: CraftedEntry[], tarDigest?: null) {
  const { desc, bytes } = craftLayer(name, entries, tarDigest === null ? { tarDigest: null } : {});
  return store.push(desc, bytes);
}

/** The temp files in a folder. */
async function tempsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('.oras-') || name.startsWith('oras_file_'));
}

describe('the unpack limit of all directory layers together', () => {
  const KiB = 1024;

  it('refuses the layer that would go past it, and keeps the layers before it', async () => {
    const store = open({ maxUnpackBytes: 1024 * KiB, maxUnpackTotalBytes: 1024 * KiB });
    await pushLayer(store, 'one', [{ path: 'one/zeros', body: Buffer.alloc(600 * KiB) }]);
    const err = await failure(
      pushLayer(store, 'two', [{ path: 'two/zeros', body: Buffer.alloc(600 * KiB) }]),
    );
    expect(SizeExceedsLimitError.is(err), String(err)).toBe(true);
    expect(err.message).toMatch(
      /^"two": unpacked size exceeds the limit of 1048576 bytes for all directory layers/,
    );
    expect(await readdir(out)).toEqual(['one']);
    expect((await readFile(join(out, 'one', 'zeros'))).length).toBe(600 * KiB);
  });

  it('counts while unpacking a layer without a tar digest, undoes it, and frees its bytes', async () => {
    const store = open({ maxUnpackBytes: 1024 * KiB, maxUnpackTotalBytes: 1024 * KiB });
    await pushLayer(store, 'one', [{ path: 'one/zeros', body: Buffer.alloc(600 * KiB) }]);
    const err = await failure(
      pushLayer(
        store,
        'two',
        [
          { path: 'two/first', body: 'written before the limit is reached' },
          { path: 'two/zeros', body: Buffer.alloc(600 * KiB) },
        ],
        null,
      ),
    );
    expect(SizeExceedsLimitError.is(err), String(err)).toBe(true);
    expect(await readdir(out)).toEqual(['one']);
    // The refused layer's bytes are given back: a layer that fits in what is left still unpacks.
    await pushLayer(store, 'three', [{ path: 'three/small', body: Buffer.alloc(200 * KiB) }], null);
    expect((await readdir(out)).sort()).toEqual(['one', 'three']);
  });

  it('is 64 GiB by default', () => {
    expect(file.DEFAULT_MAX_UNPACK_TOTAL_BYTES).toBe(64 * 1024 ** 3);
  });
});

describe('a directory layer that fails part-way', () => {
  it("is undone, and the user's files are as they were", async () => {
    await mkdir(join(out, 'app', 'mine'), { recursive: true });
    await writeFile(join(out, 'app', 'keep.txt'), 'kept');
    await writeFile(join(out, 'app', 'replaced.txt'), 'the original');
    await symlink('keep.txt', join(out, 'app', 'alias'));
    await writeFile(join(out, 'app', 'mine', 'notes'), 'notes');
    const before = await snapshotTree(out);
    const err = await failure(
      pushLayer(open(), 'app', [
        { path: 'app/replaced.txt', body: 'from the layer' },
        { path: 'app/alias', body: 'a file over the user symlink' },
        { path: 'app/new.txt', body: 'new' },
        { path: 'app/sub/deep/file', body: 'deep' },
        { path: 'app/mine/more', body: 'in a folder of the user' },
        { path: 'app/evil', type: 'SymbolicLink', linkpath: '../../outside' },
      ]),
    );
    expect(err.code).toBe(ErrorCode.PathTraversal);
    expect(await snapshotTree(out)).toEqual(before);
  });

  it('is undone when the limit of one layer is reached part-way', async () => {
    const err = await failure(
      pushLayer(
        open({ maxUnpackBytes: 64 * 1024 }),
        'bomb',
        [
          { path: 'bomb/first', body: 'small' },
          { path: 'bomb/zeros', body: Buffer.alloc(1 << 20) },
        ],
        null,
      ),
    );
    expect(SizeExceedsLimitError.is(err), String(err)).toBe(true);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('file-system errors', () => {
  /** Checks the message says nothing of the store's temp files or of the absolute output path. */
  function expectUserTerms(err: Error & { cause?: unknown }, causeCode: string): void {
    expect(err.message).not.toMatch(/\.oras-|oras_file_/);
    expect(err.message).not.toContain(out);
    expect(err.message).not.toMatch(/\n/);
    expect((err.cause as { code?: string } | undefined)?.code).toBe(causeCode);
  }

  it('says a name is too long for the file system', async () => {
    const name = 'a'.repeat(300);
    const { desc, bytes } = fileDescriptor(name, 'x');
    const err = await failure(open().push(desc, bytes));
    expect(err.code).toBe(ErrorCode.InvalidName);
    expect(err.message).toMatch(/^file name too long: "a{200}\.\.\."$/);
    expectUserTerms(err, 'ENAMETOOLONG');
    expect(await readdir(out)).toEqual([]);
  });

  it('says a tar entry name is too long for the file system', async () => {
    const err = await failure(
      pushLayer(open(), 'app', [{ path: `app/${'b'.repeat(300)}`, body: 'x', pax: true }]),
    );
    expect(err.code).toBe(ErrorCode.InvalidName);
    expect(err.message).toMatch(/^file name too long: "app\/b+\.\.\."$/);
    expectUserTerms(err, 'ENAMETOOLONG');
    expect(await readdir(out)).toEqual([]);
  });

  it('says a directory is in the way of a file', async () => {
    await mkdir(join(out, 'dir'));
    const { desc, bytes } = fileDescriptor('dir', 'x');
    const err = await failure(open().push(desc, bytes));
    expect(err.code).toBe('ORAS_ERR_PATH_CONFLICT');
    expect(err.message).toBe('cannot write "dir": a directory is in the way');
    expectUserTerms(err, 'EISDIR');
    expect(await readdir(out)).toEqual(['dir']);
    expect(await readdir(join(out, 'dir'))).toEqual([]);
  });

  it('says which file is in the way of a folder', async () => {
    await writeFile(join(out, 'f'), 'a file');
    const { desc, bytes } = fileDescriptor('f/x', 'x');
    const err = await failure(open().push(desc, bytes));
    expect(err.code).toBe('ORAS_ERR_PATH_CONFLICT');
    expect(err.message).toBe('cannot write "f/x": the file "f" is in the way');
    expectUserTerms(err, 'ENOTDIR');
    const layerErr = await failure(pushLayer(open(), 'f', [{ path: 'f/y', body: 'y' }]));
    expect(layerErr.message).toBe('cannot write "f": the file "f" is in the way');
    expect(await readdir(out)).toEqual(['f']);
  });

  it('says a broken symlink is in the way of a folder', async () => {
    await symlink('nowhere', join(out, 'd'));
    const err = await failure(pushLayer(open(), 'd', [{ path: 'd/y', body: 'y' }]));
    expect(err.code).toBe('ORAS_ERR_PATH_CONFLICT');
    expect(err.message).toBe('cannot write "d": the symlink "d", which leads nowhere, is in the way');
    expectUserTerms(err, 'ENOENT');
  });

  it('says which entry of a layer is in the way of another, and undoes the layer', async () => {
    const err = await failure(
      pushLayer(open(), 'app', [
        { path: 'app/x', body: 'a file' },
        { path: 'app/x/y', body: 'under it' },
      ]),
    );
    expect(err.code).toBe('ORAS_ERR_PATH_CONFLICT');
    expect(err.message).toBe('cannot write "app/x/y": the file "app/x" is in the way');
    expect(await readdir(out)).toEqual([]);
  });

  it('says what kind of entry cannot be written: a symlink over a folder', async () => {
    // found by the hostile suite: a file titled `a/ln/x` pulled before the layer `a` made
    // `a/ln` a folder, so the layer's symlink `a/ln` could not replace it
    await mkdir(join(out, 'a', 'ln'), { recursive: true });
    await writeFile(join(out, 'a', 'ln', 'x'), 'x');
    const before = await snapshotTree(out);
    const err = await failure(
      pushLayer(open(), 'a', [
        { path: 'a/new', body: 'undone' },
        { path: 'a/ln', type: 'SymbolicLink', linkpath: '.' },
      ]),
    );
    expect(err.code).toBe('ORAS_ERR_PATH_CONFLICT');
    expect(err.message).toBe('cannot write the symlink "a/ln": a directory is in the way');
    expect(await snapshotTree(out)).toEqual(before);
  });

  it('names the temp folder it cannot write to', async () => {
    const missing = join(root, 'missing');
    const err = await failure(pushLayer(open({ tempDir: missing }), 'app', [{ path: 'app/x', body: 'x' }]));
    expect(err.code).toBe('ORAS_ERR_FILE_SYSTEM');
    expect(err.message).toBe(
      `cannot write a temporary file in ${JSON.stringify(missing)}: no such file or directory`,
    );
  });
});

describe('temporary files', () => {
  /** A stream that sends the first half of `bytes`, then waits for `release()` to send the rest. */
  function stalled(bytes: Uint8Array): { stream: ReadableStream<Uint8Array>; release: () => void } {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const half = Math.floor(bytes.length / 2);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 0) {
          controller.enqueue(bytes.subarray(0, half));
          sent = half;
          return;
        }
        await gate;
        controller.enqueue(bytes.subarray(half));
        controller.close();
      },
    });
    return { stream, release };
  }

  async function until(condition: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 2000 && !(await condition()); i++) await new Promise((r) => setTimeout(r, 5));
    expect(await condition(), 'the condition never held').toBe(true);
  }

  it('downloads a directory layer into the output folder, not $TMPDIR, and cleanupFileStoresSync removes it', async () => {
    const osTemp = join(root, 'os-tmp');
    await mkdir(osTemp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = osTemp;
    try {
      const store = new FileStore(out);
      stores.push(store);
      const { desc, bytes } = craftLayer('app', [{ path: 'app/x', body: Buffer.alloc(256 * 1024, 1) }]);
      const { stream, release } = stalled(bytes);
      const pushing = store.push(desc, stream).then(
        () => undefined,
        (e: unknown) => e,
      );
      await until(async () => (await tempsIn(out)).length > 0);
      expect(await readdir(osTemp)).toEqual([]);
      file.cleanupFileStoresSync();
      expect(await tempsIn(out)).toEqual([]);
      release();
      const err = await pushing;
      expect(err, 'the push goes on after cleanup').toBeInstanceOf(Error);
      expect(await readdir(out)).toEqual([]);
      expect(await readdir(osTemp)).toEqual([]);
      await expect(store.fetch(desc)).rejects.toMatchObject({ code: ErrorCode.StoreClosed });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('cleanupSync removes a file being written and the packed folders, and closes the store', async () => {
    const src = join(root, 'src');
    await mkdir(src);
    await writeFile(join(src, 'f'), 'f');
    const store = open();
    await store.add('packed', '', src);
    expect((await readdir(join(root, 'tmp'))).length).toBe(1);
    const { desc, bytes } = fileDescriptor('big', Buffer.alloc(256 * 1024, 2));
    const { stream, release } = stalled(bytes);
    const pushing = store.push(desc, stream).then(
      () => undefined,
      (e: unknown) => e,
    );
    await until(async () => (await tempsIn(out)).length > 0);
    store.cleanupSync();
    expect(await tempsIn(out)).toEqual([]);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    release();
    expect(await pushing).toMatchObject({ code: ErrorCode.StoreClosed });
    expect(await readdir(out)).toEqual([]);
    await expect(store.add('other', '', src)).rejects.toMatchObject({ code: ErrorCode.StoreClosed });
    await store.close();
  });

  it('puts a replaced file of the user back rather than removing its backup', async () => {
    const path = join(out, 'config');
    const backup = join(out, '.oras-1-0123456789abcdef.tmp');
    await writeFile(path, 'the user version');
    await link(path, backup);
    await writeFile(join(out, 'new'), 'the layer version');
    await rename(join(out, 'new'), path);
    const temps = new TempFiles();
    temps.add(backup, path);
    temps.removeAllSync();
    expect(await readdir(out)).toEqual(['config']);
    expect(await readFile(path, 'utf8')).toBe('the user version');
  });
});
