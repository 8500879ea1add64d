/**
 * Memory stays bounded: a 64 MiB pull and push through the built `oras` (peak RSS measured with
 * `/usr/bin/time -f %M`), and a zip bomb in a directory layer refused at the unpack limit: by the
 * file store (the growth of its resident memory measured in process) and by `oras pull
 * --max-unpack-size` (peak RSS of the CLI). The limit is lowered to 32 MiB in both, so the bomb
 * is refused long before it fills the disk.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { FileStore } from '@oras/content/file';
import { beforeAll, describe, expect, it } from 'vitest';
import { useSandbox, useTestRegistry } from '../harness/fixture.js';
import { type TarEntry, directoryAnnotations, pushArtifactRaw, sha256, tarOf } from '../harness/craft.js';
import { cleanFailureProblems, successProblems } from '../harness/outcome.js';
import { diffTrees, pathsOutside } from '../harness/tree.js';
import {
  type ArtifactFile,
  makeBigArtifact,
  outputProblems,
  registryProblems,
  seedArtifact,
  writeArtifactFiles,
} from './big-artifact.js';

const MiB = 1024 * 1024;
/** The CLI's footprint plus working buffers; far below the 64 MiB it moves on top of its own size. */
const TRANSFER_BOUND_KIB = 200 * 1024;

let files: ArtifactFile[];

beforeAll(() => {
  files = makeBigArtifact();
});
const box = useSandbox();
const registry = useTestRegistry();

describe('memory of a 64 MiB transfer', () => {
  it('pulls with bounded memory', async () => {
    seedArtifact(registry, 'hostile/big', 'v1', files);
    const run = await box.run(['pull', `${registry.host}/hostile/big:v1`, '-o', box.out, '--plain-http'], {
      measureMemory: true,
    });
    expect(successProblems(run)).toEqual([]);
    expect(outputProblems(await box.snapshot(), 'out', files)).toEqual([]);
    expect(run.peakRssKiB).toBeLessThan(TRANSFER_BOUND_KIB);
  });

  it('pushes with bounded memory', async () => {
    await writeArtifactFiles(box.work, files);
    const run = await box.run(
      ['push', `${registry.host}/hostile/big:v1`, ...files.map((f) => f.name), '--plain-http'],
      {
        measureMemory: true,
      },
    );
    expect(successProblems(run)).toEqual([]);
    expect(registryProblems(registry, 'hostile/big', 'v1', files)).toEqual([]);
    expect(run.peakRssKiB).toBeLessThan(TRANSFER_BOUND_KIB);
  });
});

/** A tar+gzip of one file of `size` zero bytes, made as a stream (never held uncompressed). */
async function zipBomb(size: number): Promise<{ gz: Buffer; tarDigest: string }> {
  const header = tarOf([
    { name: 'bomb/', type: 'dir' },
    { name: 'bomb/zeros', type: 'file', data: '' },
  ] as TarEntry[]);
  // patch the size of the file entry (second header) and its checksum
  const head = Buffer.from(header.subarray(0, 1024));
  const entry = head.subarray(512, 1024);
  entry.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  entry.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of entry) sum += byte;
  entry.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const { createHash } = await import('node:crypto');
  const tarHash = createHash('sha256');
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const feed = async (chunk: Buffer) => {
    tarHash.update(chunk);
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  };
  await feed(head);
  const zeros = Buffer.alloc(4 * MiB);
  for (let left = size; left > 0; left -= zeros.byteLength)
    await feed(zeros.subarray(0, Math.min(left, zeros.byteLength)));
  await feed(Buffer.alloc(1024 + ((512 - (size % 512)) % 512)));
  gzip.end();
  await done;
  return { gz: Buffer.concat(out), tarDigest: `sha256:${tarHash.digest('hex')}` };
}

describe('a zip bomb in a directory layer', () => {
  it('is refused at the unpack limit, naming it, with bounded memory and nothing left behind', async () => {
    const { gz, tarDigest } = await zipBomb(512 * MiB);
    expect(gz.byteLength).toBeLessThan(2 * MiB);
    const annotations = {
      ...directoryAnnotations('bomb', Buffer.alloc(0)),
      'io.deis.oras.content.digest': tarDigest,
    };
    const desc = {
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: sha256(gz),
      size: gz.byteLength,
      annotations,
    };
    const store = new FileStore(box.out, { maxUnpackBytes: 32 * MiB, tempDir: box.tmp });
    await writeFile(join(box.outside, 'canary'), 'x');
    const before = await box.snapshot();
    const rssBefore = process.memoryUsage().rss;
    const error = await store.push(desc, gz).catch((e: unknown) => e);
    const grown = process.memoryUsage().rss - rssBefore;
    await store.close();
    expect(String((error as Error)?.message)).toMatch(/limit|exceed|size|large/i);
    expect(grown).toBeLessThan(128 * MiB);
    const diff = diffTrees(before, await box.snapshot());
    expect(pathsOutside(diff, ['out'])).toEqual([]);
    const leftovers = [...(await box.snapshot()).entries()].filter(
      ([p, e]) => p.startsWith('out/') && e.type === 'file',
    );
    expect(leftovers.map(([p]) => p)).toEqual([]);
  });

  it('is refused by oras pull --max-unpack-size, naming the limit, with bounded memory and nothing left', async () => {
    const { gz, tarDigest } = await zipBomb(512 * MiB);
    const descriptor = {
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: sha256(gz),
      size: gz.byteLength,
      annotations: {
        ...directoryAnnotations('bomb', Buffer.alloc(0)),
        'io.deis.oras.content.digest': tarDigest,
      },
    };
    await pushArtifactRaw({ url: registry.url }, 'hostile/bomb', 'v1', [{ bytes: gz, descriptor }]);
    await writeFile(join(box.outside, 'canary'), 'x');
    const before = await box.snapshot();
    const run = await box.run(
      [
        'pull',
        `${registry.host}/hostile/bomb:v1`,
        '-o',
        box.out,
        '--plain-http',
        '--max-unpack-size',
        '32MiB',
      ],
      { measureMemory: true, timeoutMs: 60_000 },
    );
    expect(cleanFailureProblems(run, /limit of 33554432 bytes/)).toEqual([]);
    expect(run.peakRssKiB).toBeLessThan(TRANSFER_BOUND_KIB);
    const after = await box.snapshot();
    expect(pathsOutside(diffTrees(before, after), ['out'])).toEqual([]);
    const leftovers = [...after.entries()].filter(([p, e]) => p.startsWith('out/') && e.type === 'file');
    expect(leftovers.map(([p]) => p)).toEqual([]);
  });
});
