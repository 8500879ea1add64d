import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const README = new URL('../README.md', import.meta.url);

/** The README's ```ts code blocks. */
async function examples(): Promise<string[]> {
  const text = await readFile(README, 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

describe('README', () => {
  it('has a TypeScript example that imports @oras/spec', async () => {
    const blocks = await examples();
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks[0]).toContain("from '@oras/spec'");
  });

  it('runs its example without an error (its assertions hold)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oras-spec-readme-'));
    try {
      const blocks = await examples();
      for (const [i, block] of blocks.entries()) {
        const file = join(dir, `example-${i}.ts`);
        await writeFile(file, block);
        await import(/* @vite-ignore */ file);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
