/**
 * Each package must be publishable on its own: `pnpm pack` gives a tarball with built JavaScript,
 * type declarations, README and licence, with internal dependencies turned into version ranges;
 * installing only @oras/registry's tarballs (and its dependencies') works without yargs; installing
 * the CLI's gives a working `oras` binary.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const packages = ['spec', 'auth', 'content', 'registry', 'cli'] as const;
let work: string;
const tarballs = new Map<string, string>();

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function listTarball(file: string): string[] {
  return run('tar', ['-tzf', file], work).trim().split('\n');
}

function manifestOf(file: string): Record<string, unknown> {
  return JSON.parse(run('tar', ['-xzOf', file, 'package/package.json'], work)) as Record<string, unknown>;
}

function install(dir: string, names: string[]): void {
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...names.map((n) => tarballs.get(n) as string),
    ],
    dir,
  );
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'oras-pack-'));
  for (const pkg of packages) {
    run('pnpm', ['pack', '--pack-destination', work], join(root, 'packages', pkg));
  }
  for (const file of readdirSync(work).filter((f) => f.endsWith('.tgz'))) {
    const name = manifestOf(join(work, file)).name as string;
    tarballs.set(name, join(work, file));
  }
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packed packages', () => {
  it.each(packages)('@oras/%s holds built JavaScript, declarations, README and licence', (pkg) => {
    const file = tarballs.get(`@oras/${pkg}`);
    expect(file, `no tarball for @oras/${pkg}`).toBeDefined();
    const entries = listTarball(file as string);
    expect(entries).toContain('package/dist/index.js');
    expect(entries).toContain('package/dist/index.d.ts');
    expect(entries).toContain('package/README.md');
    expect(entries).toContain('package/LICENSE');
    expect(entries.some((e) => e.endsWith('.test.js'))).toBe(false);
    expect(entries.some((e) => e.includes('/src/'))).toBe(false);
    const manifest = manifestOf(file as string);
    for (const range of Object.values((manifest.dependencies ?? {}) as Record<string, string>)) {
      expect(range).not.toMatch(/^workspace:/);
    }
  });

  it.each(packages)('@oras/%s passes publint', (pkg) => {
    const publint = join(root, 'node_modules', '.bin', 'publint');
    const out = run(publint, ['--strict', tarballs.get(`@oras/${pkg}`) as string], work);
    expect(out).toContain('All good!');
  });

  it('@oras/spec has no runtime dependencies', () => {
    const manifest = manifestOf(tarballs.get('@oras/spec') as string);
    expect(Object.keys((manifest.dependencies ?? {}) as object)).toEqual([]);
  });

  it('installs @oras/registry alone, without yargs, and loads it', () => {
    const dir = mkdtempSync(join(work, 'registry-only-'));
    install(dir, ['@oras/spec', '@oras/auth', '@oras/content', '@oras/registry']);
    expect(existsSync(join(dir, 'node_modules', 'yargs'))).toBe(false);
    const out = run(
      'node',
      ['-e', "import('@oras/registry').then((m) => console.log(Object.keys(m).length))"],
      dir,
    );
    expect(Number(out.trim())).toBeGreaterThan(0);
  });

  it('installs the CLI and gives a working oras binary', () => {
    const dir = mkdtempSync(join(work, 'cli-'));
    install(dir, ['@oras/spec', '@oras/auth', '@oras/content', '@oras/registry', '@oras/cli']);
    const version = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8'))
      .version as string;
    const out = run(join(dir, 'node_modules', '.bin', 'oras'), ['version'], dir);
    expect(out).toContain(version);
  });
});
