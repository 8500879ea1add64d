/**
 * The malicious-artifact suite: every known way out of the output folder, tried against the file
 * store. Each must be refused with a PathTraversalError, and the whole temp tree outside the output
 * folder must be byte-for-byte what it was before.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore, type FileStoreOptions, InvalidNameError, PathTraversalError } from './index.js';
import { type CraftedEntry, craftLayer, fileDescriptor, snapshotTree } from './test-support/tarball.js';

let root: string;
let out: string;
let outside: string;
const stores: FileStore[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'oras-malicious-'));
  out = join(root, 'out');
  outside = join(root, 'outside');
  await mkdir(out);
  await mkdir(outside);
  await mkdir(join(root, 'tmp'));
  await writeFile(join(outside, 'secret.txt'), 'secret');
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

/** Runs `attack`, expects a PathTraversalError, and checks nothing outside `out` changed. */
/** Refusals for a NUL or control character are invalid names; every other one is a traversal. */
const INVALID_NAME = /NUL character|control character/;

async function expectRefused(attack: () => Promise<unknown>, message?: RegExp): Promise<PathTraversalError> {
  const before = await snapshotTree(root, ['out', 'tmp']);
  const err = await attack().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the attack was not refused').toBeDefined();
  if (message !== undefined && INVALID_NAME.test(message.source)) {
    expect(InvalidNameError.is(err), String(err)).toBe(true);
    expect(PathTraversalError.is(err), 'an invalid name is no traversal').toBe(false);
  } else {
    expect(PathTraversalError.is(err), String(err)).toBe(true);
    expect((err as PathTraversalError).code).toBe(ErrorCode.PathTraversal);
  }
  if (message !== undefined) expect((err as Error).message).toMatch(message);
  expect(await snapshotTree(root, ['out', 'tmp'])).toEqual(before);
  expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
  return err as PathTraversalError;
}

async function pushFile(store: FileStore, name: string, content = 'pwned'): Promise<void> {
  const { desc, bytes } = fileDescriptor(name, content);
  await store.push(desc, bytes);
}

async function pushLayer(store: FileStore, name: string, entries: CraftedEntry[]): Promise<void> {
  const { desc, bytes } = craftLayer(name, entries);
  await store.push(desc, bytes);
}

describe('file store against malicious artifacts', () => {
  describe('titles', () => {
    it.each([
      ['../x', /outside the output directory/],
      ['a/../../x', /outside the output directory/],
      ['../outside/secret.txt', /outside the output directory/],
      ['/etc/x', /outside the output directory/],
      ['a\u0000b', /NUL character/],
      ['a\nb', /control character/],
      ['a\u001bb', /control character/],
      ['C:\\x', /windows absolute path/],
      ['c:x', /windows absolute path/],
      ['\\\\server\\share\\x', /windows absolute path/],
      ['..\\x', /climbs out/],
      ['a\\..\\..\\x', /climbs out/],
    ])('refuses the title %j', async (name, message) => {
      const store = open();
      await expectRefused(() => pushFile(store, name), message);
      expect(existsSync('/etc/x')).toBe(false);
      // The refused name is not taken: nothing was stored under it.
      expect(await store.exists(fileDescriptor(name, 'pwned').desc)).toBe(false);
    });

    it('refuses an absolute title into a sibling folder', async () => {
      await expectRefused(() => pushFile(open(), join(outside, 'x')), /outside the output directory/);
    });

    it('refuses a title under an existing symlinked folder that leads out', async () => {
      await symlink('../outside', join(out, 'sub'));
      await expectRefused(() => pushFile(open(), 'sub/x'), /resolves through a symlink/);
      await expectRefused(() => pushFile(open(), 'sub/deeper/x'), /resolves through a symlink/);
      await symlink(outside, join(out, 'abs'));
      await expectRefused(() => pushFile(open(), 'abs/secret.txt'), /resolves through a symlink/);
    });

    it('refuses a title that is a symlink to a file outside', async () => {
      await symlink('../outside/secret.txt', join(out, 'file'));
      await expectRefused(() => pushFile(open(), 'file'));
      expect(await readlink(join(out, 'file'))).toBe('../outside/secret.txt');
    });

    it('allows a symlinked folder that stays inside', async () => {
      await mkdir(join(out, 'real'));
      await symlink('real', join(out, 'alias'));
      await pushFile(open(), 'alias/x', 'fine');
      expect(await readFile(join(out, 'real', 'x'), 'utf8')).toBe('fine');
    });

    it('writes where the working directory itself points when it is a symlink', async () => {
      const real = join(root, 'real-out');
      await mkdir(real);
      const linked = join(root, 'linked-out');
      await symlink(real, linked);
      const store = new FileStore(linked);
      stores.push(store);
      await pushFile(store, 'x', 'fine');
      expect(await readFile(join(real, 'x'), 'utf8')).toBe('fine');
    });

    it('writes outside only when path traversal is allowed', async () => {
      await pushFile(open({ allowPathTraversalOnWrite: true }), '../outside/new.txt', 'allowed');
      expect(await readFile(join(outside, 'new.txt'), 'utf8')).toBe('allowed');
    });
  });

  describe('titles that name the output folder or one of its parents', () => {
    // Found by an outside review (issue 15): the temp file of a title `.` was created beside the
    // target, in the parent of the output folder, and the stale-temp sweep then ran there.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = `.oras-${dead}-0123456789abcdef.tmp`;

    /** Refuses `name` as an invalid name, with the parent (and `out`) byte for byte as it was. */
    async function expectSelfRefused(name: string, options: FileStoreOptions = {}): Promise<void> {
      await writeFile(join(root, stale), 'a file of the user, named like a temp file');
      const before = await snapshotTree(root, ['tmp']);
      const err = await pushFile(open(options), name).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(InvalidNameError.is(err), String(err)).toBe(true);
      expect((err as InvalidNameError).code).toBe(ErrorCode.InvalidName);
      expect((err as Error).message).toMatch(/the output directory|a parent of the output directory/);
      expect(await snapshotTree(root, ['tmp'])).toEqual(before);
    }

    it.each([['.'], ['./'], ['../out'], ['a/..'], ['a/../.'], ['./a/b/../../']])(
      'refuses the title %j before writing anything',
      async (name) => {
        await expectSelfRefused(name);
      },
    );

    it('refuses the absolute path of the output folder', async () => {
      await expectSelfRefused(out);
      await expectSelfRefused(`${out}/.`);
      await expectSelfRefused(`${out}/`);
    });

    it('refuses the output folder and its parents even when path traversal is allowed', async () => {
      for (const name of ['.', '..', '../..', root, '/']) {
        await expectSelfRefused(name, { allowPathTraversalOnWrite: true });
      }
    });

    it('refuses a directory layer saved as its archive (skipUnpack) under the title "."', async () => {
      const before = await snapshotTree(root, ['tmp']);
      const err = await pushLayer(open({ skipUnpack: true }), '.', [{ path: './f', body: 'x' }]).catch(
        (e: unknown) => e,
      );
      expect(InvalidNameError.is(err), String(err)).toBe(true);
      expect(await snapshotTree(root, ['tmp'])).toEqual(before);
    });

    it('still unpacks a directory layer titled "." into the output folder (`oras push .`)', async () => {
      await pushLayer(open(), '.', [{ path: './f', body: 'unpacked' }]);
      expect(await readFile(join(out, 'f'), 'utf8')).toBe('unpacked');
    });

    it('never sweeps temp files outside the output folder, even where it may write', async () => {
      await writeFile(join(outside, stale), 'not ours to remove');
      await pushFile(open({ allowPathTraversalOnWrite: true }), '../outside/new.txt', 'allowed');
      expect(await readFile(join(outside, stale), 'utf8')).toBe('not ours to remove');
      await pushLayer(open({ allowPathTraversalOnWrite: true }), '../outside', [
        { path: '../outside/sub/f', body: 'allowed' },
      ]);
      expect(await readFile(join(outside, stale), 'utf8')).toBe('not ours to remove');
    });
  });

  describe('tarball entries', () => {
    it.each<[string, CraftedEntry[], RegExp]>([
      ['a ".." entry', [{ path: '../x', body: 'pwned' }], /is outside "app\/"/],
      ['a climbing entry', [{ path: 'app/../../x', body: 'pwned' }], /is outside "app\/"/],
      [
        'a climbing entry into a sibling',
        [{ path: 'app/../../outside/secret.txt', body: 'pwned' }],
        /is outside/,
      ],
      ['an entry of another name', [{ path: 'other/x', body: 'pwned' }], /is outside "app\/"/],
      ['an absolute entry', [{ path: '/tmp/x', body: 'pwned' }], /absolute path/],
      ['a drive-letter entry', [{ path: 'C:\\x', body: 'pwned' }], /windows absolute path/],
      ['a backslash climbing entry', [{ path: 'app\\..\\..\\x', body: 'pwned' }], /climbs out/],
      ['a control character', [{ path: 'app/a\u0007b', body: 'pwned' }], /control character/],
      ['a PAX path that climbs', [{ path: 'app/../../x', body: 'pwned', pax: true }], /is outside/],
      [
        'a symlink out, then a file through it',
        [
          { path: 'app/l', type: 'SymbolicLink', linkpath: '../../outside' },
          { path: 'app/l/secret.txt', body: 'pwned' },
        ],
        /links to "..\/..\/outside", outside its directory/,
      ],
      [
        'an absolute symlink, then a file through it',
        [
          { path: 'app/l', type: 'SymbolicLink', linkpath: '/' },
          { path: 'app/l/x', body: 'pwned' },
        ],
        /absolute path/,
      ],
      [
        'a symlink inside, then a file through it',
        [
          { path: 'app/sub', type: 'Directory' },
          { path: 'app/l', type: 'SymbolicLink', linkpath: 'sub' },
          { path: 'app/l/x', body: 'through a link' },
        ],
        /goes through the symlink "l"/,
      ],
      [
        'a symlink chain that climbs at run time',
        [
          { path: 'app/d', type: 'SymbolicLink', linkpath: '.' },
          { path: 'app/l', type: 'SymbolicLink', linkpath: 'd/..' },
        ],
        /outside its directory/,
      ],
      [
        'a symlink made dangerous by a later link',
        [
          { path: 'app/l', type: 'SymbolicLink', linkpath: 'd/..' },
          { path: 'app/d', type: 'SymbolicLink', linkpath: '.' },
        ],
        /outside its directory/,
      ],
      [
        'a symlink loop',
        [
          { path: 'app/a', type: 'SymbolicLink', linkpath: 'b' },
          { path: 'app/b', type: 'SymbolicLink', linkpath: 'a' },
        ],
        /too many levels of symlinks/,
      ],
      [
        'a hard link out, then a write through it',
        [
          { path: 'app/h', type: 'Link', linkpath: '../../outside/secret.txt' },
          { path: 'app/h', body: 'pwned' },
        ],
        /outside its directory/,
      ],
      ['an absolute hard link', [{ path: 'app/h', type: 'Link', linkpath: '/etc/passwd' }], /absolute path/],
      [
        'a hard link to a name this layer did not write',
        [{ path: 'app/h', type: 'Link', linkpath: 'app/pre-existing' }],
        /not a file of this layer/,
      ],
      [
        'a hard link named from its own folder, not from the archive root',
        [
          { path: 'app/f', body: 'data' },
          { path: 'app/h', type: 'Link', linkpath: 'f' },
        ],
        /hard link to "f", outside its directory "app\/"/,
      ],
      [
        'a hard link to a symlink of this layer',
        [
          { path: 'app/l', type: 'SymbolicLink', linkpath: 'pre-existing' },
          { path: 'app/h', type: 'Link', linkpath: 'app/l' },
        ],
        /not a file of this layer/,
      ],
      [
        'a hard link to the layer folder itself',
        [{ path: 'app/h', type: 'Link', linkpath: 'app/' }],
        /not a file of this layer/,
      ],
      [
        'a symlink to a symlink that leads out',
        [
          { path: 'app/l', type: 'SymbolicLink', linkpath: 'sub' },
          { path: 'app/sub', type: 'SymbolicLink', linkpath: '../../outside' },
        ],
        /outside its directory/,
      ],
      [
        'a file entry for the layer folder itself',
        [{ path: 'app', body: 'pwned' }],
        /would replace the layer's own folder/,
      ],
    ])('refuses %s', async (_case, entries, message) => {
      await mkdir(join(out, 'app'));
      await writeFile(join(out, 'app', 'pre-existing'), 'pre');
      await expectRefused(() => pushLayer(open(), 'app', entries), message);
      // Nothing unpacked leads out either.
      for (const name of ['l', 'd', 'h', 'a', 'b']) {
        const path = join(out, 'app', name);
        if (existsSync(path)) {
          const stats = await lstat(path);
          expect(stats.nlink, `${name} is a hard link`).toBe(1);
        }
      }
    });

    it('removes a symlink that a later link turned outward', async () => {
      await expectRefused(() =>
        pushLayer(open(), 'app', [
          { path: 'app/l', type: 'SymbolicLink', linkpath: 'd/..' },
          { path: 'app/d', type: 'SymbolicLink', linkpath: '.' },
        ]),
      );
      expect(existsSync(join(out, 'app', 'l'))).toBe(false);
    });

    it('refuses a layer whose folder is a symlink to elsewhere', async () => {
      await symlink('../outside', join(out, 'app'));
      await expectRefused(
        () => pushLayer(open(), 'app', [{ path: 'app/secret.txt', body: 'pwned' }]),
        /resolves through a symlink/,
      );
    });

    it('refuses entries under a planted symlinked subfolder', async () => {
      await mkdir(join(out, 'app'));
      await symlink('../../outside', join(out, 'app', 'sub'));
      await expectRefused(
        () => pushLayer(open(), 'app', [{ path: 'app/sub/secret.txt', body: 'pwned' }]),
        /goes through the symlink "sub"/,
      );
      await expectRefused(
        () => pushLayer(open(), 'app', [{ path: 'app/sub', type: 'Directory' }]),
        /a symlink is in the way/,
      );
    });

    it('replaces a planted terminal symlink instead of writing through it', async () => {
      await mkdir(join(out, 'app'));
      await symlink('../../outside/secret.txt', join(out, 'app', 'f'));
      const before = await snapshotTree(root, ['out', 'tmp']);
      await pushLayer(open(), 'app', [{ path: 'app/f', body: 'new' }]);
      expect(await snapshotTree(root, ['out', 'tmp'])).toEqual(before);
      expect((await lstat(join(out, 'app', 'f'))).isFile()).toBe(true);
      expect(await readFile(join(out, 'app', 'f'), 'utf8')).toBe('new');
    });

    it('replaces a symlink of the same archive with a later file', async () => {
      await pushLayer(open(), 'app', [
        { path: 'app/g', body: 'g' },
        { path: 'app/f', type: 'SymbolicLink', linkpath: 'g' },
        { path: 'app/f', body: 'f' },
      ]);
      expect(await readFile(join(out, 'app', 'f'), 'utf8')).toBe('f');
      expect(await readFile(join(out, 'app', 'g'), 'utf8')).toBe('g');
    });

    it('unpacks links that stay inside', async () => {
      await pushLayer(open(), 'app', [
        { path: 'app/sub', type: 'Directory' },
        { path: 'app/sub/f', body: 'data' },
        { path: 'app/up', type: 'SymbolicLink', linkpath: 'sub/f' },
        { path: 'app/sub/back', type: 'SymbolicLink', linkpath: '../up' },
        { path: 'app/sub/hard', type: 'Link', linkpath: 'app/sub/f' },
        { path: 'app/dangling', type: 'SymbolicLink', linkpath: 'missing/x' },
      ]);
      expect(await readFile(join(out, 'app', 'sub', 'back'), 'utf8')).toBe('data');
      expect((await lstat(join(out, 'app', 'sub', 'hard'))).nlink).toBe(2);
      expect(await readlink(join(out, 'app', 'dangling'))).toBe('missing/x');
    });

    it('checks tar entries even when path traversal is allowed', async () => {
      await expectRefused(() =>
        pushLayer(open({ allowPathTraversalOnWrite: true }), 'app', [{ path: 'app/../../x', body: 'pwned' }]),
      );
    });

    it('skips device and FIFO entries', async () => {
      await pushLayer(open(), 'app', [
        { path: 'app/fifo', type: 'FIFO' },
        { path: 'app/dev', type: 'CharacterDevice' },
        { path: 'app/ok', body: 'ok' },
      ]);
      expect(existsSync(join(out, 'app', 'fifo'))).toBe(false);
      expect(existsSync(join(out, 'app', 'dev'))).toBe(false);
      expect(await readFile(join(out, 'app', 'ok'), 'utf8')).toBe('ok');
    });
  });

  describe('links across layers', () => {
    it('refuses a layer or a file that goes through a symlink of another layer', async () => {
      const store = open();
      await pushLayer(store, 'a', [
        { path: 'a/sub', type: 'Directory' },
        { path: 'a/l', type: 'SymbolicLink', linkpath: 'sub' },
      ]);
      await expectRefused(
        () => pushLayer(store, 'a/l', [{ path: 'a/l/x', body: 'pwned' }]),
        /goes through the symlink "a\/l" unpacked by another layer/,
      );
      await expectRefused(() => pushFile(store, 'a/l/x'), /unpacked by another layer/);
      expect(existsSync(join(out, 'a', 'sub', 'x'))).toBe(false);
    });

    it('refuses a layer whose links turn a symlink of another layer outward', async () => {
      const store = open();
      await pushLayer(store, 'a', [{ path: 'a/l', type: 'SymbolicLink', linkpath: 'd/..' }]);
      // `.` unpacks into the working directory itself; `a/d -> ..` is inside it, yet makes
      // `a/l` (resolved against `a`) lead to the working directory's parent.
      const before = await snapshotTree(root, ['out', 'tmp']);
      const err = await pushLayer(store, '.', [
        { path: 'a/d', type: 'SymbolicLink', linkpath: '..' },
        { path: 'a/inner', type: 'SymbolicLink', linkpath: '../x' },
      ]).catch((e: unknown) => e);
      expect(PathTraversalError.is(err), String(err)).toBe(true);
      expect(await snapshotTree(root, ['out', 'tmp'])).toEqual(before);
      expect(existsSync(join(out, 'a', 'l'))).toBe(false);
    });

    it('refuses a hard link to a file of another layer', async () => {
      const store = open();
      await pushLayer(store, 'a', [
        { path: 'a/sub', type: 'Directory' },
        { path: 'a/sub/f', body: 'layer one' },
      ]);
      await expectRefused(
        () => pushLayer(store, 'a/sub', [{ path: 'a/sub/h', type: 'Link', linkpath: 'a/sub/f' }]),
        /not a file of this layer/,
      );
      expect(existsSync(join(out, 'a', 'sub', 'h'))).toBe(false);
    });
  });
});
