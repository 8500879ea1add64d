import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidNameError, PathTraversalError } from './errors.js';
import {
  assertPortableName,
  entryParts,
  isWithin,
  realPathOfMaybeMissing,
  resolveFrom,
  walkInside,
} from './paths.js';

describe('entryParts', () => {
  it.each([
    ['app', 'app', []],
    ['app', 'app/', []],
    ['app', './app/x', ['x']],
    ['app', 'app/a/b', ['a', 'b']],
    ['app', 'app/a/../b', ['b']],
    ['a/b', 'a/b/c', ['c']],
    ['.', 'x/y', ['x', 'y']],
  ])('places %j entry %j at %j', (prefix, entry, parts) => {
    expect(entryParts(prefix, entry)).toEqual(parts);
  });

  it.each([
    ['app', '../x'],
    ['app', 'app/../x'],
    ['app', 'application/x'],
    ['app', '/app/x'],
    ['app', 'C:/app/x'],
    ['.', '../x'],
  ])('refuses %j entry %j', (prefix, entry) => {
    expect(() => entryParts(prefix, entry)).toThrow(PathTraversalError);
  });

  it('refuses an entry with a control character as an invalid name', () => {
    expect(() => entryParts('app', 'app/\u0001')).toThrow(InvalidNameError);
  });
});

describe('assertPortableName', () => {
  it.each(['a', 'a/b.txt', 'dir/with space', 'ünïcode', 'a\\b', 'x..y'])('accepts %j', (name) => {
    expect(() => assertPortableName(name, 'name')).not.toThrow();
  });

  it.each(['a\u0000', '\u007f', 'tab\there', 'bell\u0007\u001b[2J\r'])(
    'refuses %j as an invalid name, not a traversal',
    (name) => {
      expect(() => assertPortableName(name, 'name')).toThrow(InvalidNameError);
      expect(() => assertPortableName(name, 'name')).not.toThrow(PathTraversalError);
    },
  );

  it.each(['D:\\x', 'd:', '\\\\srv\\share', '\\root', 'a\\..\\b'])('refuses %j as a traversal', (name) => {
    expect(() => assertPortableName(name, 'name')).toThrow(PathTraversalError);
  });
});

describe('isWithin', () => {
  it('tells children from siblings that share a prefix', () => {
    expect(isWithin('/a/b', '/a/b')).toBe(true);
    expect(isWithin('/a/b', '/a/b/c')).toBe(true);
    expect(isWithin('/a/b', '/a/bc')).toBe(false);
    expect(isWithin('/a/b', '/a')).toBe(false);
    expect(isWithin('/a/b', '/a/b/..c')).toBe(true);
  });

  it('answers as path.relative does, for normalised paths and for the others', () => {
    const reference = (base: string, child: string): boolean => {
      const rel = relative(base, child);
      return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith('../'));
    };
    const paths = [
      '/',
      '/a',
      '/a/b',
      '/a/b/c',
      '/a/bc',
      '/a/b/',
      '/a/b/.',
      '/a/b/..',
      '/a//b/c',
      '/a/./b/c',
      '/a/b/../b/c',
      '/ab',
      '/a/b/..c',
      '/a/b/.c',
    ];
    for (const base of paths) {
      for (const child of paths)
        expect(isWithin(base, child), `${base} ${child}`).toBe(reference(base, child));
    }
  });
});

describe('resolveFrom', () => {
  it('answers as path.resolve does, for plain names and for the others', () => {
    const bases = ['/', '/a', '/a/b', '/a/b/', '/a//b', '/a/./b', '/a/b/..', '/a/b/.c'];
    const names = [
      'f',
      'f.txt',
      'd/f',
      'd/e/f',
      '.f',
      '..f',
      '...',
      'f.',
      'd/.f',
      'a\\b',
      'd/',
      'd//f',
      './f',
      'd/./f',
      '../f',
      'd/../f',
      'd/..',
      '.',
      '..',
      '',
      '/f',
      '/a/../f',
      ' f',
    ];
    for (const base of bases) {
      for (const name of names) expect(resolveFrom(base, name), `${base} ${name}`).toBe(resolve(base, name));
    }
  });
});

describe('file-system checks', () => {
  let root: string;
  beforeEach(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'oras-paths-')));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('resolves the real path of a path that does not exist yet', async () => {
    await mkdir(join(root, 'real'));
    await symlink('real', join(root, 'alias'));
    expect(await realPathOfMaybeMissing(join(root, 'alias', 'x', 'y'))).toBe(join(root, 'real', 'x', 'y'));
    await symlink('nowhere', join(root, 'dangling'));
    expect(await realPathOfMaybeMissing(join(root, 'dangling'))).toBe(join(root, 'dangling'));
  });

  it('walks a link target through symlinks and stops at the base', async () => {
    const base = join(root, 'base');
    await mkdir(join(base, 'sub'), { recursive: true });
    await symlink('sub', join(base, 's'));
    expect(await walkInside(base, base, 's/x', 'l')).toBe(join(base, 'sub', 'x'));
    expect(await walkInside(base, join(base, 'sub'), '../s/../sub', 'l')).toBe(join(base, 'sub'));
    await expect(walkInside(base, base, '..', 'l')).rejects.toThrow(/outside its directory/);
    await expect(walkInside(base, base, '/etc', 'l')).rejects.toThrow(/absolute path/);
    await symlink('.', join(base, 'here'));
    await expect(walkInside(base, base, 'here/..', 'l')).rejects.toThrow(/outside its directory/);
    await symlink(root, join(base, 'abs'));
    await expect(walkInside(base, base, 'abs/x', 'l')).rejects.toThrow(/absolute path/);
  });
});
