/**
 * `oras repo ls|tags`, end to end: the built CLI against the in-process test registry set to pages
 * of two entries (so every listing follows `Link` headers), against docker-registry, and against an
 * OCI layout.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestRegistry, type TestRegistry } from '@oras-internal/test-registry';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oras, scratch } from '../../test-support/oras-process.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };

function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function manifest(note: string): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: EMPTY,
      layers: [],
      annotations: { note },
    }),
  );
}

let paged: TestRegistry;
const work = scratch();
const one = manifest('one');
const two = manifest('two');

beforeAll(async () => {
  paged = await startTestRegistry({ pageSize: 2, verifyManifestReferences: false });
  const put = (repo: string, tag: string, bytes: Uint8Array) =>
    paged.storage.putManifest(repo, tag, bytes, MANIFEST, { verifyReferences: false });
  for (const repo of ['alpha', 'team/one', 'team/two', 'team/three', 'zulu']) put(repo, 'v1', one);
  for (const tag of ['a', 'b', 'c', 'd', 'e']) put('team/one', tag, tag < 'c' ? one : two);
  put('team/one', `sha256-${sha256(one).slice(7)}`, two);
});

afterAll(async () => {
  await paged?.close();
  work.remove();
});

describe('oras repo ls', () => {
  it('lists every repository across pages', async () => {
    const res = await oras(['repo', 'ls', '--plain-http', paged.host]);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('alpha\nteam/one\nteam/three\nteam/two\nzulu\n');
    const catalogPages = paged.requests.filter((r) => r.path.startsWith('/v2/_catalog')).length;
    expect(catalogPages).toBeGreaterThanOrEqual(3);
  });

  it('lists a namespace without its prefix, after --last, as JSON', async () => {
    const ns = await oras(['repo', 'ls', '--plain-http', `${paged.host}/team`]);
    expect(ns.stdout).toBe('one\nthree\ntwo\n');
    const last = await oras([
      'repo',
      'ls',
      '--plain-http',
      '--last',
      'one',
      '--format',
      'json',
      `${paged.host}/team`,
    ]);
    expect(JSON.parse(last.stdout)).toEqual({ registry: paged.host, repositories: ['three', 'two'] });
  });
});

describe('oras repo tags', () => {
  it('lists every tag across pages, after --last, without digest tags', async () => {
    const all = await oras(['repo', 'tags', '--plain-http', `${paged.host}/team/one`]);
    expect(all.stdout.split('\n').filter(Boolean)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      `sha256-${sha256(one).slice(7)}`,
      'v1',
    ]);
    const after = await oras([
      'repo',
      'tags',
      '--plain-http',
      '--exclude-digest-tags',
      '--last',
      'c',
      `${paged.host}/team/one`,
    ]);
    expect(after.stdout).toBe('d\ne\nv1\n');
  });

  it('lists only the tags pointing at the digest a tag or digest names', async () => {
    const byTag = await oras([
      'repo',
      'tags',
      '--plain-http',
      '--format',
      'json',
      `${paged.host}/team/one:a`,
    ]);
    expect(JSON.parse(byTag.stdout)).toEqual({ tags: ['a', 'b', 'v1'] });
    expect(byTag.stderr).toContain(`querying tags associated to ${sha256(one)}`);
    const byDigest = await oras(['repo', 'tags', '--plain-http', `${paged.host}/team/one@${sha256(two)}`]);
    expect(byDigest.stdout).toBe(`c\nd\ne\nsha256-${sha256(one).slice(7)}\n`);
  });
});

describe('oras repo tags on docker-registry and an OCI layout', () => {
  let registry: Distribution;

  beforeAll(async () => {
    registry = await startDistribution({ mode: 'plain' });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('lists the tags that manifest push made, in a registry and in a layout', async () => {
    const repo = `${registry.host}/hello`;
    const text = JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: EMPTY, layers: [] });
    await oras(['blob', 'push', '--plain-http', '--size', '2', repo, '-'], { stdin: '{}' });
    const pushed = await oras(['manifest', 'push', '--plain-http', `${repo}:v1,v2`, '-'], { stdin: text });
    expect(pushed.code).toBe(0);
    const tags = await oras(['repo', 'tags', '--plain-http', repo]);
    expect(tags.stdout.split('\n').filter(Boolean).sort()).toEqual(['v1', 'v2']);
    const ls = await oras(['repo', 'ls', '--plain-http', registry.host]);
    expect(ls.stdout).toBe('hello\n');
    await oras(['manifest', 'push', '--oci-layout', 'layout:x,y', '-'], { cwd: work.dir, stdin: text });
    const layout = await oras(['repo', 'tags', '--oci-layout', 'layout'], { cwd: work.dir });
    expect(layout.stdout).toBe('x\ny\n');
  });
});

describe('names from a lying registry', () => {
  it('prints tags and repositories with their control characters escaped', async () => {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/v2/_catalog'))
        res.end(JSON.stringify({ repositories: ['ok', 'evil\u001b]0;x\u0007'] }));
      else if (req.url?.startsWith('/v2/x/tags/list'))
        res.end(JSON.stringify({ name: 'x', tags: ['v1', 'bad\u001b[2Jtag'] }));
      else res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const tags = await oras(['repo', 'tags', `${host}/x`, '--plain-http'], { cwd: work.dir });
      expect(tags.code).toBe(0);
      expect(tags.stdout).toBe('v1\nbad\\x1b[2Jtag\n');
      const repos = await oras(['repo', 'ls', host, '--plain-http'], { cwd: work.dir });
      expect(repos.code).toBe(0);
      expect(repos.stdout).toBe('ok\nevil\\x1b]0;x\\a\n');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
