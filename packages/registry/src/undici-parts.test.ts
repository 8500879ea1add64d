/**
 * This package takes the parts of undici it uses from `@oras/auth` (see `auth/src/undici.ts`,
 * where they are loaded one by one and checked to be undici's own): importing it must not load
 * undici's root module, which costs about 10 MiB and 0.2 s of start-up.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('undici parts', () => {
  it('leave undici’s root module unloaded when the package is imported', () => {
    const script = `
      await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const { createRequire } = await import('node:module');
      const { default: Module } = await import('node:module');
      const roots = [${JSON.stringify(import.meta.url)}, ${JSON.stringify(
        new URL('../../auth/src/undici.ts', import.meta.url).href,
      )}].map((from) => createRequire(from).resolve('undici'));
      const loaded = roots.filter((root) => Object.keys(Module._cache).includes(root));
      console.log(loaded.length > 0 ? 'root loaded' : 'root not loaded');
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('root not loaded');
  });
});
