import { describe, expect, it } from 'vitest';
import { commandKey } from './compile-cache.js';

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
