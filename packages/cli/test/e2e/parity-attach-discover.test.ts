/**
 * `oras attach` and `oras discover` checked case by case against what oras's own e2e suite
 * asserts for them (`test/e2e/suite/command/attach.go`, `discover.go`), with our own test data on
 * Debian's docker-registry (no referrers API: the tag-schema fallback).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256, withDistribution } from './fixture.js';
import { expectStatus, expectUsageError, short } from './parity-status.js';

const SIGNATURE = 'signed by parity\n';
const e2e = withDistribution({ files: { 'subject.txt': 'the subject\n', 'sig.txt': SIGNATURE } });

const SIG_KEY = [short(sha256(SIGNATURE)), 'sig.txt'] as const;

interface Referrer {
  reference: string;
  mediaType: string;
  digest: string;
  artifactType?: string;
  annotations?: Record<string, string>;
  referrers: Referrer[];
}

let subject = '';
beforeAll(async () => {
  subject = `${e2e.host}/parity/attach:v1`;
  await e2e.box.ok(['push', '--plain-http', subject, 'subject.txt']);
});

async function discover(ref: string, ...flags: string[]): Promise<Referrer[]> {
  const res = await e2e.box.ok(['discover', '--plain-http', ref, '--format', 'json', ...flags]);
  return (JSON.parse(res.stdout) as { referrers: Referrer[] }).referrers;
}

describe('oras attach, as oras e2e checks it', () => {
  it('fails without a subject, and without arguments with the usage line and the -h hint', async () => {
    const res = await e2e.box.run(['attach', '--artifact-type', 'oras/test']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error:/);
    expectUsageError(await e2e.box.run(['attach']), 'attach');
  });

  it('says neither file nor annotation was given, for a registry and for a layout', async () => {
    for (const args of [
      ['--plain-http', subject],
      ['--oci-layout', 'attach-layout:v1'],
    ]) {
      const res = await e2e.box.run(['attach', '--artifact-type', 'oras/test', ...args]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^Error: neither file nor annotation/);
      expect(res.stderr).toContain('\nUsage: oras attach ');
    }
  });

  it('refuses an unknown --distribution-spec, naming the options', async () => {
    const res = await e2e.box.run([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      subject,
      'sig.txt',
      '--distribution-spec',
      '???',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: .*\?\?\?/);
    expect(res.stderr).toContain('unknown distribution specification flag');
    expect(res.stderr).toContain('Available options: v1.1-referrers-tag, v1.1-referrers-api');
  });

  it('takes the artifact types oras-go takes and refuses the others before uploading', async () => {
    for (const type of ['test/attach', 'a/b/c']) {
      const res = await e2e.box.ok(['attach', '--plain-http', '--artifact-type', type, subject, 'sig.txt']);
      expect(res.stdout).toContain('Attached to [registry] ');
    }
    expect((await discover(subject, '--artifact-type', 'a/b/c')).map((r) => r.artifactType)).toEqual([
      'a/b/c',
    ]);
    for (const type of ['test.attach', 'oras.test']) {
      const res = await e2e.box.run(['attach', '--plain-http', '--artifact-type', type, subject, 'sig.txt']);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`Error: invalid artifactType format: ${type}: invalid media type\n`);
      expect(res.stdout).toBe('Preparing sig.txt\n');
    }
  });

  it('attaches a file with its status line only (none for the subject) and exports the manifest', async () => {
    const ref = `${e2e.host}/parity/attach-export:v1`;
    await e2e.box.ok(['push', '--plain-http', ref, 'subject.txt']);
    const subjectDigest = (await e2e.box.ok(['resolve', '--plain-http', ref])).stdout.trim();
    const res = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      ref,
      'sig.txt:application/vnd.test.signature',
      '--export-manifest',
      'attached.json',
    ]);
    expectStatus(res.stdout, 'push', [SIG_KEY]);
    expect(res.stdout).not.toMatch(new RegExp(`^\\w+ +${short(subjectDigest)} `, 'm'));
    const referrers = await discover(ref);
    expect(referrers).toHaveLength(1);
    expect(referrers[0]?.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const fetched = (
      await e2e.box.ok([
        'manifest',
        'fetch',
        '--plain-http',
        `${e2e.host}/parity/attach-export@${referrers[0]?.digest}`,
      ])
    ).stdout;
    expect(await readFile(join(e2e.box.dir, 'attached.json'), 'utf8')).toBe(fetched);
  });

  it('prints the reference and artifact type through a template, and JSON with the reference', async () => {
    const templated = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      subject,
      'sig.txt',
      '--export-manifest',
      'templated.json',
      '--format',
      'go-template={{.reference}}---{{.artifactType}}',
    ]);
    const [ref = '', artifactType] = templated.stdout.split('---');
    expect(artifactType).toBe('test/attach');
    const fetched = (await e2e.box.ok(['manifest', 'fetch', '--plain-http', ref])).stdout;
    expect(await readFile(join(e2e.box.dir, 'templated.json'), 'utf8')).toBe(fetched);
    const json = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      subject,
      'sig.txt',
      '--format',
      'json',
    ]);
    expect(JSON.parse(json.stdout).reference).toMatch(new RegExp(`^${e2e.host}/parity/attach@sha256:`));
  });

  it('checks absolute paths unless --disable-path-validation, then names the line by the path', async () => {
    const abs = join(e2e.box.dir, 'sig.txt');
    const refused = await e2e.box.run([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      subject,
      abs,
    ]);
    expect(refused.code).toBe(1);
    const res = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      subject,
      `${abs}:application/vnd.test.signature`,
      '--disable-path-validation',
    ]);
    expectStatus(res.stdout, 'push', [[SIG_KEY[0], abs]]);
  });

  it('attaches through the tag schema with --distribution-spec v1.1-referrers-tag', async () => {
    const ref = `${e2e.host}/parity/attach-tag:v1`;
    await e2e.box.ok(['push', '--plain-http', ref, 'subject.txt']);
    const res = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      ref,
      'sig.txt',
      '--distribution-spec',
      'v1.1-referrers-tag',
    ]);
    expectStatus(res.stdout, 'push', [SIG_KEY]);
    const referrers = await discover(ref, '--distribution-spec', 'v1.1-referrers-tag');
    expect(referrers.map((r) => r.mediaType)).toEqual(['application/vnd.oci.image.manifest.v1+json']);
  });

  it('attaches to a subject in an OCI layout', async () => {
    await e2e.box.ok(['push', '--oci-layout', 'attach-layout:v1', 'subject.txt']);
    const res = await e2e.box.ok([
      'attach',
      '--oci-layout',
      '--artifact-type',
      'test/attach',
      'attach-layout:v1',
      'sig.txt',
      '--export-manifest',
      'layout-attached.json',
    ]);
    expectStatus(res.stdout, 'push', [SIG_KEY]);
    const found = JSON.parse(
      (await e2e.box.ok(['discover', '--oci-layout', 'attach-layout:v1', '--format', 'json'])).stdout,
    ) as { referrers: Referrer[] };
    expect(found.referrers).toHaveLength(1);
    const fetched = (
      await e2e.box.ok(['manifest', 'fetch', '--oci-layout', `attach-layout@${found.referrers[0]?.digest}`])
    ).stdout;
    expect(await readFile(join(e2e.box.dir, 'layout-attached.json'), 'utf8')).toBe(fetched);
  });
});

describe('oras discover, as oras e2e checks it', () => {
  let ref = '';
  let sbom = '';
  let signature = '';
  beforeAll(async () => {
    ref = `${e2e.host}/parity/discover:v1`;
    await e2e.box.ok(['push', '--plain-http', ref, 'subject.txt']);
    sbom = (
      await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        'test/sbom',
        ref,
        'sig.txt',
        '-a',
        'created=2024-01-01T00:00:00Z',
        '--format',
        'go-template={{.digest}}',
      ])
    ).stdout;
    signature = (
      await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        'test/signature',
        `${e2e.host}/parity/discover@${sbom}`,
        'sig.txt',
        '--format',
        'go-template={{.digest}}',
      ])
    ).stdout;
  });

  it('fails without a reference, with one without tag or digest, and with two', async () => {
    expectUsageError(await e2e.box.run(['discover']), 'discover');
    expectUsageError(await e2e.box.run(['discover', 'foo', 'bar']), 'discover');
    const noTag = await e2e.box.run(['discover', '--plain-http', `${e2e.host}/parity/discover`]);
    expect(noTag.code).toBe(1);
    expect(noTag.stderr).toMatch(/^Error: /);
    expect(noTag.stderr).toContain('no tag or digest specified');
  });

  it('lists direct referrers in JSON, filtered by artifact type', async () => {
    const direct = await discover(ref);
    expect(direct.map((r) => r.digest)).toEqual([sbom]);
    expect((await discover(ref, '--artifact-type', 'test/sbom')).map((r) => r.digest)).toEqual([sbom]);
    expect(await discover(ref, '--artifact-type', '???')).toEqual([]);
  });

  it('shows the whole tree with digests and artifact types, and annotations as YAML with -v', async () => {
    const subjectDigest = (await e2e.box.ok(['resolve', '--plain-http', ref])).stdout.trim();
    const tree = await e2e.box.ok(['discover', '--plain-http', ref, '--format', 'tree']);
    for (const word of [
      `${e2e.host}/parity/discover@${subjectDigest}`,
      sbom,
      'test/sbom',
      signature,
      'test/signature',
    ]) {
      expect(tree.stdout).toContain(word);
    }
    const verbose = await e2e.box.ok(['discover', '--plain-http', ref, '--format', 'tree', '-v']);
    expect(verbose.stdout).toContain('created: "2024-01-01T00:00:00Z"');
  });

  it('lists direct referrers in the deprecated table format', async () => {
    const subjectDigest = (await e2e.box.ok(['resolve', '--plain-http', ref])).stdout.trim();
    const table = await e2e.box.ok(['discover', '--plain-http', ref, '--format', 'table']);
    for (const word of [subjectDigest, sbom, 'test/sbom']) expect(table.stdout).toContain(word);
    expect(table.stdout).not.toContain(signature);
    const filtered = await e2e.box.ok([
      'discover',
      '--plain-http',
      ref,
      '-o',
      'table',
      '--artifact-type',
      '???',
    ]);
    expect(filtered.stdout).not.toContain(sbom);
  });

  it("takes the deprecated -o/--output with oras 1.3's own notice, only for tree, table and json", async () => {
    const json = await e2e.box.run(['discover', '--plain-http', ref, '-o', 'json']);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('[DEPRECATED] --output is deprecated, try `--format json` instead\n');
    expect((JSON.parse(json.stdout) as { referrers: Referrer[] }).referrers.map((r) => r.digest)).toEqual([
      sbom,
    ]);
    const tree = await e2e.box.run(['discover', '--plain-http', ref, '--output', 'tree']);
    expect(tree.code).toBe(0);
    expect(tree.stderr).toBe('[DEPRECATED] --output is deprecated, try `--format tree` instead\n');
    expect(tree.stdout).toContain(sbom);
    const template = await e2e.box.run(['discover', '--plain-http', ref, '-o', 'go-template={{.digest}}']);
    expect(template.code).toBe(1);
    expect(template.stderr).toBe('Error: output type can only be tree, table or json\n');
    expect(template.stdout).toBe('');
    // the format is checked first, as oras parses --format before it looks at --output
    const bogus = await e2e.box.run(['discover', '--plain-http', ref, '-o', 'bogus']);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toBe(
      'Error: invalid format type: "bogus"\nsupported types: table, json, go-template, tree\n',
    );
    const both = await e2e.box.run(['discover', '--plain-http', ref, '-o', 'json', '--format', 'json']);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe('Error: --format, --output cannot be used at the same time\n');
  });

  it('discovers through the tag schema when asked to', async () => {
    const res = await e2e.box.ok([
      'discover',
      '--plain-http',
      ref,
      '--format',
      'json',
      '--distribution-spec',
      'v1.1-referrers-tag',
    ]);
    expect((JSON.parse(res.stdout) as { referrers: Referrer[] }).referrers.map((r) => r.digest)).toEqual([
      sbom,
    ]);
  });
});
