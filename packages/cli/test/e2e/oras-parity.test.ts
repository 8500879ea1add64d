/**
 * Behaviours of `blob`, `manifest`, `repo` and `manifest index` that oras 1.3 has, checked with the
 * built CLI against Debian's docker-registry: exact stderr, stdout and exit codes.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDistribution } from './fixture.js';

const e2e = withDistribution({ files: { 'hi.txt': 'hello world\n' } });

const ZERO = `sha256:${'0'.repeat(64)}`;

describe('--oci-layout in blob delete and manifest delete', () => {
  it('is a boolean that never takes the next argument, and makes no layout to delete from', async () => {
    for (const args of [
      ['blob', 'delete', '--oci-layout', `nolayout@${ZERO}`, '--force'],
      ['manifest', 'delete', '--oci-layout', 'nolayout:v1', '--force'],
    ]) {
      const res = await e2e.box.run(args);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(`Missing ${args[3]}\n`);
      expect(res.stderr).toBe('');
    }
    await expect(stat(join(e2e.box.dir, 'nolayout'))).rejects.toThrow();
  });
});

describe('oras blob push', () => {
  it('requires --size for stdin', async () => {
    const res = await e2e.box.run(['blob', 'push', '--plain-http', `${e2e.host}/parity`, '-'], {
      stdin: 'hello',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('Error: `--size` must be provided if the blob is read from stdin\n');
    await e2e.box.ok(['blob', 'push', '--plain-http', '--size', '5', `${e2e.host}/parity`, '-'], {
      stdin: 'hello',
    });
  });
});

describe('oras repo ls', () => {
  it('refuses a tag and prints the registry in JSON', async () => {
    await e2e.box.ok(['push', '--plain-http', `${e2e.host}/team/app:v1`, 'hi.txt']);
    const tagged = await e2e.box.run(['repo', 'ls', '--plain-http', `${e2e.host}/team:v1`]);
    expect(tagged.code).toBe(1);
    expect(tagged.stderr).toBe(
      'Error: could not parse repository path: tags or digests should not be provided\n',
    );
    const json = await e2e.box.ok(['repo', 'ls', '--plain-http', '--format', 'json', `${e2e.host}/team`]);
    expect(JSON.parse(json.stdout)).toEqual({ registry: e2e.host, repositories: ['app'] });
  });
});

describe('oras manifest index', () => {
  it('refuses an invalid --artifact-type, checked as push checks it', async () => {
    for (const sub of ['create', 'update']) {
      for (const type of ['not a media type', 'test.attach']) {
        const res = await e2e.box.run([
          'manifest',
          'index',
          sub,
          '--plain-http',
          '--artifact-type',
          type,
          `${e2e.host}/parity:index`,
        ]);
        expect(res.code).toBe(1);
        expect(res.stderr).toBe(`Error: invalid media type "${type}"\n`);
      }
    }
    const made = await e2e.box.ok([
      'manifest',
      'index',
      'create',
      '--plain-http',
      '--artifact-type',
      'a/b/c',
      '--output',
      '-',
      `${e2e.host}/parity:typed`,
    ]);
    expect(JSON.parse(made.stdout).artifactType).toBe('a/b/c');
  });

  it('says when there is nothing to update, and fails in oras words', async () => {
    await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', `${e2e.host}/parity:index`]);
    const nothing = await e2e.box.run([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${e2e.host}/parity:index`,
    ]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toBe('Nothing to update as no change is requested\n');
    expect(nothing.stderr).toBe('');

    const notDigest = await e2e.box.run([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${e2e.host}/parity:index`,
      '--remove',
      'v1',
    ]);
    expect(notDigest.code).toBe(1);
    expect(notDigest.stderr).toBe('Error: remove: v1 is not a digest\n');

    const missing = await e2e.box.run([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${e2e.host}/parity:index`,
      '--remove',
      ZERO,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`Error: ${ZERO} does not exist in the index index\n`);
  });
});

describe('OCI layout references', () => {
  it('reads `dir:` (an empty tag) as the layout itself', async () => {
    await e2e.box.ok(['push', '--oci-layout', 'lay:v1', 'hi.txt']);
    await e2e.box.ok(['tag', '--oci-layout', 'lay:v1', 'v2']);
    const tags = await e2e.box.run(['repo', 'tags', '--oci-layout', 'lay:']);
    expect(tags.code).toBe(0);
    expect(tags.stdout).toBe('v1\nv2\n');
    expect(tags.stderr).toBe('');
  });

  it('prints the ref.name annotation of a layout descriptor fetched by tag, not by digest', async () => {
    const byTag = await e2e.box.ok(['manifest', 'fetch', '--descriptor', '--oci-layout', 'lay:v1']);
    const desc = JSON.parse(byTag.stdout) as { digest: string; annotations: Record<string, string> };
    expect(desc.annotations['org.opencontainers.image.ref.name']).toBe('v1');
    const byDigest = await e2e.box.ok([
      'manifest',
      'fetch',
      '--descriptor',
      '--oci-layout',
      `lay@${desc.digest}`,
    ]);
    expect(JSON.parse(byDigest.stdout).annotations?.['org.opencontainers.image.ref.name']).toBeUndefined();
  });
});

describe('oras tag', () => {
  it('names the artifact it could not tag', async () => {
    const res = await e2e.box.run(['tag', ':v1', 'v2']);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n')[0]).toBe(
      `Error: unable to add tag for ':v1': ":v1": invalid reference: missing registry or repository`,
    );
  });
});
