/**
 * Interop with skopeo, an independent client: what our CLI pushes, skopeo reads and copies; a
 * multi-platform image skopeo put into the registry, our CLI resolves, pulls, copies (with
 * `--platform` and `-r`) and discovers, digests unchanged.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestLine, sha256, skopeo, withDistribution } from './fixture.js';

const run = promisify(execFile);

/** Writes a blob into an OCI layout and returns its descriptor. */
async function blob(layout: string, mediaType: string, bytes: Buffer | string) {
  const data = Buffer.from(bytes);
  const digest = sha256(data);
  await writeFile(join(layout, 'blobs', 'sha256', digest.slice(7)), data);
  return { mediaType, digest, size: data.length };
}

/**
 * A two-platform image (linux/amd64 and linux/arm64, one tar layer each) in an OCI layout, made
 * with the system tar: the kind of image any registry client must handle.
 */
async function makeImageLayout(dir: string) {
  const layout = join(dir, 'image-layout');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const manifests = [];
  for (const arch of ['amd64', 'arm64']) {
    const src = join(dir, `rootfs-${arch}`);
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'arch.txt'), `${arch}\n`);
    await run('tar', [
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '-cf',
      join(dir, `${arch}.tar`),
      '-C',
      src,
      'arch.txt',
    ]);
    const { readFile } = await import('node:fs/promises');
    const tar = await readFile(join(dir, `${arch}.tar`));
    const layer = await blob(layout, 'application/vnd.oci.image.layer.v1.tar', tar);
    const config = await blob(
      layout,
      'application/vnd.oci.image.config.v1+json',
      JSON.stringify({
        architecture: arch,
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    );
    const manifest = await blob(
      layout,
      'application/vnd.oci.image.manifest.v1+json',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: [layer],
      }),
    );
    manifests.push({ ...manifest, platform: { architecture: arch, os: 'linux' } });
  }
  const index = await blob(
    layout,
    'application/vnd.oci.image.index.v1+json',
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...index, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    }),
  );
  return { layout, index, amd64: manifests[0]!, arm64: manifests[1]! };
}

const e2e = withDistribution({ files: { 'hi.txt': 'interop\n' } });

describe('skopeo reads and copies what oras pushes', () => {
  it('inspects and copies an artifact, digest unchanged', async () => {
    const pushed = await e2e.box.ok([
      'push',
      '--plain-http',
      `${e2e.host}/art:v1`,
      'hi.txt',
      '--artifact-platform',
      'linux/arm64',
    ]);
    const digest = digestLine(pushed.stdout);
    const info = JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${e2e.host}/art:v1`]));
    expect(info).toMatchObject({ Digest: digest, Architecture: 'arm64', Os: 'linux', RepoTags: ['v1'] });
    expect(info.Layers).toEqual([sha256('interop\n')]);

    const plain = await e2e.box.ok(['push', '--plain-http', `${e2e.host}/art:plain`, 'hi.txt']);
    expect(
      sha256(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${e2e.host}/art:plain`])),
    ).toBe(digestLine(plain.stdout));
    await skopeo([
      'copy',
      '--preserve-digests',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${e2e.host}/art:plain`,
      `docker://${e2e.host}/art-skopeo:v1`,
    ]);
    expect((await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/art-skopeo:v1`])).stdout.trim()).toBe(
      digestLine(plain.stdout),
    );
    const pulled = await e2e.box.ok([
      'pull',
      '--plain-http',
      `${e2e.host}/art-skopeo:v1`,
      '-o',
      'from-skopeo',
    ]);
    expect(digestLine(pulled.stdout)).toBe(digestLine(plain.stdout));
  });
});

describe('oras works on an image skopeo pushed', () => {
  let image: Awaited<ReturnType<typeof makeImageLayout>>;

  beforeAll(async () => {
    image = await makeImageLayout(e2e.box.dir);
    await skopeo([
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${image.layout}:v1`,
      `docker://${e2e.host}/img:v1`,
    ]);
  });

  it('resolves the index and each platform to the digests skopeo pushed', async () => {
    expect((await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/img:v1`])).stdout.trim()).toBe(
      image.index.digest,
    );
    const arm = await e2e.box.ok([
      'resolve',
      '--plain-http',
      '--platform',
      'linux/arm64',
      `${e2e.host}/img:v1`,
    ]);
    expect(arm.stdout.trim()).toBe(image.arm64.digest);
    const none = await e2e.box.run([
      'resolve',
      '--plain-http',
      '--platform',
      'windows/amd64',
      `${e2e.host}/img:v1`,
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^Error.*windows\/amd64/);
  });

  it('pulls an image without titled layers by saying what it skipped', async () => {
    const res = await e2e.box.ok(['pull', '--plain-http', `${e2e.host}/img:v1`, '-o', 'img-out']);
    expect(res.stdout).toContain(
      'Skipped pulling layers without file name in "org.opencontainers.image.title"\n',
    );
    expect(res.stdout).toContain(
      `Use 'oras copy ${e2e.host}/img:v1 --to-oci-layout <layout-dir>' to pull all layers.\n`,
    );
  });

  it('copies the image, one platform of it, and with -r the referrers of its children', async () => {
    const all = await e2e.box.ok([
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/img:v1`,
      `${e2e.host}/img-copy:v1`,
    ]);
    expect(digestLine(all.stdout)).toBe(image.index.digest);
    expect(
      sha256(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${e2e.host}/img-copy:v1`])),
    ).toBe(image.index.digest);
    const one = await e2e.box.ok([
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      '--platform',
      'linux/arm64',
      `${e2e.host}/img:v1`,
      `${e2e.host}/img-arm:v1`,
    ]);
    expect(digestLine(one.stdout)).toBe(image.arm64.digest);
    const armInfo = JSON.parse(
      await skopeo(['inspect', '--tls-verify=false', `docker://${e2e.host}/img-arm:v1`]),
    );
    expect(armInfo).toMatchObject({ Digest: image.arm64.digest, Architecture: 'arm64' });

    const sig = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'signature/example',
      '--platform',
      'linux/arm64',
      '-a',
      'who=me',
      `${e2e.host}/img:v1`,
    ]);
    expect(sig.stdout).toContain(`Attached to [registry] ${e2e.host}/img@${image.arm64.digest}\n`);
    const tree = await e2e.box.ok([
      'discover',
      '--plain-http',
      '--platform',
      'linux/arm64',
      `${e2e.host}/img:v1`,
    ]);
    expect(tree.stdout).toContain(
      `${e2e.host}/img@${image.arm64.digest}\n└── signature/example\n    └── ${digestLine(sig.stdout)}`,
    );

    await e2e.box.ok([
      'cp',
      '-r',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/img:v1`,
      `${e2e.host}/img-rec:v1`,
    ]);
    const copied = JSON.parse(
      (
        await e2e.box.ok([
          'discover',
          '--plain-http',
          '--format',
          'json',
          `${e2e.host}/img-rec@${image.arm64.digest}`,
        ])
      ).stdout,
    );
    expect(copied.referrers.map((r: { digest: string }) => r.digest)).toEqual([digestLine(sig.stdout)]);
    expect((await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/img-rec:v1`])).stdout.trim()).toBe(
      image.index.digest,
    );
  });
});
