/**
 * `oras cp`, `oras tag`, `oras resolve`, `oras backup`, `oras restore` and `oras version` checked
 * case by case against what oras's own e2e suite asserts for them (`test/e2e/suite/command/cp.go`,
 * `cp_multiplatform.go`, `tag.go`, `resolve.go`, `backup.go`, `restore.go`, `version.go`), with our
 * own test data on Debian's docker-registry.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestLine, sha256, withDistribution } from './fixture.js';
import { expectStatus, expectUsageError, type StatusKey, short } from './parity-status.js';

const FILE = 'copy me\n';
const e2e = withDistribution({
  files: {
    'file.txt': FILE,
    'sig.txt': 'a signature\n',
    'amd.json': '{"architecture":"amd64","os":"linux"}',
    'arm.json': '{"architecture":"arm64","os":"linux"}',
  },
});

const IMAGE_CONFIG = 'application/vnd.oci.image.config.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const FROM = '--from-plain-http';
const TO = '--to-plain-http';

/** The source image: one titled file and a config, plus a referrer; and a two-platform index. */
let repo = '';
let digest = '';
let referrer = '';
let amd = '';
let multi = '';
let imageKeys: StatusKey[] = [];

beforeAll(async () => {
  repo = `${e2e.host}/parity/source`;
  const pushed = await e2e.box.ok([
    'push',
    '--plain-http',
    `${repo}:v1`,
    '--config',
    `amd.json:${IMAGE_CONFIG}`,
    'file.txt',
  ]);
  digest = digestLine(pushed.stdout);
  imageKeys = [
    [short(sha256(FILE)), 'file.txt'],
    [short(sha256('{"architecture":"amd64","os":"linux"}')), IMAGE_CONFIG],
    [short(digest), MANIFEST],
  ];
  referrer = (
    await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/sig',
      `${repo}:v1`,
      'sig.txt',
      '--format',
      'go-template={{.digest}}',
    ])
  ).stdout;
  amd = digest;
  await e2e.box.ok([
    'push',
    '--plain-http',
    `${repo}:arm`,
    '--config',
    `arm.json:${IMAGE_CONFIG}`,
    'file.txt',
  ]);
  multi = digestLine(
    (await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', `${repo}:multi`, 'v1', 'arm'])).stdout,
  );
});

async function manifestBytes(ref: string, layout = false): Promise<string> {
  return (await e2e.box.ok(['manifest', 'fetch', layout ? '--oci-layout' : '--plain-http', ref])).stdout;
}

describe('oras cp, as oras e2e checks it', () => {
  it('fails without both references, with three, and names the usage', async () => {
    expectUsageError(await e2e.box.run(['cp']), 'cp');
    expectUsageError(await e2e.box.run(['cp', `${e2e.host}/parity/source:v1`]), 'cp');
    expectUsageError(await e2e.box.run(['cp', 'foo', 'bar', 'buz']), 'cp');
  });

  it('fails for a source without tag or digest, and names a missing source tag', async () => {
    const noTag = await e2e.box.run(['cp', FROM, TO, repo, `${e2e.host}/parity/dst:dst`]);
    expect(noTag.code).toBe(1);
    expect(noTag.stderr).toMatch(/^Error: /);
    expect(noTag.stderr).toContain('no tag or digest specified');
    const missing = await e2e.box.run([
      'cp',
      FROM,
      TO,
      `${repo}:i-dont-think-this-tag-exists`,
      `${e2e.host}/parity/dst`,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('i-dont-think-this-tag-exists');
    const toLayout = await e2e.box.run([
      'cp',
      FROM,
      `${repo}:i-dont-think-this-tag-exists`,
      '--to-oci-layout',
      'nowhere',
    ]);
    expect(toLayout.code).toBe(1);
    expect(toLayout.stderr).toContain('Error response from registry: ');
  });

  it('copies by tag and by digest, every blob and the manifest Copied or Mounted, the bytes unchanged', async () => {
    const byTag = await e2e.box.ok([
      'cp',
      FROM,
      TO,
      `${repo}:v1`,
      `${e2e.host}/parity/copy-tag:copied`,
      '-v',
    ]);
    expectStatus(byTag.stdout, 'cp', imageKeys);
    expect(await manifestBytes(`${e2e.host}/parity/copy-tag:copied`)).toBe(await manifestBytes(`${repo}:v1`));
    const byDigest = await e2e.box.ok([
      'cp',
      FROM,
      TO,
      `${repo}@${digest}`,
      `${e2e.host}/parity/copy-digest:copiedTag`,
      '-v',
    ]);
    expectStatus(byDigest.stdout, 'cp', imageKeys);
    const noTag = await e2e.box.ok([
      'cp',
      FROM,
      TO,
      `${repo}:v1`,
      `${e2e.host}/parity/copy-no-tag@${digest}`,
      '-v',
    ]);
    expectStatus(noTag.stdout, 'cp', imageKeys);
    expect(await manifestBytes(`${e2e.host}/parity/copy-no-tag@${digest}`)).toBe(
      await manifestBytes(`${repo}:v1`),
    );
  });

  it('prints only Mounted for a blob mounted from the source repository', async () => {
    const res = await e2e.box.ok(['cp', FROM, TO, `${repo}:v1`, `${e2e.host}/parity/mounted`, '-v']);
    const [file] = imageKeys;
    expect(res.stdout).toContain(`Mounted ${file?.[0]} file.txt\n`);
    expect(res.stdout).not.toMatch(new RegExp(`^(Copying|Copied) +${file?.[0]} `, 'm'));
  });

  it('copies with several tags, each pointing at the same manifest', async () => {
    const res = await e2e.box.ok([
      'cp',
      FROM,
      TO,
      `${repo}@${digest}`,
      `${e2e.host}/parity/multi-tag:tag1,tag2,tag3`,
      '-v',
    ]);
    expectStatus(res.stdout, 'cp', imageKeys);
    for (const tag of ['tag1', 'tag2', 'tag3']) {
      expect(await manifestBytes(`${e2e.host}/parity/multi-tag:${tag}`)).toBe(
        await manifestBytes(`${repo}:v1`),
      );
    }
  });

  it('copies an image and its referrers with -r', async () => {
    const res = await e2e.box.ok([
      'cp',
      '-r',
      FROM,
      TO,
      `${repo}:v1`,
      `${e2e.host}/parity/with-referrers@${digest}`,
      '-v',
    ]);
    expectStatus(res.stdout, 'cp', [...imageKeys, [short(referrer), MANIFEST]]);
    const found = JSON.parse(
      (
        await e2e.box.ok([
          'discover',
          '--plain-http',
          `${e2e.host}/parity/with-referrers@${digest}`,
          '--format',
          'json',
        ])
      ).stdout,
    ) as { referrers: { digest: string }[] };
    expect(found.referrers.map((r) => r.digest)).toEqual([referrer]);
  });

  it('copies one platform of an index, printing its digest', async () => {
    const res = await e2e.box.ok([
      'cp',
      FROM,
      TO,
      `${repo}:multi`,
      `${e2e.host}/parity/platform:copiedTag`,
      '--platform',
      'linux/amd64',
      '-v',
    ]);
    expectStatus(res.stdout, 'cp', imageKeys);
    expect(res.stdout).toContain(`Digest: ${amd}`);
    expect(await manifestBytes(`${e2e.host}/parity/platform:copiedTag`)).toBe(
      await manifestBytes(`${repo}@${amd}`),
    );
    const index = await e2e.box.run([
      'manifest',
      'fetch',
      '--plain-http',
      `${e2e.host}/parity/platform@${multi}`,
    ]);
    expect(index.code).toBe(1);
  });

  it('copies one platform of an index by digest into a repository without a tag, and with -r its referrers', async () => {
    const byDigest = await e2e.box.ok([
      'cp',
      FROM,
      TO,
      `${repo}@${multi}`,
      `${e2e.host}/parity/platform-digest`,
      '--platform',
      'linux/amd64',
    ]);
    expectStatus(byDigest.stdout, 'cp', imageKeys);
    expect(byDigest.stdout).toContain(`Digest: ${amd}`);
    expect(await manifestBytes(`${e2e.host}/parity/platform-digest@${amd}`)).toBe(
      await manifestBytes(`${repo}@${amd}`),
    );

    const dst = `${e2e.host}/parity/platform-referrers:copiedTag`;
    const recursive = await e2e.box.ok([
      'cp',
      FROM,
      TO,
      `${repo}:multi`,
      dst,
      '-r',
      '--platform',
      'linux/amd64',
    ]);
    expectStatus(recursive.stdout, 'cp', [
      ...imageKeys,
      [short(sha256('a signature\n')), 'sig.txt'],
      [short(referrer), MANIFEST],
    ]);
    expect(recursive.stdout).toContain(`Digest: ${amd}`);
    expect(await manifestBytes(dst)).toBe(await manifestBytes(`${repo}@${amd}`));
    const found = JSON.parse(
      (await e2e.box.ok(['discover', '--plain-http', dst, '--format', 'json'])).stdout,
    ) as { referrers: { digest: string }[] };
    expect(found.referrers.map((r) => r.digest)).toEqual([referrer]);
    expect(await manifestBytes(`${e2e.host}/parity/platform-referrers@${referrer}`)).toBe(
      await manifestBytes(`${repo}@${referrer}`),
    );
  });

  it('copies between a registry and OCI layouts, both ways, by tag and by digest, with the same lines', async () => {
    const toLayout = await e2e.box.ok([
      'cp',
      FROM,
      `${repo}:v1`,
      'cp-layout:copied',
      '-v',
      '--to-oci-layout',
    ]);
    expectStatus(toLayout.stdout, 'cp', imageKeys);
    expect(await manifestBytes('cp-layout:copied', true)).toBe(await manifestBytes(`${repo}:v1`));
    const byDigest = await e2e.box.ok([
      'cp',
      FROM,
      `${repo}:v1`,
      'cp-layout-digest',
      '-v',
      '--to-oci-layout',
    ]);
    expectStatus(byDigest.stdout, 'cp', imageKeys);
    expect(await manifestBytes(`cp-layout-digest@${digest}`, true)).toBe(await manifestBytes(`${repo}:v1`));
    const back = await e2e.box.ok([
      'cp',
      TO,
      'cp-layout:copied',
      `${e2e.host}/parity/from-layout:v1`,
      '-v',
      '--from-oci-layout',
    ]);
    expectStatus(back.stdout, 'cp', imageKeys);
    expect(await manifestBytes(`${e2e.host}/parity/from-layout:v1`)).toBe(await manifestBytes(`${repo}:v1`));
    const between = await e2e.box.ok([
      'cp',
      `cp-layout@${digest}`,
      'cp-layout2',
      '-v',
      '--from-oci-layout',
      '--to-oci-layout',
    ]);
    expectStatus(between.stdout, 'cp', imageKeys);
    const tagged = await e2e.box.ok([
      'cp',
      FROM,
      `${repo}:v1`,
      'cp-layout3:tag1,tag2,tag3',
      '-v',
      '--to-oci-layout',
    ]);
    expectStatus(tagged.stdout, 'cp', imageKeys);
    for (const tag of ['tag1', 'tag2', 'tag3']) {
      expect(await manifestBytes(`cp-layout3:${tag}`, true)).toBe(await manifestBytes(`${repo}:v1`));
    }
  });
});

describe('oras tag, as oras e2e checks it', () => {
  it('fails without arguments, for a missing manifest and for an invalid reference', async () => {
    expectUsageError(await e2e.box.run(['tag']), 'tag');
    const missing = await e2e.box.run([
      'tag',
      '--plain-http',
      `${repo}:i-dont-think-this-tag-exists`,
      'tagged',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error response from registry: /);
    const invalid = await e2e.box.run(['tag', `${e2e.host}/parity/INVALID:test`, 'latest']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^Error: /);
    expect(invalid.stderr).toContain('unable to add tag');
    expect(invalid.stderr).toContain('invalid reference');
  });

  it('points `oras tag list` to `oras repo tags`, for a repository and a layout', async () => {
    const repoHint = await e2e.box.run(['tag', 'list']);
    expect(repoHint.code).toBe(1);
    expect(repoHint.stderr).toMatch(/^Error: there is no "list" sub-command for "oras tag" command/);
    expect(repoHint.stderr).toContain('repository');
    expect(repoHint.stderr).toContain('oras repo tags');
    const layoutHint = await e2e.box.run(['tag', 'list', '--oci-layout']);
    expect(layoutHint.stderr).toContain('an OCI image layout');
    expect(layoutHint.stderr).toContain('oras repo tags');
  });

  it('tags by tag and by digest, saying once what it tags, then every tag', async () => {
    for (const [from, tags] of [
      ['v1', ['tag-via-tag']],
      [digest, ['tag1-via-digest', 'tag2-via-digest', 'tag3-via-digest']],
      ['v1', ['tag1-via-tag', 'tag1-via-tag', 'tag1-via-tag']],
    ] as const) {
      const sep = from.startsWith('sha256:') ? '@' : ':';
      const res = await e2e.box.ok(['tag', '--plain-http', `${repo}${sep}${from}`, ...tags]);
      const hint = `Tagging [registry] ${repo}@${digest}`;
      expect(res.stdout.split(hint)).toHaveLength(2);
      for (const tag of tags) expect(res.stdout).toContain(`Tagged ${tag}\n`);
      const listed = (await e2e.box.ok(['repo', 'tags', '--plain-http', repo])).stdout.split('\n');
      for (const tag of tags) expect(listed).toContain(tag);
    }
  });

  it('tags in an OCI layout given by a relative path', async () => {
    await e2e.box.ok(['cp', FROM, `${repo}:v1`, 'tag-layout:v1', '--to-oci-layout']);
    for (const tag of ['latest', 'tag2']) {
      const res = await e2e.box.ok(['tag', '--oci-layout', 'tag-layout:v1', tag]);
      expect(res.stdout).toContain(`Tagging [oci-layout] tag-layout@${digest}\n`);
      expect(res.stdout).toContain(`Tagged ${tag}\n`);
    }
    const tags = (await e2e.box.ok(['repo', 'tags', '--oci-layout', 'tag-layout:v1'])).stdout.split('\n');
    for (const tag of ['v1', 'latest', 'tag2']) expect(tags).toContain(tag);
  });
});

describe('oras resolve, as oras e2e checks it', () => {
  it('fails without a reference, for an invalid repository and without tag or digest', async () => {
    expectUsageError(await e2e.box.run(['resolve']), 'resolve');
    const invalid = await e2e.box.run(['resolve', `${e2e.host}/parity/INVALID`]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^Error: /);
    expect(invalid.stderr).toContain(`${e2e.host}/parity/INVALID`);
    expect(invalid.stderr).toContain('invalid reference');
    const noTag = await e2e.box.run(['resolve', '--plain-http', repo]);
    expect(noTag.code).toBe(1);
    expect(noTag.stderr).toContain('no tag or digest specified');
  });

  it('says it failed to resolve the digest of a missing tag, with the registry error prefix', async () => {
    const res = await e2e.box.run(['resolve', '--plain-http', `${repo}:i-dont-think-this-tag-exists`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error response from registry: failed to resolve digest: .*not found/);
  });

  it('resolves a digest, a full reference (also through `oras digest`) and a platform', async () => {
    expect((await e2e.box.ok(['resolve', '--plain-http', `${repo}@${multi}`])).stdout.trim()).toBe(multi);
    expect((await e2e.box.ok(['digest', '--plain-http', '-l', `${repo}:multi`])).stdout).toContain(
      `${repo}@${multi}`,
    );
    const platform = await e2e.box.ok([
      'resolve',
      '--plain-http',
      '--full-reference',
      '--platform',
      'linux/amd64',
      `${repo}:multi`,
    ]);
    expect(platform.stdout).toContain(`${repo}@${amd}`);
  });

  it('resolves in an OCI layout', async () => {
    await e2e.box.ok(['cp', FROM, `${repo}:multi`, 'resolve-layout:multi', '--to-oci-layout']);
    expect((await e2e.box.ok(['resolve', '--oci-layout', `resolve-layout@${multi}`])).stdout.trim()).toBe(
      multi,
    );
    expect((await e2e.box.ok(['digest', '--oci-layout', '-l', 'resolve-layout:multi'])).stdout).toContain(
      `resolve-layout@${multi}`,
    );
    const platform = await e2e.box.ok([
      'resolve',
      '--oci-layout',
      '--full-reference',
      '--platform',
      'linux/amd64',
      'resolve-layout:multi',
    ]);
    expect(platform.stdout).toContain(`resolve-layout@${amd}`);
  });
});

describe('oras version, as oras e2e checks it', () => {
  it('prints the version, and refuses arguments as cobra.NoArgs does', async () => {
    expect((await e2e.box.ok(['version'])).stdout).toMatch(/^Version: /);
    const extra = await e2e.box.run(['version', 'foo', 'bar']);
    expect(extra.code).toBe(1);
    expect(extra.stdout).toBe('');
    expect(extra.stderr).toBe('Error: unknown command "foo" for "oras version"\n');
  });
});

describe('oras backup and oras restore, as oras e2e checks them', () => {
  it('fails without a reference, without --output/--input, with an empty path and for digests', async () => {
    for (const [command, flag] of [
      ['backup', 'output'],
      ['restore', 'input'],
    ] as const) {
      const none = await e2e.box.run([command]);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/^Error:/);
      const noPath = await e2e.box.run([command, `${repo}:v1`]);
      expect(noPath.code).toBe(1);
      expect(noPath.stderr).toContain(`Error: required flag(s) "${flag}" not set`);
      const empty = await e2e.box.run([command, `--${flag}`, '', `${repo}:v1`]);
      expect(empty.code).toBe(1);
      expect(empty.stderr).toContain(`Error: the ${flag} path cannot be empty`);
      for (const ref of ['invalid/format@sha256:digest', 'invalid/format:v1,@sha256:123abc']) {
        const res = await e2e.box.run([command, `--${flag}`, 'somewhere', ref]);
        expect(res.code).toBe(1);
        expect(res.stderr).toMatch(/^Error: .*digest references are not supported/);
      }
      const badTag = await e2e.box.run([
        command,
        `--${flag}`,
        'somewhere',
        'localhost:5000/repo:invalid+tag',
      ]);
      expect(badTag.code).toBe(1);
      expect(badTag.stderr).toMatch(/^Error:/);
    }
    const missing = await e2e.box.run([
      'backup',
      '--plain-http',
      '--output',
      'missing',
      `${repo}:i-dont-think-this-tag-exists`,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('i-dont-think-this-tag-exists');
  });

  it('backs up tags with their referrers to a folder and a tar, and restores them', async () => {
    const res = await e2e.box.ok([
      'backup',
      '--plain-http',
      '--output',
      'bk',
      '--include-referrers',
      `${repo}:v1,arm`,
    ]);
    expect(res.stdout).toContain('1 referrer(s)');
    expect(res.stdout).toContain('Successfully backed up 2 tag(s)');
    // the referrer and its file, pulled once each; unnamed content is named by its media type
    expectStatus(res.stdout, 'backup', [
      [short(sha256('a signature\n')), 'sig.txt'],
      [short(referrer), MANIFEST],
    ]);
    expect((await stat(join(e2e.box.dir, 'bk'))).isDirectory()).toBe(true);
    await expect(stat(join(e2e.box.dir, 'bk', 'ingest'))).rejects.toThrow();
    expect(await manifestBytes('bk:v1', true)).toBe(await manifestBytes(`${repo}:v1`));
    expect(await manifestBytes(`bk@${referrer}`, true)).toBe(await manifestBytes(`${repo}@${referrer}`));

    const tar = await e2e.box.ok(['backup', '--plain-http', '--output', 'bk.tAr', `${repo}:v1`]);
    expect(tar.stdout).toContain('Successfully backed up 1 tag(s)');
    expectStatus(tar.stdout, 'backup', imageKeys);
    expect((await stat(join(e2e.box.dir, 'bk.tAr'))).isFile()).toBe(true);
    expect(await manifestBytes('bk.tAr:v1', true)).toBe(await manifestBytes(`${repo}:v1`));

    const restored = `${e2e.host}/parity/restored`;
    const back = await e2e.box.ok(['restore', '--plain-http', '--input', 'bk', `${restored}:v1,arm`]);
    expect(back.stdout).toContain('Successfully restored 2 tag(s)');
    expect(await manifestBytes(`${restored}:v1`)).toBe(await manifestBytes(`${repo}:v1`));
    expect(await manifestBytes(`${restored}@${referrer}`)).toBe(await manifestBytes(`${repo}@${referrer}`));
    const fromTar = await e2e.box.ok([
      'restore',
      '--plain-http',
      '--input',
      'bk.tAr',
      '--exclude-referrers',
      `${e2e.host}/parity/restored-tar:v1`,
    ]);
    expect(fromTar.stdout).toContain('0 referrer(s)');
    expectStatus(fromTar.stdout, 'restore', imageKeys);
    expect(fromTar.stdout).toContain('Successfully restored 1 tag(s)');
    expect(await readFile(join(e2e.box.dir, 'bk.tAr')).then((b) => b.length > 0)).toBe(true);
  });
});
