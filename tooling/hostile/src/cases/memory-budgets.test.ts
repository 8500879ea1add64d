/**
 * Memory budgets (issue 15): a lying registry serves listings and graphs far bigger than any
 * page cap, and the built `oras` must keep its peak RSS under 300 MiB while it prints all of it,
 * or refuse with one line naming the limit it reached:
 *
 * - `repo tags` over 20 pages of 250,000 tags (3.5 MB a page, 5 million tags), as text and as
 *   JSON: every tag printed, in order, byte for byte what oras prints;
 * - the same list with a 5 MiB page after 10 good ones: the 10 pages printed, then one line
 *   naming the page limit;
 * - `discover` of a subject with 400 pages of 2,000 referrers (800,000): refused, naming the
 *   limit of discover, in the tree and in JSON;
 * - `pull` of an index of 60 child manifests of 3.5 MB each (210 MB of manifests): every file
 *   written.
 *
 * What is served is made on demand from its number, so the suite itself stays small too.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG, type RawDescriptor, indexOf, manifestOf, sha256 } from '../harness/craft.js';
import { useHostileServer, useSandbox } from '../harness/fixture.js';
import { serveContent } from '../harness/hostile-server.js';
import type { OrasRun } from '../harness/oras.js';
import { cleanFailureProblems, successProblems } from '../harness/outcome.js';

const MiB = 1024 * 1024;
/** Peak RSS allowed for every run here (issue 15): the CLI's footprint plus a page or two. */
const MEMORY_BOUND_KIB = 300 * 1024;
/** Each run may take this long on a loaded machine; a hang still fails. */
const RUN_TIMEOUT_MS = 150_000;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

const box = useSandbox();
const server = useHostileServer(() => false);

/** Runs `oras` measuring its peak RSS, hashing stdout and counting its lines instead of keeping it. */
async function runHashed(args: readonly string[]) {
  const hash = createHash('sha256');
  let lines = 0;
  const run = await box.run(args, {
    measureMemory: true,
    timeoutMs: RUN_TIMEOUT_MS,
    onStdout: (chunk) => {
      hash.update(chunk);
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    },
  });
  return { run, digest: hash.digest('hex'), lines };
}

function memoryProblems(run: OrasRun): string[] {
  if (run.peakRssKiB === undefined) return ['peak memory not measured'];
  return run.peakRssKiB > MEMORY_BOUND_KIB ? [`peak RSS ${Math.round(run.peakRssKiB / 1024)} MiB`] : [];
}

describe('tag lists', () => {
  const PAGES = 20;
  const PER_PAGE = 250_000;
  const tag = (page: number, i: number) => `v${String(page).padStart(3, '0')}-${String(i).padStart(6, '0')}`;
  const pageTags = (page: number) => Array.from({ length: PER_PAGE }, (_, i) => tag(page, i));

  /** Serves the pages (the page after `last`); page `oversized` is 5 MiB of tags. */
  function serveTags(oversized?: number) {
    server.setHandler((req, res) => {
      if (serveContent(req, res, { blobs: new Map() })) return;
      if (!req.url.pathname.endsWith('/tags/list')) return false;
      const last = req.url.searchParams.get('last');
      const page = last === null ? 0 : Number(last.slice(1, 4)) + 1;
      const tags =
        page === oversized ? Array.from({ length: (5 * MiB) / 10 }, (_, i) => `x${i}`) : pageTags(page);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (page + 1 < PAGES) {
        headers.link = `</v2/big/tags/tags/list?n=${PER_PAGE}&last=${tags[tags.length - 1]}>; rel="next"`;
      }
      res.writeHead(200, headers);
      res.end(JSON.stringify({ name: 'big/tags', tags }));
    });
  }

  /** The sha256 of what oras prints for `pages` pages: text, or `--format json`. */
  function expectedDigest(pages: number, json: boolean): string {
    const hash = createHash('sha256');
    if (json) hash.update('{\n  "tags": [');
    for (let page = 0; page < pages; page++) {
      const tags = pageTags(page);
      hash.update(
        json
          ? tags.map((t, i) => `${page === 0 && i === 0 ? '' : ','}\n    "${t}"`).join('')
          : `${tags.join('\n')}\n`,
      );
    }
    if (json) hash.update('\n  ]\n}\n');
    return hash.digest('hex');
  }

  it('prints 5 million tags over 20 pages, each page as it comes, with bounded memory', async () => {
    serveTags();
    const { run, digest, lines } = await runHashed([
      'repo',
      'tags',
      `${server.host}/big/tags`,
      '--plain-http',
    ]);
    expect(successProblems(run)).toEqual([]);
    expect(memoryProblems(run)).toEqual([]);
    expect(lines).toBe(PAGES * PER_PAGE);
    expect(digest).toBe(expectedDigest(PAGES, false));
  });

  it('prints them as JSON, exactly as the whole document, with bounded memory', async () => {
    serveTags();
    const { run, digest } = await runHashed([
      'repo',
      'tags',
      `${server.host}/big/tags`,
      '--plain-http',
      '--format',
      'json',
    ]);
    expect(successProblems(run)).toEqual([]);
    expect(memoryProblems(run)).toEqual([]);
    expect(digest).toBe(expectedDigest(PAGES, true));
  });

  it('prints the pages before a 5 MiB page, then refuses it naming the page limit', async () => {
    serveTags(10);
    const { run, digest, lines } = await runHashed([
      'repo',
      'tags',
      `${server.host}/big/tags`,
      '--plain-http',
    ]);
    expect(cleanFailureProblems(run, /tags\/list: response body exceeds the limit of 4194304 bytes/)).toEqual(
      [],
    );
    expect(memoryProblems(run)).toEqual([]);
    expect(lines).toBe(10 * PER_PAGE);
    expect(digest).toBe(expectedDigest(10, false));
  });
});

describe('referrers', () => {
  it('refuses 800,000 referrers over 400 pages at the limit of discover, in the tree and in JSON', async () => {
    const subjectBytes = manifestOf([]);
    const subject = sha256(subjectBytes);
    const PAGES = 400;
    const PER_PAGE = 2000;
    let pagesServed = 0;
    const referrer = (n: number): RawDescriptor & Record<string, unknown> => ({
      mediaType: MANIFEST,
      digest: `sha256:${n.toString(16).padStart(64, '0')}`,
      size: 1234,
      artifactType: 'application/vnd.example.signature',
      annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', note: `referrer ${n}` },
    });
    server.setHandler((req, res) => {
      const content = {
        blobs: new Map([
          [subject, { mediaType: MANIFEST, bytes: subjectBytes }],
          [EMPTY_CONFIG.digest, { mediaType: EMPTY_CONFIG.mediaType, bytes: Buffer.from('{}') }],
        ]),
        tags: new Map([['v1', subject]]),
      };
      if (serveContent(req, res, content)) return;
      if (!req.url.pathname.endsWith(`/referrers/${subject}`)) return false;
      const page = Number(req.url.searchParams.get('page') ?? '0');
      pagesServed++;
      const headers: Record<string, string> = { 'content-type': INDEX };
      if (page + 1 < PAGES) headers.link = `</v2/big/refs/referrers/${subject}?page=${page + 1}>; rel="next"`;
      res.writeHead(200, headers);
      const manifests = Array.from({ length: PER_PAGE }, (_, i) => referrer(page * PER_PAGE + i));
      res.end(indexOf(manifests));
    });
    for (const format of ['tree', 'json']) {
      pagesServed = 0;
      const { run } = await runHashed([
        'discover',
        `${server.host}/big/refs:v1`,
        '--plain-http',
        '--depth',
        '1',
        '--format',
        format,
      ]);
      expect(cleanFailureProblems(run, /more than \d+ bytes of referrers, the limit of discover/)).toEqual(
        [],
      );
      expect(memoryProblems(run)).toEqual([]);
      expect(pagesServed).toBeLessThan(PAGES);
    }
  });
});

describe('an index of large manifests', () => {
  it('pulls an index of 60 manifests of 3.5 MB each with bounded memory, every file written', async () => {
    const CHILDREN = 60;
    const blobs = new Map<string, { mediaType: string; bytes: Uint8Array }>();
    blobs.set(EMPTY_CONFIG.digest, { mediaType: EMPTY_CONFIG.mediaType, bytes: Buffer.from('{}') });
    const fileBytes = (i: number) => Buffer.from(`file ${i}\n`);
    const layer = (i: number): RawDescriptor => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: sha256(fileBytes(i)),
      size: fileBytes(i).byteLength,
      annotations: { 'org.opencontainers.image.title': `f${i}.txt` },
    });
    // a child manifest: one small file and 3.5 MB of annotation, made again whenever it is asked for
    const child = (i: number) =>
      manifestOf([layer(i)], { annotations: { padding: `${i}:`.padEnd(3.5 * 1024 * 1024, 'p') } });
    const children = new Map<string, number>();
    const descriptors: RawDescriptor[] = [];
    for (let i = 0; i < CHILDREN; i++) {
      const bytes = child(i);
      children.set(sha256(bytes), i);
      descriptors.push({ mediaType: MANIFEST, digest: sha256(bytes), size: bytes.byteLength });
      blobs.set(layer(i).digest, { mediaType: layer(i).mediaType, bytes: fileBytes(i) });
    }
    const index = indexOf(descriptors);
    blobs.set(sha256(index), { mediaType: INDEX, bytes: index });
    server.setHandler((req, res) => {
      const asked = decodeURIComponent(req.url.pathname.split('/').pop() ?? '');
      const i = children.get(asked);
      if (i !== undefined && req.method === 'GET') {
        const bytes = child(i);
        res.writeHead(200, {
          'content-type': MANIFEST,
          'content-length': String(bytes.byteLength),
          'docker-content-digest': asked,
        });
        res.end(bytes);
        return;
      }
      if (i !== undefined) {
        res.writeHead(200, { 'content-type': MANIFEST, 'content-length': String(child(i).byteLength) });
        res.end();
        return;
      }
      return serveContent(req, res, { blobs, tags: new Map([['v1', sha256(index)]]) });
    });
    const { run } = await runHashed(['pull', `${server.host}/big/index:v1`, '-o', box.out, '--plain-http']);
    expect(successProblems(run)).toEqual([]);
    expect(memoryProblems(run)).toEqual([]);
    for (let i = 0; i < CHILDREN; i++) {
      expect(await readFile(join(box.out, `f${i}.txt`), 'utf8')).toBe(`file ${i}\n`);
    }
  });
});
