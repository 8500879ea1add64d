/**
 * The V8 code cache of the CommonJS bundle (`src/compile-cache.ts`), through the built `oras`
 * (`dist/bin.cjs`) as a child process: where the cache is written and with which modes, that bad
 * or foreign cache data and an unsafe directory never reach the user, the switch that turns it
 * off, that help and version never load the bundle, and that a command prints the same through
 * the entry as through the ES module bundle (`dist/bin.js`). Every run has a temporary HOME.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ORAS_BIN } from './fixture.js';

const ES_BIN = join(dirname(ORAS_BIN), 'bin.js');
const scratch = mkdtempSync(join(tmpdir(), 'oras-compile-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let homes = 0;
/** A fresh, empty home. */
function freshHome(): string {
  const home = join(scratch, `home-${++homes}`);
  mkdirSync(home, { mode: 0o700 });
  return home;
}

/** Runs `node <bin> <args>` with `env` (and PATH) in `cwd`; never throws. */
async function run(
  args: readonly string[],
  env: Record<string, string>,
  bin = ORAS_BIN,
  cwd = scratch,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

/** The cache files in a cache directory. */
function cacheFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v8cache')) : [];
}

// nothing listens on port 1: the command loads everything it needs, sends its request and fails
const COMMAND = ['resolve', '--plain-http', '127.0.0.1:1/hello:v1'];
const FAILED = {
  code: 1,
  stdout: '',
  stderr: 'Error: failed to resolve digest: cannot reach 127.0.0.1:1: connection refused\n',
};

describe('compile cache', () => {
  it('is written at ~/.cache/oras, 0600 in a 0700 directory of ours, and used by the next run', async () => {
    const home = freshHome();
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    const dir = join(home, '.cache', 'oras');
    const files = cacheFiles(dir);
    expect(files).toHaveLength(1);
    const dirStat = statSync(dir);
    expect(dirStat.mode & 0o777).toBe(0o700);
    expect(dirStat.uid).toBe(process.getuid?.());
    const file = join(dir, files[0] as string);
    const fileStat = statSync(file);
    expect(fileStat.mode & 0o777).toBe(0o600);
    expect(fileStat.uid).toBe(process.getuid?.());
    expect(fileStat.size).toBeGreaterThan(0);
    // no temporary file left behind
    expect(readdirSync(dir)).toEqual(files);
    // accepted by the next run, which does not write it again
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    expect(statSync(file).ino).toBe(fileStat.ino);
    expect(statSync(file).mtimeMs).toBe(fileStat.mtimeMs);
  });

  it('keeps a cache of its own for each command', async () => {
    const home = freshHome();
    const dir = join(home, '.cache', 'oras');
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    const [resolveCache] = cacheFiles(dir);
    const resolveStat = statSync(join(dir, resolveCache as string));
    // another command writes its own file and leaves the first as it was
    const fetch = await run(['manifest', 'fetch', '--plain-http', '127.0.0.1:1/hello:v1'], { HOME: home });
    expect(fetch.code).toBe(1);
    const files = cacheFiles(dir);
    expect(files).toHaveLength(2);
    const fetchCache = files.find((f) => f !== resolveCache) as string;
    const fetchStat = statSync(join(dir, fetchCache));
    expect(statSync(join(dir, resolveCache as string)).mtimeMs).toBe(resolveStat.mtimeMs);
    // each is used by its command's next run, which writes neither again
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    expect(
      (await run(['manifest', 'fetch', '--plain-http', '127.0.0.1:1/hello:v1'], { HOME: home })).code,
    ).toBe(1);
    expect(cacheFiles(dir).sort()).toEqual(files.sort());
    for (const [file, stat] of [
      [resolveCache as string, resolveStat],
      [fetchCache, fetchStat],
    ] as const) {
      expect(statSync(join(dir, file)).ino).toBe(stat.ino);
      expect(statSync(join(dir, file)).mtimeMs).toBe(stat.mtimeMs);
    }
  });

  it('starts a command without a cache of its own from another: its cache then holds that code too', async () => {
    const args = ['manifest', 'fetch', '--plain-http', '127.0.0.1:1/hello:v1'];
    // written from scratch
    const alone = freshHome();
    expect((await run(args, { HOME: alone })).code).toBe(1);
    const aloneDir = join(alone, '.cache', 'oras');
    const [scratchCache] = cacheFiles(aloneDir) as [string];
    const scratchSize = statSync(join(aloneDir, scratchCache)).size;
    // written by a first run that started from resolve's cache, whose functions stay compiled
    const home = freshHome();
    const dir = join(home, '.cache', 'oras');
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    expect((await run(args, { HOME: home })).code).toBe(1);
    expect(cacheFiles(dir)).toContain(scratchCache);
    // (resolve's own code is ~8 KB of it here; the same command's cache varies by ~100 bytes)
    expect(statSync(join(dir, scratchCache)).size).toBeGreaterThan(scratchSize + 2048);
  });

  it('starts a command without a cache of its own from another, and a bad one does not stop it', async () => {
    const home = freshHome();
    const dir = join(home, '.cache', 'oras');
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    const [resolveCache] = cacheFiles(dir) as [string];
    expect(resolveCache).toMatch(/^bundle-[0-9a-f]{32}-[0-9a-f]{8}\.v8cache$/);
    // a smaller file of the same build, so it is the one a new command starts from: garbage
    const sibling = `${resolveCache.slice(0, -'12345678.v8cache'.length)}ffffffff.v8cache`;
    writeFileSync(join(dir, sibling), 'not a cache', { mode: 0o600 });
    const args = ['manifest', 'fetch', '--plain-http', '127.0.0.1:1/hello:v1'];
    const expected = await run(args, { HOME: freshHome(), ORAS_NO_COMPILE_CACHE: '1' });
    expect(expected.code).toBe(1);
    expect(await run(args, { HOME: home })).toEqual(expected);
    // it wrote a cache of its own, and left the others as they were
    const files = cacheFiles(dir);
    expect(files).toHaveLength(3);
    const fetchCache = files.find((f) => f !== resolveCache && f !== sibling) as string;
    expect(statSync(join(dir, fetchCache)).size).toBeGreaterThan(1000);
    expect(await run(args, { HOME: home })).toEqual(expected);
  });

  it('keeps the fifteen most recent other cache files when it writes one, and removes stale temporary files', async () => {
    const home = freshHome();
    const dir = join(home, '.cache', 'oras');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const now = Date.now() / 1000;
    const hex = (n: number): string => n.toString(16).padStart(32, '0');
    // seventeen caches of other builds or commands, written 1 to 17 days ago; temporary files an
    // hour and a second old
    for (let day = 1; day <= 17; day++) {
      const file = join(dir, `bundle-${hex(day)}.v8cache`);
      writeFileSync(file, 'old cache', { mode: 0o600 });
      utimesSync(file, now - day * 86400, now - day * 86400);
    }
    const stale = `bundle-${hex(9)}.v8cache.12345.tmp`;
    const fresh = `bundle-${hex(9)}.v8cache.12346.tmp`;
    writeFileSync(join(dir, stale), 'partial', { mode: 0o600 });
    utimesSync(join(dir, stale), now - 3600, now - 3600);
    writeFileSync(join(dir, fresh), 'partial', { mode: 0o600 });
    // what is not named as a cache file stays, whatever its age
    for (const other of ['pushed-digests.json', 'bundle-notes.txt', `bundle-${hex(7)}.v8cache.bak`]) {
      writeFileSync(join(dir, other), 'not a cache', { mode: 0o600 });
      utimesSync(join(dir, other), now - 30 * 86400, now - 30 * 86400);
    }
    mkdirSync(join(dir, `bundle-${hex(88)}.v8cache`));
    utimesSync(join(dir, `bundle-${hex(88)}.v8cache`), now - 30 * 86400, now - 30 * 86400);

    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    const written = cacheFiles(dir).filter((f) => !/^bundle-0{29}/.test(f));
    expect(written).toHaveLength(1);
    expect(readdirSync(dir).sort()).toEqual(
      [
        written[0] as string,
        ...Array.from({ length: 15 }, (_, i) => `bundle-${hex(i + 1)}.v8cache`),
        `bundle-${hex(88)}.v8cache`,
        fresh,
        'pushed-digests.json',
        'bundle-notes.txt',
        `bundle-${hex(7)}.v8cache.bak`,
      ].sort(),
    );
    // a run that uses its cache sweeps nothing
    writeFileSync(join(dir, stale), 'partial', { mode: 0o600 });
    utimesSync(join(dir, stale), now - 3600, now - 3600);
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    expect(existsSync(join(dir, stale))).toBe(true);
  });

  it('is written under $XDG_CACHE_HOME/oras when it is set', async () => {
    const home = freshHome();
    const xdg = join(home, 'xdg');
    expect(await run(COMMAND, { HOME: home, XDG_CACHE_HOME: xdg })).toEqual(FAILED);
    expect(cacheFiles(join(xdg, 'oras'))).toHaveLength(1);
    expect(existsSync(join(home, '.cache'))).toBe(false);
  });

  it('ignores a corrupt cache file, runs the command and writes the file again', async () => {
    const home = freshHome();
    await run(COMMAND, { HOME: home });
    const dir = join(home, '.cache', 'oras');
    const file = join(dir, cacheFiles(dir)[0] as string);
    for (const garbage of ['not a cache', Buffer.alloc(4096, 0xa5)]) {
      writeFileSync(file, garbage, { mode: 0o600 });
      const size = statSync(file).size;
      expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
      expect(statSync(file).size).not.toBe(size);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(cacheFiles(dir)).toHaveLength(1);
  });

  it('does not use a cache directory that its group or others may write to', async () => {
    const home = freshHome();
    const dir = join(home, '.cache', 'oras');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o770);
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    expect(readdirSync(dir)).toEqual([]);
    chmodSync(dir, 0o707);
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does not read a cache file that others may write to', async () => {
    const home = freshHome();
    await run(COMMAND, { HOME: home });
    const dir = join(home, '.cache', 'oras');
    const file = join(dir, cacheFiles(dir)[0] as string);
    writeFileSync(file, 'planted');
    chmodSync(file, 0o666);
    // not read, so not rejected: the run compiles from source and writes a fresh file of its own
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is off with ORAS_NO_COMPILE_CACHE=1', async () => {
    const home = freshHome();
    expect(await run(COMMAND, { HOME: home, ORAS_NO_COMPILE_CACHE: '1' })).toEqual(FAILED);
    expect(existsSync(join(home, '.cache'))).toBe(false);
  });

  it('runs without a cache when there is no home or it cannot be written', async () => {
    expect(await run(COMMAND, {})).toEqual(FAILED);
    expect(await run(COMMAND, { HOME: 'relative/home' })).toEqual(FAILED);
    const home = freshHome();
    writeFileSync(join(home, '.cache'), 'a file where the directory would be');
    expect(await run(COMMAND, { HOME: home })).toEqual(FAILED);
    const readOnly = freshHome();
    chmodSync(readOnly, 0o500);
    try {
      expect(await run(COMMAND, { HOME: readOnly })).toEqual(FAILED);
    } finally {
      chmodSync(readOnly, 0o700);
    }
  });

  it.each([[['version']], [['--help']], [[]], [['help', 'push']], [['push', '--help']], [['tag', '-h']]])(
    'oras %j does not load the CommonJS bundle (no cache written)',
    async (args) => {
      const home = freshHome();
      const result = await run(args, { HOME: home });
      expect(result.code).toBe(0);
      expect(result.stdout.length).toBeGreaterThan(0);
      expect(existsSync(join(home, '.cache'))).toBe(false);
    },
  );

  it('prints the same for a command as the ES module bundle, with the cache cold and warm', async () => {
    const home = freshHome();
    const file = join(home, 'hello.txt');
    writeFileSync(file, 'hello\n');
    const layout = join(home, 'layout');
    const pushed = await run(
      ['push', '--oci-layout', `${layout}:v1`, 'hello.txt'],
      { HOME: home },
      ORAS_BIN,
      home,
    );
    expect(pushed.code).toBe(0);
    for (const args of [
      ['resolve', '--oci-layout', `${layout}:v1`],
      ['manifest', 'fetch', '--oci-layout', `${layout}:v1`],
      ['repo', 'tags', '--oci-layout', layout],
      ['resolve', '--oci-layout', `${layout}:missing`],
      COMMAND,
    ]) {
      const expected = await run(args, { HOME: home, ORAS_NO_COMPILE_CACHE: '1' }, ES_BIN);
      expect(await run(args, { HOME: home })).toEqual(expected);
      expect(await run(args, { HOME: home })).toEqual(expected);
    }
  });
});
