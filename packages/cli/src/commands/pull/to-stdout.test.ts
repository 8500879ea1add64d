/**
 * `oras pull -o -`, end to end: a single-layer artifact streams to stdout, so `oras pull ... -o - |
 * tar x` unpacks it; artifacts of several layers are refused.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oras, scratch, sh } from '../../test-support/oras-process.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let registry: Distribution;
let repo: string;
const work = scratch();

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
}

async function pushBlobFile(file: string): Promise<Desc> {
  const res = await oras(['blob', 'push', '--plain-http', '--descriptor', repo, file], { cwd: work.dir });
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as Desc;
}

beforeAll(async () => {
  registry = await startDistribution({ mode: 'plain' });
  repo = `${registry.host}/site`;
  mkdirSync(join(work.dir, 'site'));
  writeFileSync(join(work.dir, 'site', 'index.html'), '<h1>hello</h1>\n');
  writeFileSync(join(work.dir, 'notes.txt'), 'notes\n');
  const tar = await sh('tar -cf site.tar site', { cwd: work.dir });
  expect(tar.code).toBe(0);
  const empty = await oras(
    [
      'blob',
      'push',
      '--plain-http',
      '--descriptor',
      '--size',
      '2',
      '--media-type',
      'application/vnd.oci.empty.v1+json',
      repo,
      '-',
    ],
    { stdin: '{}' },
  );
  const config = JSON.parse(empty.stdout) as Desc;
  const layer = await pushBlobFile('site.tar');
  const notes = await pushBlobFile('notes.txt');
  const push = (tag: string, layers: Desc[]) =>
    oras(['manifest', 'push', '--plain-http', `${repo}:${tag}`, '-'], {
      stdin: JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        artifactType: 'application/vnd.site',
        config,
        layers: [...layers, config],
      }),
    });
  expect((await push('v1', [layer])).code).toBe(0);
  expect((await push('two', [layer, notes])).code).toBe(0);
});

afterAll(async () => {
  await registry?.stop();
  work.remove();
});

describe('oras pull -o -', () => {
  it('streams the single layer to stdout, so tar can unpack it', async () => {
    const res = await sh(`mkdir out && $ORAS pull --plain-http ${repo}:v1 -o - | tar -x -C out`, {
      cwd: work.dir,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(readFileSync(join(work.dir, 'out', 'site', 'index.html'), 'utf8')).toBe('<h1>hello</h1>\n');
    const bytes = await oras(['pull', '--plain-http', `${repo}:v1`, '--output', '-']);
    expect(bytes.stdoutBytes.equals(readFileSync(join(work.dir, 'site.tar')))).toBe(true);
  });

  it('refuses an artifact of several layers', async () => {
    const res = await oras(['pull', '--plain-http', `${repo}:two`, '-o', '-']);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('needs an artifact of exactly one layer, this one has 2');
  });
});
