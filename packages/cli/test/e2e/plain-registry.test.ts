/**
 * The artifact workflow end to end against Debian's docker-registry over plain HTTP: what each
 * command prints, what lands in the registry (read back with skopeo) and on disk.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestLine, sha256, skopeo, withDistribution } from './fixture.js';

const e2e = withDistribution({
  files: { 'hi.txt': 'hello world\n', 'docs/a.md': '# a\n', 'docs/sub/b.md': '# b\n' },
});

/** The raw manifest a tag points at, read by skopeo. */
async function rawManifest(ref: string): Promise<string> {
  return skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
}

describe('oras push and pull (plain HTTP)', () => {
  it('pushes files and a directory under several tags, printing oras status lines', async () => {
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      `${e2e.host}/hello:v1,v2`,
      'hi.txt',
      'docs',
      '-a',
      'k=v',
    ]);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines).toContain(`Uploading ${sha256('hello world\n').slice(7, 19)} hi.txt`);
    expect(lines).toContain(`Uploaded  ${sha256('hello world\n').slice(7, 19)} hi.txt`);
    expect(lines.some((l) => /^Uploaded {2}[0-9a-f]{12} docs$/.test(l))).toBe(true);
    expect(lines.slice(-4)).toEqual([
      `Pushed [registry] ${e2e.host}/hello:v1`,
      'Tagged v2',
      'ArtifactType: application/vnd.unknown.artifact.v1',
      expect.stringMatching(/^Digest: sha256:[0-9a-f]{64}$/),
    ]);
    const digest = digestLine(res.stdout);
    for (const tag of ['v1', 'v2']) {
      const raw = await rawManifest(`${e2e.host}/hello:${tag}`);
      expect(sha256(raw)).toBe(digest);
      const manifest = JSON.parse(raw);
      expect(manifest.artifactType).toBe('application/vnd.unknown.artifact.v1');
      expect(manifest.annotations.k).toBe('v');
      expect(
        manifest.layers.map(
          (l: { annotations: Record<string, string> }) => l.annotations['org.opencontainers.image.title'],
        ),
      ).toEqual(['hi.txt', 'docs']);
      expect(manifest.layers[1].mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
      expect(manifest.layers[1].annotations['io.deis.oras.content.unpack']).toBe('true');
    }
  });

  it('pulls the files back, unpacking the directory, and refuses to overwrite with -k', async () => {
    const res = await e2e.box.ok(['pull', '--plain-http', `${e2e.host}/hello:v1`, '-o', 'out']);
    expect(res.stdout).toContain(`Pulled [registry] ${e2e.host}/hello:v1\nDigest: sha256:`);
    expect(await readFile(join(e2e.box.dir, 'out', 'hi.txt'), 'utf8')).toBe('hello world\n');
    expect(await readFile(join(e2e.box.dir, 'out', 'docs', 'sub', 'b.md'), 'utf8')).toBe('# b\n');
    const again = await e2e.box.run(['pull', '--plain-http', `${e2e.host}/hello:v1`, '-o', 'out', '-k']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: .*already exists/m);
    expect(again.stderr).not.toMatch(/\n {4}at /);
  });

  it('prints JSON and templates with oras field names', async () => {
    const json = JSON.parse(
      (
        await e2e.box.ok([
          'pull',
          '--plain-http',
          `${e2e.host}/hello:v1`,
          '-o',
          'json-out',
          '--format',
          'json',
        ])
      ).stdout,
    );
    expect(json.reference).toMatch(new RegExp(`^${e2e.host}/hello@sha256:[0-9a-f]{64}$`));
    expect(json.files.map((f: { path: string }) => f.path)).toEqual([
      join(e2e.box.dir, 'json-out', 'hi.txt'),
      `${join(e2e.box.dir, 'json-out', 'docs')}/`,
    ]);
    const tpl = await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/hello:v2`]);
    const pushed = await e2e.box.ok([
      'push',
      '--plain-http',
      `${e2e.host}/hello:tpl`,
      'hi.txt',
      '--format',
      'go-template={{.digest}} {{range .referenceAsTags}}{{.}}{{end}}',
    ]);
    expect(pushed.stdout).toMatch(new RegExp(`^sha256:[0-9a-f]{64} ${e2e.host}/hello:tpl$`));
    expect(tpl.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });
});

describe('oras tag, resolve, attach and discover (plain HTTP)', () => {
  it('tags a manifest and resolves the tags to the same digest', async () => {
    const digest = (await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/hello:v1`])).stdout.trim();
    const tagged = await e2e.box.ok(['tag', '--plain-http', `${e2e.host}/hello:v1`, 'v3', 'latest']);
    const lines = tagged.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Tagging [registry] ${e2e.host}/hello@${digest}`);
    expect(lines.slice(1).sort()).toEqual(['Tagged latest', 'Tagged v3']);
    expect(sha256(await rawManifest(`${e2e.host}/hello:latest`))).toBe(digest);
    const full = await e2e.box.ok(['resolve', '-l', '--plain-http', `${e2e.host}/hello:v3`]);
    expect(full.stdout).toBe(`${e2e.host}/hello@${digest}\n`);
  });

  it('attaches artifacts (tag schema fallback) and discovers them as a tree, JSON and with --depth', async () => {
    const subject = (await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/hello:v1`])).stdout.trim();
    await writeFile(join(e2e.box.dir, 'sbom.json'), '{"sbom":true}');
    const sbom = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'sbom/example',
      `${e2e.host}/hello:v1`,
      'sbom.json',
    ]);
    expect(sbom.stdout).toContain(`Attached to [registry] ${e2e.host}/hello@${subject}\n`);
    const sbomDigest = digestLine(sbom.stdout);
    const sig = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'signature/example',
      '-a',
      'signed=yes',
      `${e2e.host}/hello@${sbomDigest}`,
    ]);
    const sigDigest = digestLine(sig.stdout);
    const referrersIndex = JSON.parse(await rawManifest(`${e2e.host}/hello:sha256-${subject.slice(7)}`));
    expect(referrersIndex.manifests.map((m: { digest: string }) => m.digest)).toEqual([sbomDigest]);

    const tree = await e2e.box.ok(['discover', '--plain-http', `${e2e.host}/hello:v1`]);
    expect(tree.stdout.split('\n').slice(0, 3)).toEqual([
      `${e2e.host}/hello@${subject}`,
      '└── sbom/example',
      `    └── ${sbomDigest}`,
    ]);
    expect(tree.stdout).toContain('└── signature/example');
    expect(tree.stdout).toContain(`└── ${sigDigest}`);
    expect(tree.stdout).toContain('signed: "yes"'); // YAML quotes a value it would read as a boolean

    const json = JSON.parse(
      (await e2e.box.ok(['discover', '--plain-http', '--format', 'json', `${e2e.host}/hello:v1`])).stdout,
    );
    expect(json.digest).toBe(subject);
    expect(json.referrers).toHaveLength(1);
    expect(json.referrers[0]).toMatchObject({
      digest: sbomDigest,
      artifactType: 'sbom/example',
      reference: `${e2e.host}/hello@${sbomDigest}`,
    });
    expect(json.referrers[0].referrers[0]).toMatchObject({
      digest: sigDigest,
      annotations: expect.objectContaining({ signed: 'yes' }),
    });

    const shallow = JSON.parse(
      (
        await e2e.box.ok([
          'discover',
          '--plain-http',
          '--format',
          'json',
          '--depth',
          '1',
          `${e2e.host}/hello:v1`,
        ])
      ).stdout,
    );
    expect(shallow.referrers[0].referrers).toEqual([]);
    const table = await e2e.box.ok(['discover', '--plain-http', '--format', 'table', `${e2e.host}/hello:v1`]);
    expect(table.stderr).toContain('deprecated');
    expect(table.stdout).toContain(`Discovered 1 artifact(s) referencing v1\nDigest: ${subject}\n`);
    expect(table.stdout).toMatch(new RegExp(`^sbom/example +${sbomDigest}$`, 'm'));
    const filtered = JSON.parse(
      (
        await e2e.box.ok([
          'discover',
          '--plain-http',
          '--format',
          'json',
          '--artifact-type',
          'other/type',
          `${e2e.host}/hello:v1`,
        ])
      ).stdout,
    );
    expect(filtered.referrers).toEqual([]);
  });
});

describe('oras cp (plain HTTP)', () => {
  it('copies to another repository, mounting blobs, with extra tags', async () => {
    const digest = (await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/hello:v1`])).stdout.trim();
    const res = await e2e.box.ok([
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/hello:v1`,
      `${e2e.host}/copy:c1,c2`,
    ]);
    expect(res.stdout).toContain(
      `Copied [registry] ${e2e.host}/hello:v1 => [registry] ${e2e.host}/copy:c1\n`,
    );
    expect(res.stdout).toMatch(/^Mounted [0-9a-f]{12} hi\.txt$/m);
    expect(res.stdout).toContain(`Tagging [registry] ${e2e.host}/copy@${digest}\nTagged c2\n`);
    expect(digestLine(res.stdout)).toBe(digest);
    for (const tag of ['c1', 'c2']) expect(sha256(await rawManifest(`${e2e.host}/copy:${tag}`))).toBe(digest);
  });

  it('copies recursively with referrers, and through an OCI layout and back', async () => {
    const res = await e2e.box.ok([
      'copy',
      '-r',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/hello:v1`,
      `${e2e.host}/rec:v1`,
    ]);
    expect(res.code).toBe(0);
    const discovered = JSON.parse(
      (await e2e.box.ok(['discover', '--plain-http', '--format', 'json', `${e2e.host}/rec:v1`])).stdout,
    );
    expect(discovered.referrers[0].artifactType).toBe('sbom/example');
    expect(discovered.referrers[0].referrers[0].artifactType).toBe('signature/example');

    await e2e.box.ok([
      'cp',
      '-r',
      '--from-plain-http',
      '--to-oci-layout',
      `${e2e.host}/hello:v1`,
      'layout:v1',
    ]);
    const index = JSON.parse(await readFile(join(e2e.box.dir, 'layout', 'index.json'), 'utf8'));
    expect(index.manifests.length).toBeGreaterThanOrEqual(3);
    const layoutTree = await e2e.box.ok(['discover', '--oci-layout', 'layout:v1', '--format', 'json']);
    expect(JSON.parse(layoutTree.stdout).referrers[0].artifactType).toBe('sbom/example');
    await e2e.box.ok(['cp', '--from-oci-layout', '--to-plain-http', 'layout:v1', `${e2e.host}/back:v1`]);
    expect(sha256(await rawManifest(`${e2e.host}/back:v1`))).toBe(
      sha256(await rawManifest(`${e2e.host}/hello:v1`)),
    );
  });
});

describe('errors (plain HTTP)', () => {
  it('says what is missing with oras hints and exit code 1, no stack trace', async () => {
    const missing = await e2e.box.run(['pull', '--plain-http', `${e2e.host}/hello:nope`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error response from registry: .*nope.*not found/m);
    expect(missing.stderr).not.toContain('    at ');
    const bad = await e2e.box.run(['pull', `${e2e.host}/Hello:v1`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      `Error: "${e2e.host}/Hello:v1": invalid reference: invalid repository "Hello"\n` +
        'Please make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]\n',
    );
  });

  it('recommends --allow-path-traversal for a title outside the output directory', async () => {
    await writeFile(join(e2e.box.dir, 'evil.txt'), 'x');
    await e2e.box.ok([
      'push',
      '--plain-http',
      '--disable-path-validation',
      `${e2e.host}/evil:v1`,
      join(e2e.box.dir, 'evil.txt'),
    ]);
    const res = await e2e.box.run(['pull', '--plain-http', `${e2e.host}/evil:v1`, '-o', 'safe']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--allow-path-traversal');
    const allowed = await e2e.box.run(['pull', '--plain-http', `${e2e.host}/evil:v1`, '-o', 'safe', '-T']);
    expect(allowed.code).toBe(0);
  });
});
