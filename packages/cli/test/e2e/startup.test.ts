/**
 * What the built `oras` loads at startup, read from Node's ESM loader trace (deterministic, unlike
 * timings; `scripts/bench-startup.mjs` measures the time): help and version load none of yargs or
 * the libraries, and a command's help loads yargs but no HTTP, tar or store code.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ORAS_BIN } from './fixture.js';

/** The module URLs loaded by one run, and what it printed. */
async function loaded(args: readonly string[]): Promise<{ modules: string[]; stdout: string }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [ORAS_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', NODE_DEBUG: 'esm' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const modules = [...new Set(stderr.match(/file:\/\/[^\s'"]+/g) ?? [])];
  return { modules, stdout };
}

describe('startup', () => {
  it.each([[['version']], [['--help']], [[]], [['help']]])(
    'oras %j loads no yargs and no library',
    async (args) => {
      const { modules, stdout } = await loaded(args);
      expect(stdout.length).toBeGreaterThan(0);
      expect(modules.some((m) => m.includes('/cli/dist/main.js'))).toBe(true);
      expect(
        modules.filter((m) => /yargs|undici|\/tar@|packages\/(spec|auth|content|registry)\//.test(m)),
      ).toEqual([]);
    },
  );

  it('loads yargs for a command help, but no transport, tar or store code', async () => {
    const { modules, stdout } = await loaded(['push', '--help']);
    expect(stdout).toContain('oras push');
    expect(modules.some((m) => m.includes('yargs'))).toBe(true);
    expect(
      modules.filter((m) => /undici|\/tar@|packages\/(auth|content|registry)\/|\/run\.js/.test(m)),
    ).toEqual([]);
  });
});
