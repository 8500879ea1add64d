/**
 * `oras manifest` (fetch, fetch-config, push, delete, index create/update), `oras blob` (push,
 * fetch, delete), `oras repo` (ls, tags) and `oras login` checked case by case against what oras's
 * own e2e suite asserts for them (`test/e2e/suite/command/manifest.go`, `manifest_index.go`,
 * `blob.go`, `repo.go`, `test/e2e/suite/auth/auth.go`), with our own test data on Debian's
 * docker-registry.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestLine, sha256, withDistribution } from './fixture.js';
import { expectUsageError } from './parity-status.js';

const BLOB = 'test-blob';
const BLOB_DIGEST = sha256(BLOB);
const ZERO = `sha256:${'0'.repeat(64)}`;
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: EMPTY,
  layers: [],
});
const MANIFEST_DESC = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: sha256(MANIFEST),
  size: Buffer.byteLength(MANIFEST),
};
const NO_MEDIA_TYPE = JSON.stringify({ schemaVersion: 2, config: EMPTY, layers: [] });

const e2e = withDistribution({
  files: {
    blob: BLOB,
    'manifest.json': MANIFEST,
    'no-media-type.json': NO_MEDIA_TYPE,
    'hi.txt': 'hi\n',
    'amd.json': '{"architecture":"amd64","os":"linux"}',
    'arm.json': '{"architecture":"arm64","os":"linux"}',
  },
});

let repo = '';
beforeAll(async () => {
  repo = `${e2e.host}/parity/manifest`;
  await e2e.box.ok(['blob', 'push', '--plain-http', repo, '-', '--size', '2'], { stdin: '{}' });
});

describe('oras manifest push, as oras e2e checks it', () => {
  it('fails without arguments, and refuses stdin for both the manifest and --password-stdin', async () => {
    expectUsageError(await e2e.box.run(['manifest', 'push']), 'manifest push');
    const both = await e2e.box.run(
      [
        'manifest',
        'push',
        '--plain-http',
        `${repo}:from-stdin`,
        '-',
        '--password-stdin',
        '--media-type',
        MANIFEST_DESC.mediaType,
      ],
      { stdin: MANIFEST },
    );
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('`-`');
    expect(both.stderr).toContain('`--password-stdin`');
    expect(both.stderr).toContain(' cannot be both used');
  });

  it('pushes from stdin and from a file, printing Pushed, the reference and the digest, or the descriptor', async () => {
    for (const [tag, args, stdin] of [
      ['from-stdin', ['-'], MANIFEST],
      ['from-file', ['manifest.json', '--media-type', MANIFEST_DESC.mediaType], undefined],
    ] as const) {
      const res = await e2e.box.ok(['manifest', 'push', '--plain-http', `${repo}:${tag}`, ...args], {
        stdin,
      });
      expect(res.stdout).toContain(`Pushed [registry] ${repo}:${tag}\n`);
      expect(digestLine(res.stdout)).toBe(MANIFEST_DESC.digest);
    }
    const desc = await e2e.box.ok(
      ['manifest', 'push', '--plain-http', `${repo}:from-stdin`, '-', '--descriptor'],
      {
        stdin: MANIFEST,
      },
    );
    expect(JSON.parse(desc.stdout)).toEqual(MANIFEST_DESC);
  });

  it('fails for a manifest without a media type, suggesting --media-type', async () => {
    const res = await e2e.box.run([
      'manifest',
      'push',
      '--plain-http',
      `${repo}:no-media-type`,
      'no-media-type.json',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: /);
    expect(res.stderr).toContain(' media type is not specified');
    expect(res.stderr).toContain('\nUsage: oras manifest push ');
    expect(res.stderr).toContain('--media-type');
    await e2e.box.ok([
      'manifest',
      'push',
      '--plain-http',
      `${repo}:no-media-type`,
      'no-media-type.json',
      '--media-type',
      MANIFEST_DESC.mediaType,
    ]);
  });

  it('pushes into an OCI layout, with and without a tag', async () => {
    await e2e.box.ok(['blob', 'push', '--oci-layout', `mlayout@${EMPTY.digest}`, '-', '--size', '2'], {
      stdin: '{}',
    });
    const untagged = await e2e.box.ok(['manifest', 'push', '--oci-layout', 'mlayout', '-'], {
      stdin: MANIFEST,
    });
    expect(untagged.stdout).toContain('Pushed');
    expect(digestLine(untagged.stdout)).toBe(MANIFEST_DESC.digest);
    await e2e.box.ok(['manifest', 'push', '--oci-layout', 'mlayout:from-stdin', '-'], { stdin: MANIFEST });
    const index = JSON.parse(await readFile(join(e2e.box.dir, 'mlayout', 'index.json'), 'utf8')) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    expect(index.manifests).toContainEqual(
      expect.objectContaining({
        digest: MANIFEST_DESC.digest,
        annotations: { 'org.opencontainers.image.ref.name': 'from-stdin' },
      }),
    );
  });
});

describe('oras manifest fetch and fetch-config, as oras e2e checks them', () => {
  let multi = '';
  let amd = '';
  beforeAll(async () => {
    amd = digestLine(
      (
        await e2e.box.ok([
          'push',
          '--plain-http',
          `${repo}:amd`,
          '--config',
          'amd.json:application/vnd.oci.image.config.v1+json',
          'hi.txt',
        ])
      ).stdout,
    );
    await e2e.box.ok([
      'push',
      '--plain-http',
      `${repo}:arm`,
      '--config',
      'arm.json:application/vnd.oci.image.config.v1+json',
      'hi.txt',
    ]);
    multi = digestLine(
      (await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', `${repo}:multi`, 'amd', 'arm']))
        .stdout,
    );
  });

  it('fails without arguments and without tag or digest, and has the alias get', async () => {
    expectUsageError(await e2e.box.run(['manifest', 'fetch']), 'manifest fetch');
    const noTag = await e2e.box.run(['manifest', 'fetch', '--plain-http', repo]);
    expect(noTag.code).toBe(1);
    expect(noTag.stderr).toContain('no tag or digest specified');
    const layout = await e2e.box.run(['manifest', 'fetch', '--oci-layout', 'mlayout']);
    expect(layout.code).toBe(1);
    expect(layout.stderr).toContain('no tag or digest specified');
    expect((await e2e.box.ok(['manifest', 'get', '--help'])).stdout).toContain('Example');
  });

  it('fetches by tag, digest and platform, to stdout, to a file with the descriptor, and asserts media types', async () => {
    const index = await e2e.box.ok(['manifest', 'fetch', '--plain-http', `${repo}:multi`]);
    expect(sha256(index.stdout)).toBe(multi);
    expect(
      (await e2e.box.ok(['manifest', 'fetch', '--plain-http', `${repo}@${multi}`, '--output', '-'])).stdout,
    ).toBe(index.stdout);
    const desc = await e2e.box.ok([
      'manifest',
      'fetch',
      '--plain-http',
      `${repo}:multi`,
      '--output',
      'fetched.json',
      '--descriptor',
    ]);
    expect(JSON.parse(desc.stdout)).toEqual({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: multi,
      size: Buffer.byteLength(index.stdout),
    });
    expect(await readFile(join(e2e.box.dir, 'fetched.json'), 'utf8')).toBe(index.stdout);
    const amdManifest = await e2e.box.ok([
      'manifest',
      'fetch',
      '--plain-http',
      `${repo}:multi`,
      '--platform',
      'linux/amd64',
    ]);
    expect(sha256(amdManifest.stdout)).toBe(amd);
    const amdDesc = await e2e.box.ok([
      'manifest',
      'fetch',
      '--plain-http',
      `${repo}@${multi}`,
      '--platform',
      'linux/amd64',
      '--descriptor',
      '--media-type',
      'application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json',
    ]);
    expect(JSON.parse(amdDesc.stdout)).toMatchObject({
      digest: amd,
      platform: { architecture: 'amd64', os: 'linux' },
    });
    const wrongType = await e2e.box.run([
      'manifest',
      'fetch',
      '--plain-http',
      `${repo}@${amd}`,
      '--media-type',
      'this.will.not.be.found',
    ]);
    expect(wrongType.code).toBe(1);
    expect(wrongType.stderr).toContain(amd);
    expect(wrongType.stderr).toContain('Error response from registry: ');
    expect(wrongType.stderr).toContain('not found');
  });

  it('refuses --media-type with --oci-layout', async () => {
    await e2e.box.ok(['cp', '--from-plain-http', `${repo}:multi`, 'flayout:multi', '--to-oci-layout']);
    const res = await e2e.box.run([
      'manifest',
      'fetch',
      '--oci-layout',
      `flayout@${multi}`,
      '--media-type',
      'x/y',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--media-type');
    expect(res.stderr).toContain('--oci-layout');
  });

  it('fetches a config and its descriptor, by tag, digest and platform; fails for an index or a missing tag', async () => {
    const amdConfig = '{"architecture":"amd64","os":"linux"}';
    expectUsageError(await e2e.box.run(['manifest', 'fetch-config']), 'manifest fetch-config');
    expect((await e2e.box.ok(['manifest', 'fetch-config', '--plain-http', `${repo}:amd`])).stdout).toBe(
      amdConfig,
    );
    const desc = await e2e.box.ok([
      'manifest',
      'fetch-config',
      '--descriptor',
      '--plain-http',
      `${repo}@${amd}`,
    ]);
    expect(JSON.parse(desc.stdout)).toEqual({
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256(amdConfig),
      size: amdConfig.length,
    });
    const platform = await e2e.box.ok([
      'manifest',
      'fetch-config',
      '--plain-http',
      '--platform',
      'linux/amd64',
      `${repo}:multi`,
    ]);
    expect(platform.stdout).toBe(amdConfig);
    const layout = await e2e.box.ok([
      'manifest',
      'fetch-config',
      '--oci-layout',
      '--platform',
      'linux/amd64',
      'flayout:multi',
    ]);
    expect(layout.stdout).toBe(amdConfig);
    expect((await e2e.box.run(['manifest', 'fetch-config', '--plain-http', `${repo}:multi`])).code).toBe(1);
    expect(
      (await e2e.box.run(['manifest', 'fetch-config', '--plain-http', `${repo}:this-tag-should-not-exist`]))
        .code,
    ).toBe(1);
    const noTag = await e2e.box.run(['manifest', 'fetch-config', '--plain-http', repo]);
    expect(noTag.code).toBe(1);
    expect(noTag.stderr).toContain('no tag or digest specified');
  });
});

describe('oras manifest delete, as oras e2e checks it', () => {
  const prepare = async (tag: string) => {
    await e2e.box.ok(['manifest', 'push', '--plain-http', `${repo}:${tag}`, '-'], { stdin: MANIFEST });
  };
  const tags = async () => (await e2e.box.ok(['repo', 'tags', '--plain-http', repo])).stdout.split('\n');

  it('fails without arguments, without tag or digest, and for --descriptor without --force', async () => {
    expectUsageError(await e2e.box.run(['manifest', 'delete']), 'manifest delete');
    const noTag = await e2e.box.run(['manifest', 'delete', '--plain-http', repo]);
    expect(noTag.code).toBe(1);
    expect(noTag.stderr).toContain('no tag or digest specified');
    await prepare('to-delete');
    const res = await e2e.box.run([
      'manifest',
      'delete',
      '--plain-http',
      `${repo}:to-delete`,
      '--descriptor',
    ]);
    expect(res.code).toBe(1);
    expect(await tags()).toContain('to-delete');
  });

  it('cancels without confirmation, and deletes on "y" or with --force', async () => {
    await prepare('to-delete');
    const cancelled = await e2e.box.run(['manifest', 'delete', '--plain-http', `${repo}:to-delete`]);
    expect(cancelled.stdout).toContain('Are you sure you want to delete the manifest ');
    expect(cancelled.stdout).toContain(' and all tags associated with it?');
    expect(cancelled.stdout).toContain('Operation cancelled.');
    expect(await tags()).toContain('to-delete');
    await e2e.box.ok(['manifest', 'delete', '--plain-http', `${repo}:to-delete`], { stdin: 'y' });
    expect(await tags()).not.toContain('to-delete');
    await prepare('to-delete');
    const forced = await e2e.box.ok([
      'manifest',
      'delete',
      '--plain-http',
      `${repo}:to-delete`,
      '-f',
      '--descriptor',
    ]);
    expect(JSON.parse(forced.stdout)).toEqual(MANIFEST_DESC);
    expect(await tags()).not.toContain('to-delete');
  });

  it('says a missing manifest does not exist, or Missing with --force alone', async () => {
    for (const [ref, flags] of [
      [`${repo}@${ZERO}`, []],
      [`${repo}@${ZERO}`, ['--force', '--descriptor']],
      [`${repo}:this.tag.should-not.be-existed`, ['--force', '--descriptor']],
    ] as const) {
      const res = await e2e.box.run(['manifest', 'delete', '--plain-http', ref, ...flags]);
      expect(res.code).toBe(1);
      // oras's own error, not the registry's: `Error:`, one line
      expect(res.stderr).toBe(`Error: ${ref}: the specified manifest does not exist\n`);
    }
    const missing = await e2e.box.ok(['manifest', 'delete', '--plain-http', `${repo}@${ZERO}`, '--force']);
    expect(missing.stdout).toBe(`Missing ${repo}@${ZERO}\n`);
  });
});

describe('oras manifest delete and blob delete in an OCI layout, as oras e2e checks them', () => {
  it('deletes a manifest on "y" and with -f, printing the descriptor with its tag; Missing with --force', async () => {
    for (const [name, flags, stdin] of [
      ['dlayout1', [], 'y'],
      ['dlayout2', ['-f'], undefined],
    ] as const) {
      await e2e.box.ok(['push', '--oci-layout', `${name}:foobar`, 'hi.txt']);
      await e2e.box.ok(['manifest', 'delete', '--oci-layout', `${name}:foobar`, ...flags], { stdin });
      const gone = await e2e.box.run(['manifest', 'fetch', '--oci-layout', `${name}:foobar`]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain(': not found');
    }
    const pushed = await e2e.box.ok(['push', '--oci-layout', 'dlayout3:foobar', 'hi.txt']);
    const digest = digestLine(pushed.stdout);
    const desc = await e2e.box.ok([
      'manifest',
      'delete',
      '--oci-layout',
      'dlayout3:foobar',
      '-f',
      '--descriptor',
    ]);
    expect(JSON.parse(desc.stdout)).toMatchObject({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      annotations: { 'org.opencontainers.image.ref.name': 'foobar' },
    });
    expect((await e2e.box.run(['manifest', 'fetch', '--oci-layout', 'dlayout3:foobar'])).code).toBe(1);
    const missing = await e2e.box.ok(['manifest', 'delete', '--oci-layout', `dlayout3@${ZERO}`, '--force']);
    expect(missing.stdout).toContain(`Missing dlayout3@${ZERO}`);
  });

  it('deletes a blob on "y" and with --force --descriptor; Missing with --force', async () => {
    await e2e.box.ok(['blob', 'push', '--oci-layout', `dblobs@${BLOB_DIGEST}`, 'blob']);
    const confirmed = await e2e.box.ok(['blob', 'delete', '--oci-layout', `dblobs@${BLOB_DIGEST}`], {
      stdin: 'y',
    });
    expect(confirmed.stdout).toContain('Deleted');
    expect(confirmed.stdout).toContain(`dblobs@${BLOB_DIGEST}`);
    expect(
      (await e2e.box.run(['blob', 'fetch', '--oci-layout', `dblobs@${BLOB_DIGEST}`, '--output', '-'])).code,
    ).toBe(1);
    await e2e.box.ok(['blob', 'push', '--oci-layout', `dblobs@${BLOB_DIGEST}`, 'blob']);
    const forced = await e2e.box.ok([
      'blob',
      'delete',
      '--oci-layout',
      `dblobs@${BLOB_DIGEST}`,
      '--force',
      '--descriptor',
    ]);
    expect(JSON.parse(forced.stdout)).toMatchObject({ digest: BLOB_DIGEST, size: BLOB.length });
    expect(
      (await e2e.box.run(['blob', 'fetch', '--oci-layout', `dblobs@${BLOB_DIGEST}`, '--output', '-'])).code,
    ).toBe(1);
    const missing = await e2e.box.ok(['blob', 'delete', '--oci-layout', `dblobs@${ZERO}`, '--force']);
    expect(missing.stdout).toContain(`Missing dblobs@${ZERO}`);
  });
});

describe('oras blob, as oras e2e checks it', () => {
  const blobRepo = () => `${e2e.host}/parity/blob`;

  it('refuses stdin for both the blob and --password-stdin, and stdin without --size', async () => {
    const both = await e2e.box.run(['blob', 'push', '--plain-http', blobRepo(), '--password-stdin', '-']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain(
      'Error: `-` read file from input and `--password-stdin` read password from input cannot be both used',
    );
    const noSize = await e2e.box.run(['blob', 'push', '--plain-http', `${blobRepo()}@${BLOB_DIGEST}`, '-'], {
      stdin: BLOB,
    });
    expect(noSize.code).toBe(1);
    expect(noSize.stderr).toContain('Error: `--size` must be provided if the blob is read from stdin');
    expectUsageError(await e2e.box.run(['blob', 'push']), 'blob push');
  });

  it('fails for a wrong size or digest, from stdin and from a file', async () => {
    for (const [ref, args, stdin] of [
      [`${blobRepo()}@${sha256('another-test')}`, ['-', '--size', '3'], 'another-test'],
      [`${blobRepo()}@${ZERO}`, ['-', '--size', String(BLOB.length)], BLOB],
      [`${blobRepo()}@${BLOB_DIGEST}`, ['blob', '--size', '3'], undefined],
      [`${blobRepo()}@${ZERO}`, ['blob', '--size', String(BLOB.length)], undefined],
    ] as const) {
      const res = await e2e.box.run(['blob', 'push', '--plain-http', ref, ...args], { stdin });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^Error/);
    }
  });

  it('pushes from a file and from stdin with a media type, printing the descriptor, then Exists', async () => {
    const desc = { mediaType: 'test.media', digest: BLOB_DIGEST, size: BLOB.length };
    const file = await e2e.box.ok([
      'blob',
      'push',
      '--plain-http',
      blobRepo(),
      'blob',
      '--media-type',
      'test.media',
      '--descriptor',
    ]);
    expect(JSON.parse(file.stdout)).toEqual(desc);
    expect(
      (await e2e.box.ok(['blob', 'fetch', '--plain-http', `${blobRepo()}@${BLOB_DIGEST}`, '--output', '-']))
        .stdout,
    ).toBe(BLOB);
    expect((await e2e.box.ok(['blob', 'push', '--plain-http', blobRepo(), 'blob', '-v'])).stdout).toContain(
      'Exists',
    );
    const stdin = await e2e.box.ok(
      [
        'blob',
        'push',
        '--plain-http',
        `${blobRepo()}@${BLOB_DIGEST}`,
        '-',
        '--media-type',
        'test.media',
        '--descriptor',
        '--size',
        '9',
      ],
      { stdin: BLOB },
    );
    expect(JSON.parse(stdin.stdout)).toEqual(desc);
    const layout = await e2e.box.ok([
      'blob',
      'push',
      '--oci-layout',
      `blayout@${BLOB_DIGEST}`,
      'blob',
      '--media-type',
      'test.media',
      '--descriptor',
    ]);
    expect(JSON.parse(layout.stdout)).toEqual(desc);
    expect(
      (await e2e.box.ok(['blob', 'push', '--oci-layout', `blayout@${BLOB_DIGEST}`, 'blob', '-v'])).stdout,
    ).toContain('Exists');
    expect(
      (await e2e.box.ok(['blob', 'fetch', '--oci-layout', `blayout@${BLOB_DIGEST}`, '--output', '-'])).stdout,
    ).toBe(BLOB);
  });

  it('fetches a descriptor, to stdout, to a file; refuses no output, no digest, a missing blob and - with --descriptor', async () => {
    const ref = `${blobRepo()}@${BLOB_DIGEST}`;
    const desc = JSON.parse(
      (await e2e.box.ok(['blob', 'fetch', '--plain-http', ref, '--descriptor'])).stdout,
    );
    expect(desc).toMatchObject({ digest: BLOB_DIGEST, size: BLOB.length });
    expect((await e2e.box.ok(['blob', 'fetch', '--plain-http', ref, '--output', '-'])).stdout).toBe(BLOB);
    const both = await e2e.box.ok([
      'blob',
      'fetch',
      '--plain-http',
      ref,
      '--output',
      'fetched',
      '--descriptor',
    ]);
    expect(JSON.parse(both.stdout)).toEqual(desc);
    expect(await readFile(join(e2e.box.dir, 'fetched'), 'utf8')).toBe(BLOB);
    expect((await e2e.box.run(['blob', 'fetch', '--plain-http', ref])).code).toBe(1);
    expectUsageError(await e2e.box.run(['blob', 'fetch']), 'blob fetch');
    const noDigest = await e2e.box.run(['blob', 'fetch', '--plain-http', '--descriptor', blobRepo()]);
    expect(noDigest.code).toBe(1);
    expect(noDigest.stderr).toMatch(/^Error/);
    expect(noDigest.stderr).toContain('no digest specified');
    const missing = await e2e.box.run([
      'blob',
      'fetch',
      '--plain-http',
      `${blobRepo()}@sha256:${'2a'.repeat(32)}`,
      '-o',
      '/dev/null',
    ]);
    expect(missing.code).toBe(1);
    const stdoutAndDesc = await e2e.box.run([
      'blob',
      'fetch',
      '--plain-http',
      ref,
      '--descriptor',
      '--output',
      '-',
    ]);
    expect(stdoutAndDesc.code).toBe(1);
    expect((await e2e.box.ok(['blob', 'get', '--help'])).stdout).toContain('--pretty');
  });

  it('deletes on "y" or with --force --descriptor; refuses bad references; says Missing or does not exist', async () => {
    const ref = `${blobRepo()}@${BLOB_DIGEST}`;
    expectUsageError(await e2e.box.run(['blob', 'delete']), 'blob delete');
    expect((await e2e.box.run(['blob', 'delete', '--plain-http', ref, '--descriptor'])).code).toBe(1);
    expect((await e2e.box.ok(['blob', 'fetch', '--plain-http', ref, '--output', '-'])).stdout).toBe(BLOB);
    for (const bad of [
      `${blobRepo()}:sha256:${'a'.repeat(64)}`,
      `${blobRepo()}:test`,
      `${blobRepo()}@test`,
    ]) {
      expect(
        (await e2e.box.run(['blob', 'delete', '--plain-http', bad, '--descriptor', '--force'])).code,
      ).toBe(1);
    }
    const noDigest = await e2e.box.run(['blob', 'delete', '--plain-http', blobRepo()]);
    expect(noDigest.code).toBe(1);
    expect(noDigest.stderr).toContain('no digest specified');
    for (const flags of [[], ['--force', '--descriptor']]) {
      const res = await e2e.box.run(['blob', 'delete', '--plain-http', `${blobRepo()}@${ZERO}`, ...flags]);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`Error: ${blobRepo()}@${ZERO}: the specified blob does not exist\n`);
    }
    const missing = await e2e.box.ok(['blob', 'delete', '--plain-http', `${blobRepo()}@${ZERO}`, '--force']);
    expect(missing.stdout).toContain(`Missing ${blobRepo()}@${ZERO}`);
    const confirmed = await e2e.box.ok(['blob', 'delete', '--plain-http', ref], { stdin: 'y' });
    expect(confirmed.stdout).toContain('Deleted');
    expect(confirmed.stdout).toContain(ref);
    await e2e.box.ok(['blob', 'push', '--plain-http', blobRepo(), 'blob']);
    const forced = await e2e.box.ok(['blob', 'delete', '--plain-http', ref, '--force', '--descriptor']);
    expect(JSON.parse(forced.stdout)).toMatchObject({ digest: BLOB_DIGEST, size: BLOB.length });
    expect((await e2e.box.run(['blob', 'fetch', '--plain-http', ref, '--output', '-'])).code).toBe(1);
  });
});

describe('oras repo, as oras e2e checks it', () => {
  beforeAll(async () => {
    await e2e.box.ok(['push', '--plain-http', `${e2e.host}/command/images:foobar`, 'hi.txt']);
    await e2e.box.ok(['push', '--plain-http', `${e2e.host}/command-draft/images:foobar`, 'hi.txt']);
  });

  it('fails without arguments, for a tagged reference to repo ls, and for a registry or missing tag to repo tags', async () => {
    expectUsageError(await e2e.box.run(['repo', 'ls']), 'repo ls');
    expectUsageError(await e2e.box.run(['repo', 'tags']), 'repo tags');
    const tagged = await e2e.box.run(['repo', 'ls', '--plain-http', `${e2e.host}/command/images:some-tag`]);
    expect(tagged.code).toBe(1);
    expect(tagged.stderr).toMatch(/^Error:/);
    const registry = await e2e.box.run(['repo', 'tags', '--plain-http', e2e.host]);
    expect(registry.code).toBe(1);
    expect(registry.stderr).toMatch(/^Error:/);
    const missing = await e2e.box.run([
      'repo',
      'tags',
      '--plain-http',
      `${e2e.host}/command/images:some-tag`,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error response from registry: /);
  });

  it('lists repositories, under a namespace only fully matched ones, and after --last', async () => {
    const all = (await e2e.box.ok(['repository', 'list', '--plain-http', e2e.host])).stdout.split('\n');
    expect(all).toContain('command/images');
    expect(all).toContain('command-draft/images');
    const namespaced = (await e2e.box.ok(['repo', 'ls', '--plain-http', `${e2e.host}/command`])).stdout.split(
      '\n',
    );
    expect(namespaced).toContain('images');
    expect(namespaced).not.toContain('command-draft/images');
    expect(namespaced).not.toContain('draft/images');
    const last = (await e2e.box.ok(['repo', 'ls', '--plain-http', e2e.host, '--last', 'command/images']))
      .stdout;
    expect(last.split('\n')).not.toContain('command/images');
  });

  it('lists tags, those of one manifest with an [Experimental] note on stderr, and after --last in a layout', async () => {
    const images = `${e2e.host}/command/images`;
    await e2e.box.ok(['tag', '--plain-http', `${images}:foobar`, 'bax', 'bay', 'baz']);
    await e2e.box.ok(['push', '--plain-http', `${images}:multi`, 'amd.json']);
    const all = (await e2e.box.ok(['repository', 'show-tags', '--plain-http', images])).stdout.split('\n');
    for (const tag of ['foobar', 'bax', 'bay', 'baz', 'multi']) expect(all).toContain(tag);
    const digest = (await e2e.box.ok(['resolve', '--plain-http', `${images}:foobar`])).stdout.trim();
    for (const ref of [`${images}:foobar`, `${images}@${digest}`]) {
      const res = await e2e.box.ok(['repo', 'tags', '-v', '--plain-http', ref]);
      expect(res.stderr).toContain('[Experimental]');
      expect(res.stderr).toContain(digest);
      const tags = res.stdout.split('\n');
      for (const tag of ['foobar', 'bax', 'bay', 'baz']) expect(tags).toContain(tag);
      expect(tags).not.toContain('multi');
    }
    await e2e.box.ok(['cp', '--from-plain-http', `${images}:foobar`, 'rlayout:foobar', '--to-oci-layout']);
    await e2e.box.ok(['tag', '--oci-layout', 'rlayout:foobar', 'zzz']);
    expect((await e2e.box.ok(['repo', 'tags', '--oci-layout', 'rlayout'])).stdout).toBe('foobar\nzzz\n');
    expect(
      (await e2e.box.ok(['repository', 'tags', '--oci-layout', 'rlayout', '--last', 'foobar'])).stdout,
    ).toBe('zzz\n');
  });
});

describe('oras login, as oras e2e checks it', () => {
  const config = () => join(e2e.box.dir, 'login', 'test.config');

  it('fails without arguments with the usage line and the -h hint', async () => {
    expectUsageError(await e2e.box.run(['login']), 'login');
  });

  it('prompts for the username and the password (or a token without a username) on stdout', async () => {
    const noPassword = await e2e.box.run(['login', '--plain-http', e2e.host, '--registry-config', config()], {
      stdin: 'user\n',
    });
    expect(noPassword.code).toBe(1);
    expect(noPassword.stdout).toContain('Username: ');
    expect(noPassword.stdout).toContain('Password: ');
    const emptyPassword = await e2e.box.run(
      ['login', '--plain-http', e2e.host, '--registry-config', config()],
      {
        stdin: 'user\n\n',
      },
    );
    expect(emptyPassword.code).toBe(1);
    expect(emptyPassword.stderr).toContain('Error: password required');
    const emptyToken = await e2e.box.run(['login', '--plain-http', e2e.host, '--registry-config', config()], {
      stdin: '\n\n',
    });
    expect(emptyToken.code).toBe(1);
    expect(emptyToken.stdout).toContain('Token: ');
    expect(emptyToken.stderr).toContain('Error: token required');
  });

  it('logs in with -p, warning that it is insecure, and with prompted input', async () => {
    const flag = await e2e.box.ok([
      'login',
      '--plain-http',
      e2e.host,
      '-u',
      'user',
      '-p',
      'secret',
      '--registry-config',
      config(),
    ]);
    expect(flag.stdout).toBe('Login Succeeded\n');
    for (const word of ['WARNING', 'Using --password via the CLI is insecure', 'Use --password-stdin']) {
      expect(flag.stderr).toContain(word);
    }
    const prompted = await e2e.box.ok(['login', '--plain-http', e2e.host, '--registry-config', config()], {
      stdin: 'user\nsecret\n',
    });
    for (const word of ['Username: ', 'Password: ', 'Login Succeeded\n'])
      expect(prompted.stdout).toContain(word);
  });
});

describe('oras manifest index, as oras e2e checks it', () => {
  let amd = '';
  let arm = '';
  let index = '';
  beforeAll(async () => {
    index = `${e2e.host}/parity/index`;
    amd = digestLine(
      (
        await e2e.box.ok([
          'push',
          '--plain-http',
          `${index}:amd`,
          '--config',
          'amd.json:application/vnd.oci.image.config.v1+json',
          'hi.txt',
        ])
      ).stdout,
    );
    arm = digestLine(
      (
        await e2e.box.ok([
          'push',
          '--plain-http',
          `${index}:arm`,
          '--config',
          'arm.json:application/vnd.oci.image.config.v1+json',
          'hi.txt',
        ])
      ).stdout,
    );
  });
  const manifests = async (ref: string) =>
    (
      JSON.parse((await e2e.box.ok(['manifest', 'fetch', '--plain-http', ref])).stdout) as {
        manifests: { digest: string }[];
      }
    ).manifests.map((m) => m.digest);

  it('has the alias pack and a --tag flag for update', async () => {
    const create = await e2e.box.ok(['manifest', 'index', 'create', '--help']);
    expect(create.stdout).toContain('Aliases');
    expect(create.stdout).toContain('pack');
    expect((await e2e.box.ok(['manifest', 'index', 'update', '--help'])).stdout).toContain('--tag');
  });

  it('creates from digests and tags, with several tags, printing Fetched, Pushed, Tagged and the digest', async () => {
    const byDigest = await e2e.box.ok([
      'manifest',
      'index',
      'create',
      '--plain-http',
      `${index}:latest`,
      amd,
      arm,
    ]);
    for (const word of ['Fetched', amd.slice(7, 19), arm.slice(7, 19), 'Pushed'])
      expect(byDigest.stdout).toContain(word);
    expect(await manifests(`${index}:latest`)).toEqual([amd, arm]);
    const byTag = await e2e.box.ok([
      'manifest',
      'index',
      'create',
      '--plain-http',
      `${index}:t0,t1,t2`,
      'arm',
      'amd',
    ]);
    for (const word of ['Fetched', 'arm', 'amd', 'Pushed', 'Tagged']) expect(byTag.stdout).toContain(word);
    for (const tag of ['t0', 't1', 't2']) expect(await manifests(`${index}:${tag}`)).toEqual([arm, amd]);
    const untagged = await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', index, 'arm']);
    expect(await manifests(`${index}@${digestLine(untagged.stdout)}`)).toEqual([arm]);
  });

  it('creates with annotations, and writes the index to stdout or a file instead', async () => {
    await e2e.box.ok([
      'manifest',
      'index',
      'create',
      '--plain-http',
      `${index}:annotated`,
      '--annotation',
      'image-anno-key=image-anno-value',
    ]);
    const fetched = JSON.parse(
      (await e2e.box.ok(['manifest', 'fetch', '--plain-http', `${index}:annotated`])).stdout,
    );
    expect(fetched.annotations['image-anno-key']).toBe('image-anno-value');
    const stdout = await e2e.box.ok([
      'manifest',
      'index',
      'create',
      '--plain-http',
      index,
      amd,
      '--output',
      '-',
    ]);
    expect(JSON.parse(stdout.stdout).manifests.map((m: { digest: string }) => m.digest)).toEqual([amd]);
    await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', index, amd, '--output', 'index.json']);
    expect(await readFile(join(e2e.box.dir, 'index.json'), 'utf8')).toBe(stdout.stdout);
  });

  it('fails for a missing manifest, a malformed annotation, and an update without tag or digest', async () => {
    const missing = await e2e.box.run([
      'manifest',
      'index',
      'create',
      '--plain-http',
      index,
      'does-not-exist',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Error.*could not find.*does-not-exist/);
    const annotation = await e2e.box.run([
      'manifest',
      'index',
      'create',
      '--plain-http',
      index,
      amd,
      '-a',
      'foo:bar',
    ]);
    expect(annotation.code).toBe(1);
    expect(annotation.stderr).toMatch(/^Error: annotation value doesn't match the required format/);
    const noTag = await e2e.box.run(['manifest', 'index', 'update', '--plain-http', index, '--add', arm]);
    expect(noTag.code).toBe(1);
    expect(noTag.stderr).toMatch(/^Error: .*no tag or digest specified/);
  });

  it('updates by tag and by digest with --add, --merge, --remove and --tag, or says there is nothing to update', async () => {
    const created = digestLine(
      (await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', `${index}:index01`, amd])).stdout,
    );
    await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', `${index}:index02`, arm]);
    const byDigest = await e2e.box.ok([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${index}@${created}`,
      '--add',
      arm,
      '--tag',
      'updated',
    ]);
    const updated = digestLine(byDigest.stdout);
    expect(await manifests(`${index}:updated`)).toEqual([amd, arm]);
    expect(updated).not.toBe(created);
    await e2e.box.ok([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${index}:index01`,
      '--merge',
      'index02',
      '--remove',
      amd,
    ]);
    expect(await manifests(`${index}:index01`)).toEqual([arm]);
    const nothing = await e2e.box.ok(['manifest', 'index', 'update', '--plain-http', `${index}:index01`]);
    expect(nothing.stdout.toLowerCase()).toContain('nothing to update');
    for (const args of [
      [`${index}:does-not-exist`, '--add', arm],
      [`${index}:index01`, '--add', 'does-not-exist'],
      [`${index}:index01`, '--merge', 'does-not-exist'],
    ]) {
      const res = await e2e.box.run(['manifest', 'index', 'update', '--plain-http', ...args]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/Error.*could not find.*does-not-exist/);
    }
    const toStdout = await e2e.box.ok([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${index}:index01`,
      '--add',
      amd,
      '--output',
      '-',
    ]);
    expect(JSON.parse(toStdout.stdout).manifests.map((m: { digest: string }) => m.digest)).toEqual([
      arm,
      amd,
    ]);
  });

  it('appends an entry the index already has, as oras 1.3 does, and removes every entry of a digest', async () => {
    await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', `${index}:dup`, amd, arm]);
    await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', `${index}:dup-other`, amd]);
    const added = await e2e.box.ok([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${index}:dup`,
      '--add',
      amd,
    ]);
    expect(added.stdout).toContain(`Added     ${amd}\n`);
    expect(await manifests(`${index}:dup`)).toEqual([amd, arm, amd]);
    await e2e.box.ok(['manifest', 'index', 'update', '--plain-http', `${index}:dup`, '--merge', 'dup-other']);
    expect(await manifests(`${index}:dup`)).toEqual([amd, arm, amd, amd]);
    // a digest given twice to --remove is one removal; every entry with it goes
    const removed = await e2e.box.ok([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${index}:dup`,
      '--remove',
      amd,
      '--remove',
      amd,
    ]);
    expect(removed.stdout.split('\n').filter((l) => l.startsWith('Removed'))).toEqual([`Removed   ${amd}`]);
    expect(await manifests(`${index}:dup`)).toEqual([arm]);
  });

  it('counts only --add, --merge and --remove as a change: --artifact-type or --annotation alone change nothing', async () => {
    const before = (await e2e.box.ok(['resolve', '--plain-http', `${index}:dup`])).stdout;
    for (const flags of [
      ['--artifact-type', 'test/index'],
      ['--annotation', 'k=v'],
      ['--artifact-type', '', '--tag', 'dup-tagged'],
    ]) {
      const res = await e2e.box.run([
        'manifest',
        'index',
        'update',
        '--plain-http',
        `${index}:dup`,
        ...flags,
      ]);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe('Nothing to update as no change is requested\n');
      expect(res.stderr).toBe('');
    }
    expect((await e2e.box.ok(['resolve', '--plain-http', `${index}:dup`])).stdout).toBe(before);
    // along with a change they apply
    await e2e.box.ok([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${index}:dup`,
      '--add',
      amd,
      '--artifact-type',
      'test/index',
      '--annotation',
      'k=v',
    ]);
    const fetched = JSON.parse(
      (await e2e.box.ok(['manifest', 'fetch', '--plain-http', `${index}:dup`])).stdout,
    );
    expect(fetched.artifactType).toBe('test/index');
    expect(fetched.annotations).toEqual({ k: 'v' });
  });
});
