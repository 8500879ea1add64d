import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  COMMONJS_WRAPPER_HEAD,
  COMMONJS_WRAPPER_TAIL,
  commandKey,
  fallbackCache,
  loadCommonJs,
} from './compile-cache.js';

describe('commandKey', () => {
  it.each([
    [['pull', 'localhost:5000/repo:v1', '-o', 'out'], 'pull'],
    [['push', '--plain-http', 'localhost:5000/repo:v1', 'a.txt'], 'push'],
    [['manifest', 'fetch', 'localhost:5000/repo:v1'], 'manifest fetch'],
    [['repo', 'ls', 'localhost:5000'], 'repo ls'],
    [['blob', 'push', 'ghcr.io/a/b', 'file.bin'], 'blob push'],
    // two words at most: a bare word argument after a one-word command makes its own key
    [['push', 'localhost', 'file'], 'push localhost'],
    [['manifest', 'fetch', 'myregistry', 'x'], 'manifest fetch'],
    [['resolve', 'ghcr.io/a/b@sha256:abc'], 'resolve'],
    [['--debug', 'pull', 'x'], '-'],
    [['Pull', 'x'], '-'],
    [['login', '-u', 'me', 'registry.example'], 'login'],
  ])('%j is %j', (argv, key) => {
    expect(commandKey(argv)).toBe(key);
  });
});

describe('fallbackCache', () => {
  const prefix = `bundle-${'a'.repeat(32)}-`;
  const own = `${prefix}00000001.v8cache`;
  it('takes the smallest cache of the same build, never its own', () => {
    expect(
      fallbackCache(
        [
          { name: own, size: 10 },
          { name: `${prefix}00000002.v8cache`, size: 900 },
          { name: `${prefix}00000003.v8cache`, size: 700 },
          { name: `${prefix}00000004.v8cache`, size: 800 },
        ],
        prefix,
        own,
      ),
    ).toBe(`${prefix}00000003.v8cache`);
  });
  it('takes nothing of another build, a temporary file or another name', () => {
    expect(
      fallbackCache(
        [
          { name: own, size: 10 },
          { name: `bundle-${'b'.repeat(32)}-00000002.v8cache`, size: 1 },
          { name: `${prefix}00000003.v8cache.123.tmp`, size: 1 },
          { name: `${prefix}00000004.v8cache.bak`, size: 1 },
          { name: `${prefix}notahash.v8cache`, size: 1 },
        ],
        prefix,
        own,
      ),
    ).toBeUndefined();
  });
});

describe('loadCommonJs', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.unstubAllEnvs();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A bundle file of `code` (wrapped or not) in a fresh folder, the cache in another. */
  function bundleOf(code: string) {
    const dir = mkdtempSync(join(tmpdir(), 'oras-cjs-'));
    const cache = mkdtempSync(join(tmpdir(), 'oras-cjs-cache-'));
    dirs.push(dir, cache);
    vi.stubEnv('XDG_CACHE_HOME', cache);
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, code, 'latin1');
    return file;
  }

  const CODE = `const path = require('node:path');
exports.answer = 42;
exports.where = path.basename(__dirname) === path.basename(path.dirname(__filename));
module.exports.named = 'bundle';`;

  it.each([
    ['a plain CommonJS file', CODE],
    ['a file wrapped already', `${COMMONJS_WRAPPER_HEAD}${CODE}${COMMONJS_WRAPPER_TAIL}`],
  ])('runs %s with the CommonJS arguments', (_, code) => {
    const file = bundleOf(code);
    const bundle = {
      file,
      hash: 'a'.repeat(32),
      v8Flags: [],
      require: createRequire(file),
      command: 'test',
    };
    expect(loadCommonJs(bundle)).toEqual({ answer: 42, where: true, named: 'bundle' });
  });
});
