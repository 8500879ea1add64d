/**
 * `toNodeReadable` exists because `Readable.fromWeb(response.body)` does not type-check in a
 * project whose `lib` has the DOM: there the web stream is the DOM's type. This compiles a
 * consumer's file with the DOM library and the strict flags users have against the built
 * declarations (so it needs `pnpm build` first, as `pnpm test` does through turbo).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('toNodeReadable with the DOM library', () => {
  it('accepts the body of a DOM fetch, where Readable.fromWeb does not type-check', {
    timeout: 120_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oras-dom-types-'));
    try {
      const consumer = (call: string) => `
        import { createWriteStream } from 'node:fs';
        import { Readable } from 'node:stream';
        import { pipeline } from 'node:stream/promises';
        import { toNodeReadable } from ${JSON.stringify(dist)};
        export async function save(url: string, path: string): Promise<void> {
          const response = await fetch(url);
          if (response.body === null) throw new Error('no body');
          void Readable;
          await pipeline(${call}, createWriteStream(path));
        }
      `;
      const ours = join(dir, 'ours.ts');
      const theirs = join(dir, 'theirs.ts');
      await writeFile(ours, consumer('toNodeReadable(response.body)'));
      await writeFile(theirs, consumer('Readable.fromWeb(response.body)'));
      // one compiler run for both files: type-checking is slow on a busy machine
      const run = spawnSync(
        process.execPath,
        [
          tsc,
          '--noEmit',
          '--strict',
          '--exactOptionalPropertyTypes',
          '--noUncheckedIndexedAccess',
          '--skipLibCheck',
          '--target',
          'ES2023',
          '--lib',
          'ES2023,DOM',
          '--module',
          'NodeNext',
          '--moduleResolution',
          'NodeNext',
          '--types',
          'node',
          '--typeRoots',
          fileURLToPath(new URL('../../../node_modules/@types', import.meta.url)),
          ours,
          theirs,
        ],
        { encoding: 'utf8' },
      );
      const errors = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.includes('error TS'));
      expect(errors.filter((line) => line.includes('ours.ts'))).toEqual([]);
      expect(errors.some((line) => line.includes('theirs.ts'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
