/**
 * What the built `oras` evaluates at startup, read from Node's ESM loader trace (deterministic,
 * unlike timings; `scripts/bench-startup.mjs` measures the time): help and version load none of
 * yargs or the libraries, a command's help loads no yargs, HTTP, tar or store code, and a command
 * runs without yargs unless its flags need yargs' reading (`src/flag-parser.ts`).
 *
 * The package's `oras` is `dist/bin.cjs` (`src/bin-commonjs.ts`): it sends help and version to
 * the ES module bundle `dist/bin.js` and its chunks (`scripts/bundle.mjs`), where the trace names
 * the chunks and `dist/bundle-meta.json` says which source files each chunk holds; every other
 * command line runs the CommonJS bundle `dist/oras.cjs`, which no ESM trace shows. That bundle
 * holds the same modules, evaluated on first use as in the chunks (esbuild's lazy module
 * wrappers), so what a command loads is shown by running it through `dist/bin.js`, which runs
 * every command line too.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMONJS_WRAPPER_HEAD, COMMONJS_WRAPPER_TAIL } from '../../src/compile-cache.js';
import { ORAS_BIN } from './fixture.js';

const dist = dirname(ORAS_BIN);
/** The ES module entry, which help and version go to and which runs every command line too. */
const ES_BIN = resolve(dist, 'bin.js');
const packageDir = dirname(dist);
const chunks = JSON.parse(readFileSync(resolve(dist, 'bundle-meta.json'), 'utf8')) as Record<
  string,
  string[]
>;

/** The source files (absolute paths) in the chunks one run loaded, and what it printed. */
async function loaded(
  args: readonly string[],
  bin = ORAS_BIN,
): Promise<{ sources: string[]; stdout: string; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
    // no compile cache: nothing written to a home
    env: { PATH: process.env.PATH ?? '', NODE_DEBUG: 'esm', ORAS_NO_COMPILE_CACHE: '1' },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { code?: unknown; stdout: string; stderr: string }) => {
    // a failed run (exit code 1) still says what it loaded
    if (error.code !== 1) throw error;
    return error;
  });
  const urls = new Set(stderr.match(/file:\/\/[^\s'"]+/g) ?? []);
  const sources = new Set<string>();
  for (const url of urls) {
    const chunk = fileURLToPath(url).slice(dist.length + 1);
    const inputs = chunks[chunk];
    if (inputs === undefined) throw new Error(`${url} is not a chunk of the bundle`);
    for (const input of inputs) sources.add(resolve(packageDir, input));
  }
  return { sources: [...sources], stdout, stderr };
}

describe('startup', () => {
  it.each([[ORAS_BIN], [ES_BIN]])('runs bundles whose entry %s is executable', (bin) => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(bin).mode & 0o755).toBe(0o755);
  });

  it('runs a command from the CommonJS bundle, without the ES module bundle', async () => {
    const { sources, stderr } = await loaded(['resolve', '--plain-http', '-l', '127.0.0.1:1/hello:v1']);
    expect(stderr).toMatch(/^Error: /m);
    expect(sources).toEqual([]);
  });

  it('ships the CommonJS bundle wrapped, so that it is compiled without a copy', () => {
    const bundle = readFileSync(resolve(dist, 'oras.cjs'), 'latin1');
    expect(bundle.startsWith(COMMONJS_WRAPPER_HEAD)).toBe(true);
    expect(bundle.endsWith(COMMONJS_WRAPPER_TAIL)).toBe(true);
  });

  it.each([[['version']], [['--help']], [[]], [['help']]])(
    'oras %j loads no yargs and no library',
    async (args) => {
      const { sources, stdout } = await loaded(args);
      expect(stdout.length).toBeGreaterThan(0);
      expect(sources.some((m) => m.endsWith('/cli/src/main.ts'))).toBe(true);
      expect(
        sources.filter((m) => /yargs|undici|\/tar@|packages\/(spec|auth|content|registry)\//.test(m)),
      ).toEqual([]);
    },
  );

  it('loads no yargs, transport, tar or store code for a command help', async () => {
    const { sources, stdout } = await loaded(['push', '--help']);
    expect(stdout).toContain('oras push');
    expect(sources.some((m) => m.endsWith('/cli/src/help.ts'))).toBe(true);
    expect(
      sources.filter((m) => /yargs|undici|\/tar@|packages\/(auth|content|registry)\/|\/run\.ts$/.test(m)),
    ).toEqual([]);
  });

  it('runs a command without yargs', async () => {
    // nothing listens on port 1: the command runs, sends its request and fails
    const { sources, stderr } = await loaded(
      ['resolve', '--plain-http', '-l', '127.0.0.1:1/hello:v1'],
      ES_BIN,
    );
    expect(stderr).toMatch(/^Error: /m);
    expect(sources.some((m) => m.endsWith('/cli/src/commands/resolve/run.ts'))).toBe(true);
    expect(sources.some((m) => m.endsWith('/cli/src/flag-parser.ts'))).toBe(true);
    expect(sources.filter((m) => /yargs/.test(m))).toEqual([]);
  });

  it('loads yargs for flags only yargs reads, with its message', async () => {
    const { sources, stderr } = await loaded(
      ['resolve', '--progress', 'bogus', '127.0.0.1:1/hello:v1'],
      ES_BIN,
    );
    expect(stderr).toMatch(/^Error: invalid values:\\n {2}Argument: progress, Given: "bogus"/m);
    expect(sources.some((m) => /yargs/.test(m))).toBe(true);
    expect(sources.filter((m) => /packages\/registry\/|\/run\.ts$/.test(m))).toEqual([]);
  });
});
