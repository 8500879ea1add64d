/**
 * The status lines of `manifest index create` and `update`, against docker-registry, as oras
 * 1.3's text handlers print them: prompts padded to nine columns and then a space (`Fetching  v1`,
 * `Fetched   <digest> v1`, the digest alone when the reference is one), `Removed`, `Added` and
 * `Merged` with full digests, `Packed    <short digest> <media type>` or `Updated   <digest>`,
 * `Pushed    [registry] <reference>`, `Tagged <tag>`, `Digest: <digest>`. Removals apply to the
 * index as fetched, before additions and merges. With `--output -` only the index is printed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { withDistribution } from './fixture.js';

const e2e = withDistribution({ files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });

const INDEX = 'application/vnd.oci.image.index.v1+json';

/** Runs oras against the plain-HTTP registry and returns its stdout, failing on a non-zero exit. */
async function ok(args: readonly string[]): Promise<string> {
  return (await e2e.box.ok([...args, '--plain-http'])).stdout;
}

const digestOf = async (ref: string) => (await ok(['resolve', ref])).trim();

describe('manifest index create and update', () => {
  let repo = '';
  let a = '';
  let b = '';
  beforeAll(async () => {
    repo = `${e2e.host}/index-status`;
    await ok(['push', `${repo}:a`, 'a.txt']);
    await ok(['push', `${repo}:b`, 'b.txt']);
    a = await digestOf(`${repo}:a`);
    b = await digestOf(`${repo}:b`);
  });

  it('create prints Fetching, Fetched, Packed, Pushed, Tagged and Digest as oras does', async () => {
    const out = await ok(['manifest', 'index', 'create', `${repo}:one,one-extra`, 'a', b]);
    const index = await digestOf(`${repo}:one`);
    expect(out).toBe(
      [
        'Fetching  a',
        `Fetched   ${a} a`,
        `Fetching  ${b}`,
        `Fetched   ${b}`,
        `Packed    ${index.slice(7, 19)} ${INDEX}`,
        `Pushed    [registry] ${repo}:one`,
        'Tagged one-extra',
        `Digest: ${index}`,
        '',
      ].join('\n'),
    );
  });

  it('create without a tag names the repository, and -o <file> ends with the digest', async () => {
    const out = await ok(['manifest', 'index', 'create', repo, 'a']);
    const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(out)?.[1] ?? '';
    expect(out.split('\n').slice(2)).toEqual([
      `Packed    ${digest.slice(7, 19)} ${INDEX}`,
      `Pushed    [registry] ${repo}`,
      `Digest: ${digest}`,
      '',
    ]);
    const toFile = await ok(['manifest', 'index', 'create', '--output', 'index.json', repo, 'a']);
    expect(toFile).toBe(
      [
        'Fetching  a',
        `Fetched   ${a} a`,
        `Packed    ${digest.slice(7, 19)} ${INDEX}`,
        `Digest: ${digest}`,
        '',
      ].join('\n'),
    );
  });

  it('create and update with --output - print the index alone', async () => {
    const created = await e2e.box.run([
      'manifest',
      'index',
      'create',
      '--plain-http',
      '--output',
      '-',
      repo,
      'a',
    ]);
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout).manifests.map((m: { digest: string }) => m.digest)).toEqual([a]);
    const updated = await e2e.box.run([
      'manifest',
      'index',
      'update',
      '--plain-http',
      '--output',
      '-',
      `${repo}:one`,
      '--remove',
      b,
    ]);
    expect(updated.code).toBe(0);
    expect(updated.stderr).toBe('');
    expect(JSON.parse(updated.stdout).manifests.map((m: { digest: string }) => m.digest)).toEqual([a]);
  });

  it('update removes from the index as fetched, then adds and merges, with full digests', async () => {
    await ok(['manifest', 'index', 'create', `${repo}:two`, 'a', 'b']);
    await ok(['manifest', 'index', 'create', `${repo}:other`, 'b']);
    const two = await digestOf(`${repo}:two`);
    const other = await digestOf(`${repo}:other`);
    const out = await ok([
      'manifest',
      'index',
      'update',
      `${repo}:two`,
      '--add',
      'b',
      '--remove',
      b,
      '--merge',
      'other',
      '--tag',
      'two-extra',
    ]);
    const updated = await digestOf(`${repo}:two`);
    expect(out).toBe(
      [
        'Fetching  two',
        `Fetched   ${two} two`,
        `Removed   ${b}`,
        'Fetching  b',
        `Fetched   ${b} b`,
        `Added     ${b} b`,
        'Fetching  other',
        `Fetched   ${other} other`,
        `Merged    ${other} other`,
        `Updated   ${updated}`,
        `Pushed    [registry] ${repo}:two`,
        'Tagged two-extra',
        `Digest: ${updated}`,
        '',
      ].join('\n'),
    );
    const manifests = JSON.parse(await ok(['manifest', 'fetch', `${repo}:two`])).manifests;
    // as oras 1.3: the merged index's b is appended although --add put b there already
    expect(manifests.map((m: { digest: string }) => m.digest)).toEqual([a, b, b]);
  });

  it('update of an index named by digest names the repository alone when pushed', async () => {
    await ok(['manifest', 'index', 'create', `${repo}:three`, 'a', 'b']);
    const three = await digestOf(`${repo}:three`);
    const out = await ok(['manifest', 'index', 'update', `${repo}@${three}`, '--remove', a]);
    const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(out)?.[1] ?? '';
    expect(out).toBe(
      [
        `Fetching  ${three}`,
        `Fetched   ${three}`,
        `Removed   ${a}`,
        `Updated   ${digest}`,
        `Pushed    [registry] ${repo}`,
        `Digest: ${digest}`,
        '',
      ].join('\n'),
    );
  });
});
