/**
 * `oras manifest push|fetch|fetch-config|delete|index`, end to end: the built CLI against
 * docker-registry (distribution v2.8, no referrers API: the tag-schema fallback) and OCI layouts,
 * with stdin and stdout in shell pipelines, JSON output and the delete prompt.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oras, scratch, sh } from '../../test-support/oras-process.js';

const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let registry: Distribution;
let repo: string;
const work = scratch();

function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
}

/** Pushes a blob through the CLI and returns its descriptor. */
async function pushBlob(content: string, mediaType: string): Promise<Desc> {
  const res = await oras(
    [
      'blob',
      'push',
      '--plain-http',
      '--descriptor',
      '--media-type',
      mediaType,
      '--size',
      String(Buffer.byteLength(content)),
      repo,
      '-',
    ],
    { stdin: content },
  );
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout) as Desc;
}

/** Pushes a manifest (as JSON text) through the CLI under `ref` and returns its descriptor. */
async function pushManifest(doc: object, ref = repo): Promise<Desc> {
  const text = JSON.stringify(doc);
  const res = await oras(['manifest', 'push', '--plain-http', '--descriptor', ref, '-'], { stdin: text });
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as Desc;
}

/** An image for one platform: a config declaring it, one layer, a manifest tagged `tag`. */
async function pushImage(os: string, architecture: string, tag: string): Promise<Desc> {
  const config = await pushBlob(
    JSON.stringify({ architecture, os, rootfs: { type: 'layers', diff_ids: [] } }),
    'application/vnd.oci.image.config.v1+json',
  );
  const layer = await pushBlob(`layer of ${os}/${architecture}`, 'application/vnd.oci.image.layer.v1.tar');
  return pushManifest({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] }, `${repo}:${tag}`);
}

/** A referrer of `subject`. */
function referrer(subject: Desc, artifactType: string, note: string): object {
  return {
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType,
    config: EMPTY,
    layers: [EMPTY],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { note },
  };
}

async function referrersIndex(subject: Desc): Promise<string[]> {
  const res = await oras(['manifest', 'fetch', '--plain-http', `${repo}:sha256-${subject.digest.slice(7)}`]);
  if (res.code !== 0) return [];
  return (JSON.parse(res.stdout) as { manifests: Desc[] }).manifests.map((m) => m.digest);
}

beforeAll(async () => {
  registry = await startDistribution({ mode: 'plain' });
  repo = `${registry.host}/manifests`;
  await pushBlob('{}', EMPTY.mediaType);
});

afterAll(async () => {
  await registry?.stop();
  work.remove();
});

describe('oras manifest push', () => {
  const doc = {
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType: 'application/vnd.test',
    config: EMPTY,
    layers: [EMPTY],
  };
  const text = JSON.stringify(doc);

  it('pushes a file with several tags, and says Exists the second time', async () => {
    writeFileSync(join(work.dir, 'manifest.json'), text);
    const digest = sha256(text);
    const first = await oras(
      ['manifest', 'push', '--plain-http', `${repo}:v1,v1.0,latest`, 'manifest.json'],
      { cwd: work.dir },
    );
    expect(first.code).toBe(0);
    const lines = first.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `Uploading ${digest.slice(7, 19)} ${MANIFEST}`,
      `Uploaded  ${digest.slice(7, 19)} ${MANIFEST}`,
      `Pushed [registry] ${repo}:v1`,
    ]);
    expect(lines.slice(3, 5).sort()).toEqual(['Tagged latest', 'Tagged v1.0']);
    expect(lines.slice(5)).toEqual([`Digest: ${digest}`, '']);
    const second = await oras(['manifest', 'push', '--plain-http', `${repo}:v1`, 'manifest.json'], {
      cwd: work.dir,
    });
    expect(second.stdout).toBe(
      `Exists    ${digest.slice(7, 19)} ${MANIFEST}\nPushed [registry] ${repo}:v1\nDigest: ${digest}\n`,
    );
    for (const tag of ['v1', 'v1.0', 'latest']) {
      const got = await oras(['manifest', 'fetch', '--plain-http', '--descriptor', `${repo}:${tag}`]);
      expect(JSON.parse(got.stdout).digest).toBe(digest);
    }
  });

  it('pushes from stdin in a pipeline and prints the descriptor', async () => {
    const res = await sh(
      `printf '%s' '${text}' | $ORAS manifest push --plain-http --descriptor --pretty ${repo}:piped -`,
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      `{\n  "mediaType": "${MANIFEST}",\n  "digest": "${sha256(text)}",\n  "size": ${text.length}\n}\n`,
    );
  });

  it('needs a media type from the flag or the JSON', async () => {
    const res = await oras(['manifest', 'push', '--plain-http', `${repo}:x`, '-'], {
      stdin: '{"schemaVersion":2}',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'Error: media type is not specified via the flag "--media-type" nor in "-"\n' +
        'Usage: oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>\n' +
        'Please specify a valid media type in the manifest JSON or via the "--media-type" flag\n',
    );
    const given = await oras(
      ['manifest', 'push', '--plain-http', '--media-type', MANIFEST, '--descriptor', `${repo}:typed`, '-'],
      {
        stdin: JSON.stringify({ schemaVersion: 2, config: EMPTY, layers: [] }),
      },
    );
    expect(given.code).toBe(0);
    expect(JSON.parse(given.stdout).mediaType).toBe(MANIFEST);
  });

  it('pushes into an OCI image layout, which fetch reads as a folder and as a tar', async () => {
    const push = await oras(['manifest', 'push', '--oci-layout', '--descriptor', 'layout:v1', '-'], {
      cwd: work.dir,
      stdin: text,
    });
    // the layout lacks the config blob: pushing a manifest does not need its blobs
    expect(push.code).toBe(0);
    const dir = await oras(['manifest', 'fetch', '--oci-layout', 'layout:v1'], { cwd: work.dir });
    expect(dir.stdout).toBe(text);
    const tar = await sh(
      'tar -C layout -cf layout.tar . && $ORAS manifest fetch --oci-layout --descriptor layout.tar:v1',
      { cwd: work.dir },
    );
    expect(JSON.parse(tar.stdout).digest).toBe(sha256(text));
  });
});

describe('oras manifest fetch and fetch-config', () => {
  let image: Desc;

  beforeAll(async () => {
    image = await pushImage('linux', 'amd64', 'image');
  });

  it('prints the exact bytes, so a pipeline can hash them', async () => {
    const res = await sh(`$ORAS manifest fetch --plain-http ${repo}:image | sha256sum`);
    expect(res.stdout.split(' ')[0]).toBe(image.digest.slice(7));
  });

  it('prints JSON with the descriptor and the content', async () => {
    const res = await oras(['manifest', 'fetch', '--plain-http', '--format', 'json', `${repo}:image`]);
    const model = JSON.parse(res.stdout);
    expect(model).toMatchObject({
      reference: `${repo}@${image.digest}`,
      mediaType: MANIFEST,
      digest: image.digest,
      size: image.size,
    });
    expect(model.content.layers).toHaveLength(1);
    const template = await oras([
      'manifest',
      'fetch',
      '--plain-http',
      '--format',
      'go-template={{.digest}}',
      `${repo}:image`,
    ]);
    expect(template.stdout).toBe(image.digest);
    const clash = await oras([
      'manifest',
      'fetch',
      '--plain-http',
      '--format',
      'json',
      '-o',
      '-',
      `${repo}:image`,
    ]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('`--output -` cannot be used with `--format json` at the same time');
  });

  it('saves to a file and prints the descriptor', async () => {
    const res = await oras(
      ['manifest', 'fetch', '--plain-http', '-o', 'image.json', '--descriptor', `${repo}:image`],
      { cwd: work.dir },
    );
    expect(sha256(readFileSync(join(work.dir, 'image.json')))).toBe(image.digest);
    expect(JSON.parse(res.stdout)).toEqual({ mediaType: MANIFEST, digest: image.digest, size: image.size });
  });

  it('fetches the config to stdout or as a descriptor', async () => {
    const config = await oras(['manifest', 'fetch-config', '--plain-http', '--output', '-', `${repo}:image`]);
    expect(JSON.parse(config.stdout)).toMatchObject({ os: 'linux', architecture: 'amd64' });
    const desc = await oras([
      'manifest',
      'fetch-config',
      '--plain-http',
      '--descriptor',
      `${repo}@${image.digest}`,
    ]);
    expect(JSON.parse(desc.stdout)).toMatchObject({
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256(config.stdoutBytes),
    });
  });

  it('says what is missing', async () => {
    const res = await oras(['manifest', 'fetch', '--plain-http', `${repo}:nope`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(`^Error response from registry: failed to fetch the content of "${repo}:nope": .*not found`),
    );
  });
});

describe('oras manifest index', () => {
  let amd64: Desc;
  let arm64: Desc;

  beforeAll(async () => {
    amd64 = await pushImage('linux', 'amd64', 'linux-amd64');
    arm64 = await pushImage('linux', 'arm64', 'linux-arm64');
  });

  it('creates an index with the platforms read from each config', async () => {
    const res = await oras([
      'manifest',
      'index',
      'create',
      '--plain-http',
      '-a',
      'purpose=test',
      `${repo}:multi,multi-latest`,
      'linux-amd64',
      arm64.digest,
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Pushed    [registry] ${repo}:multi\n`);
    expect(res.stdout).toContain('Tagged multi-latest\n');
    const index = JSON.parse(
      (await oras(['manifest', 'fetch', '--plain-http', `${repo}:multi-latest`])).stdout,
    );
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: MANIFEST,
          digest: amd64.digest,
          size: amd64.size,
          platform: { architecture: 'amd64', os: 'linux' },
        },
        {
          mediaType: MANIFEST,
          digest: arm64.digest,
          size: arm64.size,
          platform: { architecture: 'arm64', os: 'linux' },
        },
      ],
      annotations: { purpose: 'test' },
    });
    const arm = await oras([
      'manifest',
      'fetch',
      '--plain-http',
      '--platform',
      'linux/arm64',
      '--descriptor',
      `${repo}:multi`,
    ]);
    expect(JSON.parse(arm.stdout).digest).toBe(arm64.digest);
  });

  it('writes the index to stdout with -o - and pushes nothing', async () => {
    const res = await oras([
      'manifest',
      'index',
      'create',
      '--plain-http',
      '--artifact-type',
      'application/vnd.bundle',
      '-o',
      '-',
      `${repo}:unpushed`,
      'linux-amd64',
    ]);
    expect(res.code).toBe(0);
    const index = JSON.parse(res.stdout);
    expect(index.artifactType).toBe('application/vnd.bundle');
    expect(index.manifests[0].digest).toBe(amd64.digest);
    // oras prints the index alone: no status lines on either stream
    expect(res.stderr).toBe('');
    expect((await oras(['manifest', 'fetch', '--plain-http', '--descriptor', `${repo}:unpushed`])).code).toBe(
      1,
    );
  });

  it('updates an index: removes, adds and tags', async () => {
    await oras(['manifest', 'index', 'create', '--plain-http', `${repo}:to-update`, 'linux-amd64']);
    const res = await oras([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${repo}:to-update`,
      '--remove',
      amd64.digest,
      '--add',
      'linux-arm64',
      '--tag',
      'updated',
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Tagged updated');
    for (const tag of ['to-update', 'updated']) {
      const index = JSON.parse((await oras(['manifest', 'fetch', '--plain-http', `${repo}:${tag}`])).stdout);
      expect(index.manifests.map((m: Desc) => m.digest)).toEqual([arm64.digest]);
    }
    const bad = await oras([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${repo}:to-update`,
      '--remove',
      'linux-arm64',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('remove: linux-arm64 is not a digest');
  });
});

describe('oras manifest delete', () => {
  it('deletes when the prompt is answered y, keeps it for n and for no terminal', async () => {
    const desc = await pushManifest(
      { schemaVersion: 2, mediaType: MANIFEST, config: EMPTY, layers: [], annotations: { n: 'delete' } },
      `${repo}:doomed`,
    );
    const prompt = `Are you sure you want to delete the manifest "${desc.digest}" and all tags associated with it? [y/N] `;
    const no = await oras(['manifest', 'delete', '--plain-http', `${repo}:doomed`], { stdin: 'n\n' });
    expect(no.stdout).toBe(`${prompt}Operation cancelled.\n`);
    const nobody = await oras(['manifest', 'delete', '--plain-http', `${repo}:doomed`]);
    expect(nobody.stdout).toBe(`${prompt}Operation cancelled.\n`);
    expect(nobody.stderr).toContain('use --force');
    expect((await oras(['manifest', 'fetch', '--plain-http', '--descriptor', `${repo}:doomed`])).code).toBe(
      0,
    );
    const yes = await oras(['manifest', 'delete', '--plain-http', `${repo}:doomed`], { stdin: 'yes\n' });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toBe(`${prompt}Deleted [registry] ${repo}:doomed\n`);
    expect(
      (await oras(['manifest', 'fetch', '--plain-http', '--descriptor', `${repo}@${desc.digest}`])).code,
    ).toBe(1);
    const missing = await oras(['manifest', 'delete', '--plain-http', '--force', `${repo}:doomed`]);
    expect(missing.stdout).toBe(`Missing ${repo}:doomed\n`);
  });

  it('keeps the referrers tag-schema index correct', async () => {
    const subject = await pushManifest(
      { schemaVersion: 2, mediaType: MANIFEST, config: EMPTY, layers: [], annotations: { n: 'subject' } },
      `${repo}:subject`,
    );
    const a = await pushManifest(referrer(subject, 'application/vnd.sig', 'a'));
    const b = await pushManifest(referrer(subject, 'application/vnd.sbom', 'b'));
    expect(await referrersIndex(subject)).toEqual([a.digest, b.digest]);
    const res = await oras([
      'manifest',
      'delete',
      '--plain-http',
      '--force',
      '--descriptor',
      `${repo}@${a.digest}`,
    ]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).digest).toBe(a.digest);
    expect(await referrersIndex(subject)).toEqual([b.digest]);
  });
});
