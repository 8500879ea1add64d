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
  it('has an example that packs files into an OCI layout and reads them back', async () => {
    const [block] = await examples();
    expect(block).toContain("from '@oras/content/oci'");
    expect(block).toContain('packManifest(');
    expect(block).toContain('openReadOnly(');
  });

  it('runs its examples without an error (their assertions hold)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oras-content-readme-'));
    try {
      for (const [i, block] of (await examples()).entries()) {
        const file = join(dir, `example-${i}.ts`);
        await writeFile(file, block);
        await import(/* @vite-ignore */ file);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
