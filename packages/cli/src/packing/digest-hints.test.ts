import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIGEST_HINTS_FILE, DigestHints, MAX_HINTS } from './digest-hints.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('DigestHints', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oras-hints-'));
    env = { XDG_CACHE_HOME: join(dir, 'cache') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const hintsPath = () => join(dir, 'cache', 'oras', DIGEST_HINTS_FILE);

  it('remembers a digest across runs, in a 0600 file, while the file stays as it was', () => {
    const a = file('a.bin', 'aaaa');
    const first = DigestHints.load(env);
    expect(first.get(a)).toBeUndefined();
    first.set(a, D1);
    first.save();
    expect(statSync(hintsPath()).mode & 0o777).toBe(0o600);
    expect(DigestHints.load(env).get(a)).toBe(D1);
    // any change to the file (here its size and times) makes the entry not match any more
    writeFileSync(a, 'aaaaa');
    expect(DigestHints.load(env).get(a)).toBeUndefined();
  });

  it('keeps at most MAX_HINTS files, forgetting the oldest', () => {
    const hints = DigestHints.load(env);
    const paths = Array.from({ length: MAX_HINTS + 1 }, (_, i) => file(`f${i}`, `${i}`));
    for (const path of paths) hints.set(path, D1);
    hints.save();
    const saved = JSON.parse(readFileSync(hintsPath(), 'utf8'));
    expect(Object.keys(saved)).toHaveLength(MAX_HINTS);
    const again = DigestHints.load(env);
    expect(again.get(paths[0]!)).toBeUndefined();
    expect(again.get(paths[MAX_HINTS]!)).toBe(D1);
  });

  it('ignores a file that is not JSON, and entries that are not digests', () => {
    const a = file('a.bin', 'aaaa');
    const hints = DigestHints.load(env);
    hints.set(a, D2);
    hints.save();
    const key = Object.keys(JSON.parse(readFileSync(hintsPath(), 'utf8')))[0]!;
    writeFileSync(hintsPath(), JSON.stringify({ [key]: 'sha256:not-hex' }));
    expect(DigestHints.load(env).get(a)).toBeUndefined();
    writeFileSync(hintsPath(), 'not json');
    expect(DigestHints.load(env).get(a)).toBeUndefined();
  });

  it('is not turned off with the code cache (ORAS_NO_COMPILE_CACHE=1)', () => {
    const a = file('a.bin', 'aaaa');
    const hints = DigestHints.load({ ...env, ORAS_NO_COMPILE_CACHE: '1' });
    hints.set(a, D1);
    hints.save();
    expect(DigestHints.load(env).get(a)).toBe(D1);
  });

  it('does nothing without a usable cache directory, or with ORAS_NO_DIGEST_HINTS=1', () => {
    const a = file('a.bin', 'aaaa');
    for (const without of [{ HOME: 'relative/home' }, { ...env, ORAS_NO_DIGEST_HINTS: '1' }]) {
      const hints = DigestHints.load(without);
      hints.set(a, D1);
      hints.save();
      expect(hints.get(a)).toBeUndefined();
    }
    expect(existsSync(hintsPath())).toBe(false);
  });
});
