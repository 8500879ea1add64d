/**
 * `oras push` to a registry sends each regular file straight from disk (a large one hashed ahead
 * of its upload): what lands in the registry is the same artifact, and the status lines are oras's.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256, skopeo, withDistribution } from './fixture.js';

// larger than the 4 MiB that pushFile reads into memory, so it streams
const big = Buffer.alloc(5 * 1024 * 1024 + 3);
for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;

// larger than what the upload may send before the digest is known (16 MiB + an eighth of it)
const large = Buffer.alloc(64 * 1024 * 1024);
for (let i = 0; i < large.length; i += 4096) large.writeUInt32BE(i + 5, i);

const e2e = withDistribution({
  files: { 'big.bin': big, 'small.txt': 'small\n', 'dir/x': 'x', 'large.bin': large },
});

/**
 * The bytes docker-registry keeps for its upload sessions (`.../_uploads/<id>/data`). (A
 * cancelled session leaves a small `hashstates/sha256/0` file of its own, whatever the client.)
 */
async function uploadFiles(): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, inUploads: boolean): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const within = inUploads || entry.name === '_uploads';
      if (entry.isDirectory()) await walk(path, within);
      else if (within && entry.name === 'data') found.push(path);
    }
  };
  await walk(e2e.registry.dir, false);
  return found;
}

describe('oras push of files to a registry', () => {
  it('pushes a streamed file, a small file and a folder, and pulls them back intact', async () => {
    const ref = `${e2e.registry.host}/direct:v1`;
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      ref,
      'big.bin:application/x-big',
      'small.txt',
      'dir',
    ]);
    const lines = res.stdout.trimEnd().split('\n');
    const bigDigest = sha256(big);
    // hashed ahead of its upload: its line comes once the registry said it lacks the blob
    expect(lines).toContain('Uploading big.bin');
    expect(lines).toContain(`Uploaded  ${bigDigest.slice(7, 19)} big.bin`);
    expect(lines.indexOf('Uploading big.bin')).toBeLessThan(
      lines.indexOf(`Uploaded  ${bigDigest.slice(7, 19)} big.bin`),
    );
    expect(lines).toContain(`Uploaded  ${sha256('small\n').slice(7, 19)} small.txt`);
    expect(lines.some((l) => /^Uploaded {2}[0-9a-f]{12} dir$/.test(l))).toBe(true);
    const manifest = JSON.parse(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]));
    expect(manifest.layers.map((l: { digest: string }) => l.digest).slice(0, 2)).toEqual([
      bigDigest,
      sha256('small\n'),
    ]);
    expect(manifest.layers[0]).toEqual({
      mediaType: 'application/x-big',
      digest: bigDigest,
      size: big.length,
      annotations: { 'org.opencontainers.image.title': 'big.bin' },
    });

    await e2e.box.ok(['pull', '--plain-http', ref, '-o', 'out']);
    expect(sha256(await readFile(join(e2e.box.dir, 'out', 'big.bin')))).toBe(bigDigest);
    expect(await readFile(join(e2e.box.dir, 'out', 'small.txt'), 'utf8')).toBe('small\n');
    expect(await readFile(join(e2e.box.dir, 'out', 'dir', 'x'), 'utf8')).toBe('x');
  });

  it('reports a small file the registry already has as Exists on a second push', async () => {
    const ref = `${e2e.registry.host}/direct:v2`;
    await e2e.box.ok(['push', '--plain-http', ref, 'small.txt']);
    const again = await e2e.box.ok(['push', '--plain-http', ref, 'small.txt']);
    expect(again.stdout.split('\n')).toContain(`Exists    ${sha256('small\n').slice(7, 19)} small.txt`);
  });

  it('reports a large file the registry already has as Exists, without sending it again', async () => {
    const first = `${e2e.registry.host}/again:v1`;
    const second = `${e2e.registry.host}/again:v2`;
    await e2e.box.ok(['push', '--plain-http', first, 'big.bin']);
    const again = await e2e.box.ok(['push', '--plain-http', second, 'big.bin']);
    const lines = again.stdout.split('\n');
    // as oras prints a blob the registry has: Exists, and no Uploading or Uploaded line
    expect(lines).toContain(`Exists    ${sha256(big).slice(7, 19)} big.bin`);
    expect(lines.filter((l) => /^Upload/.test(l) && l.endsWith(' big.bin'))).toEqual([]);
    await e2e.box.ok(['pull', '--plain-http', second, '-o', 'again']);
    expect(sha256(await readFile(join(e2e.box.dir, 'again', 'big.bin')))).toBe(sha256(big));
  });

  it('leaves no upload behind in the registry when it stops the upload of a blob the registry has', async () => {
    await e2e.box.ok(['push', '--plain-http', `${e2e.registry.host}/left:v1`, 'large.bin']);
    expect(await uploadFiles()).toEqual([]);
    // without the digest hint, the upload starts before the digest is known and is stopped
    // halfway: its session must be cancelled (docker-registry refuses a DELETE that carries the
    // state of before the bytes it got, and then keeps those bytes)
    const again = await e2e.box.run(['push', '--plain-http', `${e2e.registry.host}/left:v2`, 'large.bin'], {
      env: { ORAS_NO_DIGEST_HINTS: '1' },
    });
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')).toContain(`Exists    ${sha256(large).slice(7, 19)} large.bin`);
    expect(await uploadFiles()).toEqual([]);
  });
});
