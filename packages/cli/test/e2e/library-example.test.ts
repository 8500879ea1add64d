/**
 * The oras v0.9 README's Go library example, in TypeScript (`oras-go-example.ts`), run against
 * Debian's `docker-registry` on a `localhost:<port>` address: it prints what the Go example prints,
 * leaves `hello.txt` with its content, and what it pushed is an artifact the `oras` CLI pulls.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256, withDistribution } from './fixture.js';
import { main } from './oras-go-example.js';

const e2e = withDistribution();

describe('the oras v0.9 README Go example, in TypeScript', () => {
  it('pushes hello.txt with its custom media type and pulls it back, printing what main.go prints', async () => {
    const ref = `localhost:${e2e.registry.port}/oras:test`;
    const lines: string[] = [];
    await main(ref, (line) => lines.push(line), e2e.box.dir);

    const digest = (await e2e.box.ok(['resolve', ref])).stdout.trim();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lines).toEqual([
      `Pushing hello.txt to ${ref}...`,
      `Pushed to ${ref} with digest ${digest}`,
      `Pulling from ${ref} and saving to hello.txt...`,
      `Pulled from ${ref} with digest ${digest}`,
      "Try running 'cat hello.txt'",
    ]);
    expect(await readFile(join(e2e.box.dir, 'hello.txt'), 'utf8')).toBe('Hello World!\n');
    // only the allowed media type was written: no config, no manifest file
    expect((await readdir(e2e.box.dir)).filter((n) => !n.startsWith('.'))).toEqual(['hello.txt']);
  });

  it('pushes what v0.9 pushed: an image manifest with the `{}` config and the titled layer', async () => {
    const ref = `localhost:${e2e.registry.port}/oras:test`;
    const res = await e2e.box.ok(['manifest', 'fetch', ref]);
    const manifest = JSON.parse(res.stdout);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config).toEqual({
      mediaType: 'application/vnd.unknown.config.v1+json',
      digest: sha256('{}'),
      size: 2,
    });
    expect(manifest.layers).toEqual([
      {
        mediaType: 'my.custom.media.type',
        digest: sha256('Hello World!\n'),
        size: 13,
        annotations: { 'org.opencontainers.image.title': 'hello.txt' },
      },
    ]);
    const out = join(e2e.box.dir, 'cli-pull');
    await e2e.box.ok(['pull', ref, '-o', out]);
    expect(await readFile(join(out, 'hello.txt'), 'utf8')).toBe('Hello World!\n');
  });
});
