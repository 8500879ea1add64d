/**
 * The cases of oras 1.3's own e2e suite (`test/e2e/suite/command/*.go`) that the other parity
 * files did not check yet, found by the audit in `ORAS-E2E-COVERAGE.md`: the deprecated
 * `--verbose` of push, pull, attach and cp, flag combinations in oras's words, the artifact type
 * line, `--artifact-platform`, pull's file paths and hints, `--oci-layout-path` on cp, tags an OCI
 * layout takes, restore's texts and inputs, and the index flags. Our own test data, on Debian's
 * docker-registry.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256, withDistribution } from './fixture.js';
import { expectStatus, short } from './parity-status.js';

const HELLO = 'hello oras 1.3\n';
const CONFIG = '{"oras":"1.3"}\n';
const e2e = withDistribution({
  files: { 'data/hello.txt': HELLO, 'data/config.json': CONFIG, 'data/sbom.json': '{"sbom":true}\n' },
});

const EMPTY = 'application/vnd.oci.empty.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DEPRECATED_VERBOSE = 'Flag --verbose has been deprecated, and will be removed in a future release.\n';
/** `cp` between two plain-HTTP ends. */
const CP = ['--from-plain-http', '--to-plain-http'];
const TO = '--to-plain-http';
const HELLO_KEY = [short(sha256(HELLO)), 'data/hello.txt'] as const;
const EMPTY_KEY = [short(sha256('{}')), EMPTY] as const;

interface Manifest {
  artifactType?: string;
  config: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> };
  layers: { mediaType: string; digest: string; annotations?: Record<string, string> }[];
  annotations?: Record<string, string>;
}

async function fetchManifest(ref: string, layout = false): Promise<Manifest> {
  const flags = layout ? ['--oci-layout'] : ['--plain-http'];
  return JSON.parse((await e2e.box.ok(['manifest', 'fetch', ...flags, ref])).stdout) as Manifest;
}

function digestOf(stdout: string): string {
  const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(stdout)?.[1];
  if (!digest) throw new Error(`no digest in:\n${stdout}`);
  return digest;
}

/** A two-platform index `<repo>:multi` of `linux/amd64` and `linux/arm64` artifacts. */
async function multiPlatform(repo: string): Promise<{ index: string; amd64: string; arm64: string }> {
  const amd64 = digestOf(
    (
      await e2e.box.ok([
        'push',
        '--plain-http',
        `${repo}:linux-amd64`,
        '--artifact-platform',
        'linux/amd64',
        'data/hello.txt',
      ])
    ).stdout,
  );
  const arm64 = digestOf(
    (
      await e2e.box.ok([
        'push',
        '--plain-http',
        `${repo}:linux-arm64`,
        '--artifact-platform',
        'linux/arm64',
        'data/sbom.json',
      ])
    ).stdout,
  );
  const index = digestOf(
    (await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', `${repo}:multi`, amd64, arm64])).stdout,
  );
  return { index, amd64, arm64 };
}

describe('oras push, the 1.3 cases', () => {
  it('takes the deprecated --verbose with pflag notice; --verbose=false hides unnamed blobs', async () => {
    const repo = `${e2e.host}/o13/push-verbose`;
    const verbose = await e2e.box.ok(['push', '--plain-http', `${repo}:v`, '--verbose']);
    expect(verbose.stderr).toBe(DEPRECATED_VERBOSE);
    expectStatus(verbose.stdout, 'push', [EMPTY_KEY]);
    const quiet = await e2e.box.ok([
      'push',
      '--plain-http',
      `${repo}:q`,
      'data/hello.txt',
      '--verbose=false',
    ]);
    expect(quiet.stderr).toBe(DEPRECATED_VERBOSE);
    expectStatus(quiet.stdout, 'push', [HELLO_KEY]);
    expect(quiet.stdout).not.toContain(EMPTY);
    expect(quiet.stdout).not.toContain(MANIFEST);
  });

  it('refuses --artifact-platform with --config, and --config without an artifact type for v1.1', async () => {
    const ref = `${e2e.host}/o13/push-refused:v1`;
    const both = await e2e.box.run([
      'push',
      '--plain-http',
      ref,
      '--artifact-platform',
      'linux/amd64',
      '--config',
      'data/config.json',
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe('Error: --config, --artifact-platform cannot be used at the same time\n');
    const v11 = await e2e.box.run([
      'push',
      '--plain-http',
      ref,
      '--config',
      'data/config.json',
      '--image-spec',
      'v1.1',
    ]);
    expect(v11.code).toBe(1);
    expect(v11.stderr).toBe(
      'Error: missing artifact type for OCI image-spec v1.1 artifacts\n' +
        'set an artifact type via `--artifact-type` or consider image spec v1.0\n',
    );
  });

  it('prints the artifact type it pushed: the unknown artifact for v1.1, the config type for v1.0', async () => {
    const repo = `${e2e.host}/o13/push-type`;
    const v11 = await e2e.box.ok([
      'push',
      '--plain-http',
      `${repo}:v11`,
      'data/hello.txt',
      '--image-spec',
      'v1.1',
    ]);
    expect(v11.stdout).toContain('\nArtifactType: application/vnd.unknown.artifact.v1\n');
    expectStatus(v11.stdout, 'push', [HELLO_KEY, EMPTY_KEY]);
    expect((await fetchManifest(`${repo}:v11`)).artifactType).toBe('application/vnd.unknown.artifact.v1');
    const v10 = await e2e.box.ok([
      'push',
      '--plain-http',
      `${repo}:v10`,
      '--config',
      'data/config.json:config/type',
      'data/hello.txt',
      '--image-spec',
      'v1.0',
    ]);
    expect(v10.stdout).toContain('\nArtifactType: config/type\n');
  });

  it('lists every tag through a template, and keeps stdout JSON with several tags', async () => {
    const repo = `${e2e.host}/o13/push-tags`;
    const listed = await e2e.box.ok([
      'push',
      '--plain-http',
      `${repo}:e2e,2e2`,
      'data/hello.txt',
      '--format',
      'go-template={{range .referenceAsTags}}{{println .}}{{end}}',
    ]);
    expect(listed.stdout).toBe(`${repo}:2e2\n${repo}:e2e\n`);
    const json = await e2e.box.ok([
      'push',
      '--plain-http',
      `${repo}:j1,j2`,
      'data/hello.txt',
      '--format',
      'json',
    ]);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
    expect(json.stdout).not.toContain('Tagged');
  });

  it('pushes a platform: its image config, the unknown artifact type; pull picks it by platform', async () => {
    const ref = 'platform-layout:e2e';
    const pushed = await e2e.box.ok([
      'push',
      '--oci-layout',
      ref,
      '--artifact-platform',
      'darwin/arm64',
      'data/hello.txt',
    ]);
    const platformConfig = '{"architecture":"arm64","os":"darwin"}';
    expectStatus(pushed.stdout, 'push', [
      [short(sha256(platformConfig)), 'application/vnd.oci.image.config.v1+json'],
      HELLO_KEY,
    ]);
    const manifest = await fetchManifest(ref, true);
    expect(manifest.config).toEqual({
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256(platformConfig),
      size: platformConfig.length,
    });
    expect(manifest.artifactType).toBe('application/vnd.unknown.artifact.v1');
    const pulled = await e2e.box.ok([
      'pull',
      '--oci-layout',
      ref,
      '--platform',
      'darwin/arm64',
      '-o',
      'platform-pulled',
    ]);
    expectStatus(pulled.stdout, 'pull', [HELLO_KEY]);
  });

  it('refuses an artifact type with a platform for v1.0, and packs v1.0 with the image config type', async () => {
    const refused = await e2e.box.run([
      'push',
      '--oci-layout',
      'platform-v10:e2e',
      '--image-spec',
      'v1.0',
      '--artifact-type',
      'test/artifact+json',
      '--artifact-platform',
      'darwin/arm64',
      'data/hello.txt',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'Error: artifact type cannot be customized for OCI image-spec v1.0 when platform is specified\n' +
        'consider using image spec v1.1 or remove --artifact-type\n',
    );
    await e2e.box.ok([
      'push',
      '--oci-layout',
      'platform-v10:e2e',
      '--image-spec',
      'v1.0',
      '--artifact-platform',
      'darwin/arm64',
      'data/hello.txt',
    ]);
    const manifest = await fetchManifest('platform-v10:e2e', true);
    expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(manifest.artifactType).toBeUndefined();
  });

  it('packs a config, its media type and annotations into an OCI layout as into a registry', async () => {
    await writeFile(
      join(e2e.box.dir, 'data', 'annotations.json'),
      JSON.stringify({
        $manifest: { hi: 'manifest' },
        $config: { hello: 'config' },
        'data/hello.txt': { foo: 'bar' },
      }),
    );
    await e2e.box.ok([
      'push',
      '--oci-layout',
      'config-layout:file',
      'data/hello.txt',
      '--annotation-file',
      'data/annotations.json',
      '--config',
      'data/config.json',
    ]);
    const fromFile = await fetchManifest('config-layout:file', true);
    expect(fromFile.annotations?.hi).toBe('manifest');
    expect(fromFile.config.annotations?.hello).toBe('config');
    expect(fromFile.layers[0]?.annotations?.foo).toBe('bar');
    const typed = await e2e.box.ok([
      'push',
      '--oci-layout',
      'config-layout:typed',
      '--config',
      'data/config.json:config/type',
      'data/hello.txt',
      '--annotation',
      'image-anno-key=image-anno-value',
    ]);
    expectStatus(typed.stdout, 'push', [[short(sha256(CONFIG)), 'config/type'], HELLO_KEY]);
    const manifest = await fetchManifest('config-layout:typed', true);
    expect(manifest.config).toEqual({
      mediaType: 'config/type',
      digest: sha256(CONFIG),
      size: CONFIG.length,
    });
    expect(manifest.annotations?.['image-anno-key']).toBe('image-anno-value');
  });
});

describe('oras pull, the 1.3 cases', () => {
  let ref = '';
  let digest = '';
  beforeAll(async () => {
    ref = `${e2e.host}/o13/pull:v1`;
    digest = digestOf((await e2e.box.ok(['push', '--plain-http', ref, 'data/hello.txt'])).stdout);
  });

  it('takes the deprecated --verbose; --verbose=false hides the manifest lines', async () => {
    const verbose = await e2e.box.ok(['pull', '--plain-http', ref, '--verbose', '-o', 'verbose']);
    expect(verbose.stderr).toBe(DEPRECATED_VERBOSE);
    expectStatus(verbose.stdout, 'pull', [HELLO_KEY, [short(digest), MANIFEST]]);
    const quiet = await e2e.box.ok(['pull', '--plain-http', ref, '--verbose=false', '-o', 'quiet']);
    expect(quiet.stderr).toBe(DEPRECATED_VERBOSE);
    expectStatus(quiet.stdout, 'pull', [HELLO_KEY]);
    expect(quiet.stdout).not.toContain(MANIFEST);
  });

  it('refuses --template without --format go-template, and a format without a type or template', async () => {
    const cases: [string[], string][] = [
      [
        ['--format', 'json', '--template', '{{.}}'],
        'Error: --template must be used with --format go-template\n',
      ],
      [['--template', '{{.}}'], 'Error: --template must be used with --format go-template\n'],
      [
        ['--format', 'json', '--format', '='],
        'Error: invalid format type: "="\nsupported types: json, go-template, text\n',
      ],
      [
        ['--format', 'json', '--format', '={{.}}'],
        'Error: invalid format type: "={{.}}"\nsupported types: json, go-template, text\n',
      ],
    ];
    for (const template of ['go-template=', 'go-template']) {
      cases.push([
        ['--format', 'json', '--format', template],
        'Error: "go-template" format specified but no template given\nuse `--format go-template=TEMPLATE` to specify the template\n',
      ]);
    }
    for (const [flags, stderr] of cases) {
      const res = await e2e.box.run(['pull', '--plain-http', ref, ...flags]);
      expect(res.code, flags.join(' ')).toBe(1);
      expect(res.stderr).toBe(stderr);
    }
  });

  it('prints the pulled files by absolute path through a template, --template and JSON; the reference by digest', async () => {
    const dir = join(e2e.box.dir, 'paths');
    await mkdir(dir);
    const path = join(dir, 'data', 'hello.txt');
    const template = '{{range .files}}{{println .path}}{{end}}';
    const viaFormat = await e2e.box.ok(['pull', '--plain-http', ref, '--format', `go-template=${template}`], {
      cwd: dir,
    });
    expect(viaFormat.stdout).toBe(`${path}\n`);
    const viaTemplate = await e2e.box.ok(
      ['pull', '--plain-http', ref, '--format', 'go-template', '--template', template],
      {
        cwd: dir,
      },
    );
    expect(viaTemplate.stdout).toBe(`${path}\n`);
    const json = JSON.parse(
      (await e2e.box.ok(['pull', '--plain-http', ref, '--format', 'json'], { cwd: dir })).stdout,
    ) as {
      reference: string;
      files: { path: string }[];
    };
    expect(json.files.map((f) => f.path)).toEqual([path]);
    const reference = await e2e.box.ok([
      'pull',
      '--plain-http',
      ref,
      '-o',
      'by-ref',
      '--format',
      'go-template={{.reference}}',
    ]);
    expect(reference.stdout).toBe(`${e2e.host}/o13/pull@${digest}`);
  });

  it('gives no hint about unnamed layers with JSON or template output', async () => {
    const repo = `${e2e.host}/o13/unnamed`;
    const layer = JSON.parse(
      (await e2e.box.ok(['blob', 'push', '--plain-http', '--descriptor', repo, 'data/config.json'])).stdout,
    ) as object;
    await e2e.box.ok(['blob', 'push', '--plain-http', repo, '-', '--size', '2'], { stdin: '{}' });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: 'test/unnamed',
      config: { mediaType: EMPTY, digest: sha256('{}'), size: 2 },
      layers: [layer],
    });
    await e2e.box.ok(['manifest', 'push', '--plain-http', `${repo}:v1`, '-'], { stdin: manifest });
    const text = await e2e.box.ok(['pull', '--plain-http', `${repo}:v1`, '-o', 'unnamed-text']);
    expect(text.stdout).toContain('Skipped pulling layers without file name');
    for (const format of ['json', 'go-template={{.}}']) {
      const res = await e2e.box.ok([
        'pull',
        '--plain-http',
        `${repo}:v1`,
        '-o',
        'unnamed',
        '--format',
        format,
      ]);
      expect(res.stdout).not.toContain('Skipped pulling layers');
      expect(res.stdout).not.toContain('oras copy');
    }
  });

  it('refuses an empty --config path, and a title outside the output folder', async () => {
    await e2e.box.ok(['push', '--oci-layout', 'pull-layout:v1', 'data/hello.txt']);
    const config = await e2e.box.run(['pull', '--oci-layout', 'pull-layout:v1', '--config', ':']);
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(/^Error: /);
    const abs = join(e2e.box.dir, 'data', 'config.json');
    await e2e.box.ok(['push', '--oci-layout', 'traversal:pushed', abs, '--disable-path-validation']);
    const outside = await e2e.box.run(['pull', '--oci-layout', 'traversal:pushed', '-o', 'pulled']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/^Error: /);
    expect(outside.stderr).toContain('--allow-path-traversal');
  });

  it('pulls one platform of an index', async () => {
    const { amd64 } = await multiPlatform(`${e2e.host}/o13/pull-multi`);
    const res = await e2e.box.ok([
      'pull',
      '--plain-http',
      `${e2e.host}/o13/pull-multi:multi`,
      '--platform',
      'linux/amd64',
      '-o',
      'amd64',
    ]);
    expectStatus(res.stdout, 'pull', [HELLO_KEY, [short(amd64), MANIFEST]]);
    expect(await readFile(join(e2e.box.dir, 'amd64', 'data', 'hello.txt'), 'utf8')).toBe(HELLO);
  });
});

describe('oras attach, the 1.3 cases', () => {
  it('takes the deprecated --verbose; --verbose=false hides the empty config', async () => {
    const subject = `${e2e.host}/o13/attach:v1`;
    await e2e.box.ok(['push', '--plain-http', subject, 'data/hello.txt']);
    const sbomKey = [short(sha256('{"sbom":true}\n')), 'data/sbom.json'] as const;
    const verbose = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      '--verbose',
      subject,
      'data/sbom.json:application/json',
    ]);
    expect(verbose.stderr).toBe(DEPRECATED_VERBOSE);
    expectStatus(verbose.stdout, 'push', [sbomKey, EMPTY_KEY]);
    const quiet = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      '--verbose=false',
      subject,
      'data/sbom.json:application/json',
    ]);
    expect(quiet.stderr).toBe(DEPRECATED_VERBOSE);
    expectStatus(quiet.stdout, 'push', [sbomKey]);
    expect(quiet.stdout).not.toContain(EMPTY);
  });

  it('says what it attached to, by digest, for a tag and for a digest', async () => {
    const repo = `${e2e.host}/o13/attach-to`;
    const digest = digestOf(
      (await e2e.box.ok(['push', '--plain-http', `${repo}:v1`, 'data/hello.txt'])).stdout,
    );
    for (const subject of [`${repo}:v1`, `${repo}@${digest}`]) {
      const res = await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        'test/attach',
        subject,
        'data/sbom.json',
      ]);
      expect(res.stdout).toContain(`\nAttached to [registry] ${repo}@${digest}\n`);
    }
  });

  it('attaches to one platform of an index, and twice to one subject', async () => {
    const repo = `${e2e.host}/o13/attach-multi`;
    const { amd64 } = await multiPlatform(repo);
    const attached = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      `${repo}:multi`,
      'data/sbom.json',
      '--format',
      'go-template={{.digest}}',
      '--platform',
      'linux/amd64',
    ]);
    const found = await e2e.box.ok([
      'discover',
      '--plain-http',
      '--artifact-type',
      'test/attach',
      `${repo}@${amd64}`,
    ]);
    expect(found.stdout).toContain(attached.stdout);
    const refs: string[] = [];
    for (const note of ['first', 'second']) {
      const res = await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        'test/attach',
        `${repo}:linux-arm64`,
        '-a',
        `note=${note}`,
        '--format',
        'go-template={{.reference}}',
      ]);
      refs.push(res.stdout);
    }
    const listed = await e2e.box.ok([
      'discover',
      '--plain-http',
      `${repo}:linux-arm64`,
      '--format',
      'go-template={{range .referrers}}{{println .reference}}{{end}}',
    ]);
    for (const ref of refs) expect(listed.stdout).toContain(`${ref}\n`);
  });
});

describe('oras discover, the 1.3 cases', () => {
  it('prints an empty referrers list, not null, and the first referrer through sprig', async () => {
    const repo = `${e2e.host}/o13/discover`;
    const subject = digestOf(
      (await e2e.box.ok(['push', '--plain-http', `${repo}:v1`, 'data/hello.txt'])).stdout,
    );
    const referrer = (
      await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        'test/sbom',
        `${repo}:v1`,
        'data/sbom.json',
        '--format',
        'go-template={{.digest}}',
      ])
    ).stdout;
    const leaf = await e2e.box.ok(['discover', '--plain-http', `${repo}@${referrer}`, '--format', 'json']);
    expect(leaf.stdout).toContain('"referrers": []');
    const first = await e2e.box.ok([
      'discover',
      '--plain-http',
      `${repo}@${subject}`,
      '--format',
      'go-template={{(first .referrers).reference}}',
    ]);
    expect(first.stdout).toBe(`${repo}@${referrer}`);
    const table = await e2e.box.ok(['discover', '--plain-http', `${repo}:v1`, '--format', 'table']);
    expect(table.stderr).toBe('Format "table" is deprecated and will be removed in a future release.\n');
  });
});

describe('more referrers, the 1.3 cases', () => {
  it('discovers the referrers of one platform, and shows <unknown> for a referrer without a type', async () => {
    const repo = `${e2e.host}/o13/more`;
    const { amd64, arm64 } = await multiPlatform(repo);
    const onAmd64 = (
      await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        'test/amd64',
        `${repo}@${amd64}`,
        'data/sbom.json',
        '--format',
        'go-template={{.digest}}',
      ])
    ).stdout;
    const json = JSON.parse(
      (
        await e2e.box.ok([
          'discover',
          '--plain-http',
          `${repo}:multi`,
          '--platform',
          'linux/amd64',
          '--format',
          'json',
        ])
      ).stdout,
    ) as { digest: string; referrers: { digest: string }[] };
    expect(json.digest).toBe(amd64);
    expect(json.referrers.map((r) => r.digest)).toEqual([onAmd64]);
    // an index referrer has no config, so no artifact type: oras's tree says <unknown>
    const sizeOf = async (digest: string) =>
      (
        JSON.parse(
          (await e2e.box.ok(['manifest', 'fetch', '--plain-http', '--descriptor', `${repo}@${digest}`]))
            .stdout,
        ) as {
          size: number;
        }
      ).size;
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: MANIFEST, digest: amd64, size: await sizeOf(amd64) }],
      subject: { mediaType: MANIFEST, digest: arm64, size: await sizeOf(arm64) },
    });
    await e2e.box.ok(['manifest', 'push', '--plain-http', `${repo}:index-referrer`, '-'], { stdin: index });
    const tree = await e2e.box.ok(['discover', '--plain-http', `${repo}@${arm64}`, '--format', 'tree']);
    expect(tree.stdout).toContain('<unknown>');
    expect(tree.stdout).toContain(sha256(index));
    // an index with a subject is copied with its manifests
    const copied = await e2e.box.ok([
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      `${repo}@${sha256(index)}`,
      `${e2e.host}/o13/more-copy`,
    ]);
    expectStatus(copied.stdout, 'cp', [
      [short(amd64), MANIFEST],
      [short(sha256(index)), 'application/vnd.oci.image.index.v1+json'],
    ]);
    expect(
      (
        await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/o13/more-copy@${sha256(index)}`])
      ).stdout.trim(),
    ).toBe(sha256(index));
  });

  it('attaches to one platform of an index in an OCI layout', async () => {
    const repo = `${e2e.host}/o13/layout-multi`;
    const { amd64 } = await multiPlatform(repo);
    await e2e.box.ok(['cp', '--from-plain-http', `${repo}:multi`, 'attach-layout:multi', '--to-oci-layout']);
    const digest = (
      await e2e.box.ok([
        'attach',
        '--oci-layout',
        '--artifact-type',
        'test/attach',
        'attach-layout:multi',
        'data/sbom.json',
        '--format',
        'go-template={{.digest}}',
        '--platform',
        'linux/amd64',
      ])
    ).stdout;
    const found = await e2e.box.ok([
      'discover',
      '--oci-layout',
      '--artifact-type',
      'test/attach',
      `attach-layout@${amd64}`,
    ]);
    expect(found.stdout).toContain(digest);
  });

  it('refuses a custom header for an OCI layout', async () => {
    const res = await e2e.box.run([
      'attach',
      'header-layout:test',
      '-a',
      'test=true',
      '--artifact-type',
      'doc/example',
      '--oci-layout',
      '-H=foo:bar',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('custom header');
  });
});

describe('oras cp, the 1.3 cases', () => {
  let src = '';
  beforeAll(async () => {
    src = `${e2e.host}/o13/cp-src:v1`;
    await e2e.box.ok(['push', '--plain-http', src, 'data/hello.txt']);
  });

  it('takes the deprecated --verbose; --verbose=false hides the unnamed blobs and the manifest', async () => {
    const verbose = await e2e.box.ok(['cp', ...CP, src, `${e2e.host}/o13/cp-verbose:copied`, '--verbose']);
    expect(verbose.stderr).toBe(DEPRECATED_VERBOSE);
    expect(verbose.stdout).toContain(EMPTY);
    expect(verbose.stdout).toContain(MANIFEST);
    const quiet = await e2e.box.ok(['cp', ...CP, src, `${e2e.host}/o13/cp-quiet:copied`, '--verbose=false']);
    expect(quiet.stderr).toBe(DEPRECATED_VERBOSE);
    expectStatus(quiet.stdout, 'cp', [HELLO_KEY]);
    expect(quiet.stdout).not.toContain(EMPTY);
    expect(quiet.stdout).not.toContain(MANIFEST);
  });

  it('refuses a username with an identity token, in oras words', async () => {
    const res = await e2e.box.run([
      'cp',
      ...CP,
      src,
      `${e2e.host}/o13/cp-conflict:v1`,
      '--from-username',
      'me',
      '--from-identity-token',
      'test-token',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'Error: --from-username, --from-identity-token cannot be used at the same time\n',
    );
  });

  it('copies an index with referrers without a concurrency limit, and an empty index', async () => {
    const repo = `${e2e.host}/o13/cp-multi`;
    const { index, amd64 } = await multiPlatform(repo);
    const onIndex = (
      await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        'test/index-sbom',
        `${repo}:multi`,
        'data/sbom.json',
        '--format',
        'go-template={{.digest}}',
      ])
    ).stdout;
    const onChild = (
      await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        'test/child-sbom',
        `${repo}@${amd64}`,
        'data/sbom.json',
        '--format',
        'go-template={{.digest}}',
      ])
    ).stdout;
    const dst = `${e2e.host}/o13/cp-multi-copy`;
    const copied = await e2e.box.ok([
      'cp',
      ...CP,
      `${repo}:multi`,
      `${dst}:copiedTag`,
      '-r',
      '--concurrency',
      '0',
    ]);
    expect(copied.stdout).toContain(`\nDigest: ${index}\n`);
    for (const digest of [index, onIndex, onChild]) {
      expect((await e2e.box.ok(['resolve', '--plain-http', `${dst}@${digest}`])).stdout.trim()).toBe(digest);
    }
    const empty = digestOf(
      (await e2e.box.ok(['manifest', 'index', 'create', '--plain-http', `${repo}:empty`])).stdout,
    );
    await e2e.box.ok(['cp', ...CP, `${repo}:empty`, `${dst}:empty`, '-r', '--concurrency', '0']);
    expect((await e2e.box.ok(['resolve', '--plain-http', `${dst}:empty`])).stdout.trim()).toBe(empty);
  });

  it('copies to an OCI layout under several tags, and one platform with its referrers from a layout', async () => {
    const digest = (await e2e.box.ok(['resolve', '--plain-http', src])).stdout.trim();
    await e2e.box.ok(['cp', '--from-plain-http', src, 'tags-layout:tag1,tag2,tag3', '--to-oci-layout']);
    for (const tag of ['tag1', 'tag2', 'tag3']) {
      expect((await e2e.box.ok(['resolve', '--oci-layout', `tags-layout:${tag}`])).stdout.trim()).toBe(
        digest,
      );
    }
    const repo = `${e2e.host}/o13/cp-platform`;
    const { index, amd64 } = await multiPlatform(repo);
    const onAmd64 = (
      await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        'test/amd64',
        `${repo}@${amd64}`,
        'data/sbom.json',
        '--format',
        'go-template={{.digest}}',
      ])
    ).stdout;
    await e2e.box.ok([
      'cp',
      '--from-plain-http',
      `${repo}:multi`,
      'platform-src:multi',
      '--to-oci-layout',
      '-r',
    ]);
    const dst = `${e2e.host}/o13/cp-platform-copy`;
    const copied = await e2e.box.ok([
      'cp',
      'platform-src:multi',
      '--from-oci-layout',
      '--to-plain-http',
      `${dst}:copied`,
      '-r',
      '--platform',
      'linux/amd64',
    ]);
    expect(copied.stdout).toContain(`\nDigest: ${amd64}\n`);
    expect((await e2e.box.ok(['resolve', '--plain-http', `${dst}:copied`])).stdout.trim()).toBe(amd64);
    const referrers = JSON.parse(
      (await e2e.box.ok(['discover', '--plain-http', `${dst}:copied`, '--format', 'json'])).stdout,
    ) as { referrers: { digest: string }[] };
    expect(referrers.referrers.map((r) => r.digest)).toEqual([onAmd64]);
    // the index itself is not copied
    expect((await e2e.box.run(['manifest', 'fetch', '--plain-http', `${dst}@${index}`])).code).toBe(1);
  });

  it('copies through --from-oci-layout-path and --to-oci-layout-path, by tag and by digest', async () => {
    const digest = (await e2e.box.ok(['resolve', '--plain-http', src])).stdout.trim();
    const toLayout = await e2e.box.ok(['cp', ...CP, src, 'copied', '--to-oci-layout-path', 'path-layout']);
    expect(toLayout.stdout).toContain(`\nDigest: ${digest}\n`);
    expect((await e2e.box.ok(['resolve', '--oci-layout', 'path-layout:copied'])).stdout.trim()).toBe(digest);
    await e2e.box.ok([
      'cp',
      'copied',
      `${e2e.host}/o13/cp-from-path:v1`,
      TO,
      '--from-oci-layout-path',
      'path-layout',
    ]);
    expect(
      (await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/o13/cp-from-path:v1`])).stdout.trim(),
    ).toBe(digest);
    await e2e.box.ok([
      'cp',
      digest,
      digest,
      '--from-oci-layout-path',
      'path-layout',
      '--to-oci-layout-path',
      'path-layout-2',
    ]);
    expect((await e2e.box.ok(['resolve', '--oci-layout', `path-layout-2@${digest}`])).stdout.trim()).toBe(
      digest,
    );
  });
});

describe('oras tag in an OCI layout, the 1.3 cases', () => {
  it('takes any non-empty name as a tag, as an OCI layout does, and lists it', async () => {
    await e2e.box.ok(['push', '--oci-layout', 'tag-layout:foobar', 'data/hello.txt']);
    const res = await e2e.box.ok([
      'tag',
      '--oci-layout',
      'tag-layout:foobar',
      'example.registry.com/foo:latest',
      'bax bay baz',
    ]);
    expect(res.stdout).toContain('Tagged example.registry.com/foo:latest\n');
    expect(res.stdout).toContain('Tagged bax bay baz\n');
    const tags = await e2e.box.ok(['repo', 'tags', '--oci-layout', 'tag-layout']);
    expect(tags.stdout.split('\n')).toEqual(
      expect.arrayContaining(['bax bay baz', 'example.registry.com/foo:latest', 'foobar']),
    );
    // a registry keeps the distribution spec's tag form
    const registry = await e2e.box.run(['tag', '--plain-http', `${e2e.host}/o13/none:v1`, 'bax bay']);
    expect(registry.code).toBe(1);
    expect(registry.stderr).toMatch(/^Error: invalid tag "bax bay"/);
  });
});

describe('oras repo, the 1.3 cases', () => {
  const DIGEST_TAG = `sha256-${'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}`;
  const TEMPLATE = '{{range .tags}}{{println .}}{{end}}';
  let ns = '';
  beforeAll(async () => {
    ns = `${e2e.host}/o13repo`;
    await e2e.box.ok(['push', '--plain-http', `${ns}/images:foobar,bax,bay`, 'data/hello.txt']);
    await e2e.box.ok(['tag', '--plain-http', `${ns}/images:foobar`, DIGEST_TAG]);
    await e2e.box.ok(['push', '--plain-http', `${ns}/images:other`, 'data/sbom.json']);
    // a repository whose name only starts like the namespace
    await e2e.box.ok(['push', '--plain-http', `${e2e.host}/o13repo-draft/images:v1`, 'data/hello.txt']);
  });

  it('shows --format with json, text and go-template, with examples of both, in the help of ls and tags', async () => {
    for (const command of ['ls', 'tags']) {
      const help = (await e2e.box.ok(['repo', command, '--help'])).stdout;
      for (const word of [
        '--format',
        'json',
        'text',
        'go-template',
        `oras repo ${command}`,
        '--format json',
        '--format go-template',
      ]) {
        expect(help, `${command}: ${word}`).toContain(word);
      }
    }
  });

  it('warns about the deprecated --verbose on ls and tags', async () => {
    for (const args of [
      ['repository', 'list', '--plain-http', e2e.host],
      ['repo', 'tags', '--plain-http', `${ns}/images`],
    ]) {
      const res = await e2e.box.ok([...args, '--verbose']);
      expect(res.stderr).toBe(DEPRECATED_VERBOSE);
    }
  });

  it('lists repositories as JSON and through a template, with the registry, under a whole namespace only', async () => {
    const json = JSON.parse(
      (await e2e.box.ok(['repo', 'ls', '--plain-http', e2e.host, '--format', 'json'])).stdout,
    ) as {
      registry: string;
      repositories: string[];
    };
    expect(json.registry).toBe(e2e.host);
    expect(json.repositories).toEqual(expect.arrayContaining(['o13repo/images', 'o13repo-draft/images']));
    const under = JSON.parse(
      (await e2e.box.ok(['repo', 'ls', '--plain-http', ns, '--format', 'json'])).stdout,
    ) as {
      registry: string;
      repositories: string[];
    };
    expect(under.registry).toBe(e2e.host);
    expect(under.repositories).toEqual(['images']);
    const template = 'Registry: {{.registry}}{{println}}{{range .repositories}}{{println .}}{{end}}';
    const text = await e2e.box.ok(['repo', 'ls', '--plain-http', ns, '--format', `go-template=${template}`]);
    expect(text.stdout).toBe(`Registry: ${e2e.host}\nimages\n`);
  });

  it('lists tags as JSON and through a template, without digest tags when asked', async () => {
    const repo = `${ns}/images`;
    const all = JSON.parse(
      (await e2e.box.ok(['repo', 'tags', '--plain-http', repo, '--format', 'json'])).stdout,
    ) as {
      tags: string[];
    };
    expect(all.tags).toEqual(expect.arrayContaining(['foobar', 'bax', 'bay', 'other', DIGEST_TAG]));
    const plain = JSON.parse(
      (await e2e.box.ok(['repo', 'tags', '--plain-http', repo, '--format', 'json', '--exclude-digest-tags']))
        .stdout,
    ) as { tags: string[] };
    expect(plain.tags).not.toContain(DIGEST_TAG);
    expect(plain.tags).toContain('foobar');
    const text = await e2e.box.ok([
      'repo',
      'tags',
      '--plain-http',
      repo,
      '--format',
      `go-template=${TEMPLATE}`,
      '--exclude-digest-tags',
    ]);
    expect(text.stdout.split('\n')).toContain('foobar');
    expect(text.stdout).not.toContain(DIGEST_TAG);
  });

  it('lists no tags of a repository whose only tag is gone: nothing as text, an empty list as JSON', async () => {
    const repo = `${e2e.host}/o13/empty-tags`;
    await e2e.box.ok(['push', '--plain-http', `${repo}:temp-tag`, 'data/hello.txt']);
    await e2e.box.ok(['manifest', 'delete', '--plain-http', '--force', `${repo}:temp-tag`]);
    expect((await e2e.box.ok(['repo', 'tags', '--plain-http', repo])).stdout).toBe('');
    const json = await e2e.box.ok(['repo', 'tags', '--plain-http', repo, '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual({ tags: [] });
    const missing = await e2e.box.run([
      'repo',
      'tags',
      '--plain-http',
      `${e2e.host}/o13/non-existent-repo`,
      '--format',
      'json',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error response from registry: /);
  });

  it('lists the tags of one manifest as JSON and through a template, by tag and by digest', async () => {
    const repo = `${ns}/images`;
    const digest = (await e2e.box.ok(['resolve', '--plain-http', `${repo}:foobar`])).stdout.trim();
    for (const ref of [`${repo}:foobar`, `${repo}@${digest}`]) {
      const json = await e2e.box.ok(['repo', 'tags', '--plain-http', ref, '--format', 'json']);
      expect(json.stderr).toContain('[Experimental]');
      expect(json.stderr).toContain(digest);
      const tags = (JSON.parse(json.stdout) as { tags: string[] }).tags;
      expect(tags).toEqual(expect.arrayContaining(['foobar', 'bax', 'bay', DIGEST_TAG]));
      expect(tags).not.toContain('other');
      const text = await e2e.box.ok([
        'repo',
        'tags',
        '--plain-http',
        ref,
        '--format',
        `go-template=${TEMPLATE}`,
      ]);
      expect(text.stdout.split('\n')).toEqual(expect.arrayContaining(['foobar', 'bax', 'bay']));
      expect(text.stdout).not.toContain('other');
    }
  });

  it('lists the tags of an OCI layout as JSON and through a template, without digest tags when asked', async () => {
    await e2e.box.ok(['push', '--oci-layout', 'repo-layout:foobar', 'data/hello.txt']);
    await e2e.box.ok(['tag', '--oci-layout', 'repo-layout:foobar', 'normal-tag', DIGEST_TAG]);
    const all = JSON.parse(
      (await e2e.box.ok(['repository', 'tags', '--oci-layout', 'repo-layout', '--format', 'json'])).stdout,
    ) as {
      tags: string[];
    };
    expect(all.tags).toEqual(expect.arrayContaining(['foobar', 'normal-tag', DIGEST_TAG]));
    const plain = JSON.parse(
      (
        await e2e.box.ok([
          'repo',
          'tags',
          '--oci-layout',
          'repo-layout',
          '--format',
          'json',
          '--exclude-digest-tags',
        ])
      ).stdout,
    ) as { tags: string[] };
    expect(plain.tags).toEqual(expect.arrayContaining(['foobar', 'normal-tag']));
    expect(plain.tags).not.toContain(DIGEST_TAG);
    const byTag = await e2e.box.ok([
      'repo',
      'tags',
      '--oci-layout',
      'repo-layout:foobar',
      '--format',
      `go-template=${TEMPLATE}`,
    ]);
    expect(byTag.stderr).toContain('[Experimental]');
    expect(byTag.stdout.split('\n')).toEqual(expect.arrayContaining(['foobar', 'normal-tag', DIGEST_TAG]));
  });
});

describe('oras manifest index update, the 1.3 cases', () => {
  it('refuses --tag with --output in oras words', async () => {
    const res = await e2e.box.run([
      'manifest',
      'index',
      'update',
      '--plain-http',
      `${e2e.host}/o13/index:v1`,
      '--add',
      sha256('x'),
      '--output',
      '-',
      '--tag',
      'v2',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('Error: --tag, --output cannot be used at the same time\n');
  });
});

describe('oras manifest in an OCI layout, the 1.3 cases', () => {
  const INDEX = 'application/vnd.oci.image.index.v1+json';
  let amd64 = '';
  let arm64 = '';
  beforeAll(async () => {
    const repo = `${e2e.host}/o13/layout-index`;
    ({ amd64, arm64 } = await multiPlatform(repo));
    await e2e.box.ok(['cp', '--from-plain-http', `${repo}:multi`, 'ilayout:multi', '--to-oci-layout']);
    for (const tag of ['linux-amd64', 'linux-arm64']) {
      await e2e.box.ok(['cp', '--from-plain-http', `${repo}:${tag}`, `ilayout:${tag}`, '--to-oci-layout']);
    }
  });

  it('creates indexes by digest and tag, untagged (naming the digest), under several tags, nested, of a non-JSON config', async () => {
    const created = await e2e.box.ok([
      'manifest',
      'index',
      'create',
      '--oci-layout',
      'ilayout:latest',
      amd64,
      'linux-arm64',
    ]);
    const index = JSON.parse(
      (await e2e.box.ok(['manifest', 'fetch', '--oci-layout', 'ilayout:latest'])).stdout,
    ) as {
      manifests: { digest: string; platform?: { architecture: string } }[];
    };
    expect(index.manifests.map((m) => m.digest)).toEqual([amd64, arm64]);
    expect(index.manifests.map((m) => m.platform?.architecture)).toEqual(['amd64', 'arm64']);
    const untagged = await e2e.box.ok([
      'manifest',
      'index',
      'create',
      '--oci-layout',
      'ilayout',
      'linux-amd64',
    ]);
    const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(untagged.stdout)?.[1] ?? '';
    expect((await e2e.box.ok(['resolve', '--oci-layout', `ilayout@${digest}`])).stdout.trim()).toBe(digest);
    await e2e.box.ok(['manifest', 'index', 'create', '--oci-layout', 'ilayout:t0,t1,t2', 'linux-amd64']);
    for (const tag of ['t0', 't1', 't2']) {
      expect((await e2e.box.ok(['resolve', '--oci-layout', `ilayout:${tag}`])).stdout.trim()).toBe(digest);
    }
    await e2e.box.ok(['manifest', 'index', 'create', '--oci-layout', 'ilayout:nested', 'multi']);
    const nested = JSON.parse(
      (await e2e.box.ok(['manifest', 'fetch', '--oci-layout', 'ilayout:nested'])).stdout,
    ) as {
      manifests: { mediaType: string; digest: string }[];
    };
    const multi = (await e2e.box.ok(['resolve', '--oci-layout', 'ilayout:multi'])).stdout.trim();
    expect(nested.manifests).toEqual([expect.objectContaining({ mediaType: INDEX, digest: multi })]);
    // a config that is no JSON gives no platform, and no error
    await e2e.box.ok([
      'push',
      '--oci-layout',
      'ilayout:nonjson-config',
      '--config',
      'data/hello.txt:application/vnd.oci.image.config.v1+json',
      'data/sbom.json',
    ]);
    await e2e.box.ok([
      'manifest',
      'index',
      'create',
      '--oci-layout',
      'ilayout:unusual-config',
      'nonjson-config',
    ]);
    const unusual = JSON.parse(
      (await e2e.box.ok(['manifest', 'fetch', '--oci-layout', 'ilayout:unusual-config'])).stdout,
    ) as {
      manifests: { platform?: unknown }[];
    };
    expect(unusual.manifests).toHaveLength(1);
    expect(unusual.manifests[0]?.platform).toBeUndefined();
    expect(created.stdout).toContain('Digest: ');
  });

  it('refuses a blob as a manifest, and a manifest as an index to update or merge', async () => {
    const blob = sha256(HELLO);
    const notManifest = await e2e.box.run([
      'manifest',
      'index',
      'create',
      '--oci-layout',
      'ilayout:bad',
      blob,
    ]);
    expect(notManifest.code).toBe(1);
    expect(notManifest.stderr).toContain('is not a manifest');
    const addBlob = await e2e.box.run([
      'manifest',
      'index',
      'update',
      '--oci-layout',
      'ilayout:multi',
      '--add',
      blob,
    ]);
    expect(addBlob.code).toBe(1);
    expect(addBlob.stderr).toMatch(/^Error.*is not a manifest/m);
    const notIndex = await e2e.box.run([
      'manifest',
      'index',
      'update',
      '--oci-layout',
      'ilayout:linux-amd64',
      '--add',
      arm64,
    ]);
    expect(notIndex.code).toBe(1);
    expect(notIndex.stderr).toMatch(/^Error.*is not an index/m);
    const mergeManifest = await e2e.box.run([
      'manifest',
      'index',
      'update',
      '--oci-layout',
      'ilayout:multi',
      '--merge',
      'linux-amd64',
    ]);
    expect(mergeManifest.code).toBe(1);
    expect(mergeManifest.stderr).toMatch(/^Error.*is not an index/m);
  });

  it('fetches a manifest and its config by platform, and descriptors with the tag they were found by', async () => {
    const manifest = await e2e.box.ok([
      'manifest',
      'fetch',
      '--oci-layout',
      'ilayout:multi',
      '--platform',
      'linux/amd64',
    ]);
    expect(sha256(manifest.stdout)).toBe(amd64);
    const byTag = JSON.parse(
      (await e2e.box.ok(['manifest', 'fetch', '--oci-layout', 'ilayout:multi', '--descriptor'])).stdout,
    ) as {
      annotations?: Record<string, string>;
    };
    expect(byTag.annotations?.['org.opencontainers.image.ref.name']).toBe('multi');
    const platform = JSON.parse(
      (
        await e2e.box.ok([
          'manifest',
          'fetch',
          '--oci-layout',
          'ilayout:multi',
          '--platform',
          'linux/amd64',
          '--descriptor',
        ])
      ).stdout,
    ) as { digest: string; platform?: { architecture: string } };
    expect(platform.digest).toBe(amd64);
    expect(platform.platform?.architecture).toBe('amd64');
    const config = await e2e.box.ok([
      'manifest',
      'fetch-config',
      '--oci-layout',
      'ilayout:multi',
      '--platform',
      'linux/amd64',
    ]);
    expect(JSON.parse(config.stdout)).toEqual({ architecture: 'amd64', os: 'linux' });
    const configDesc = JSON.parse(
      (
        await e2e.box.ok([
          'manifest',
          'fetch-config',
          '--oci-layout',
          'ilayout:multi',
          '--platform',
          'linux/amd64',
          '--descriptor',
        ])
      ).stdout,
    ) as { mediaType: string; digest: string };
    expect(configDesc).toEqual(
      expect.objectContaining({
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256(config.stdout),
      }),
    );
    const noRef = await e2e.box.run(['manifest', 'fetch-config', '--oci-layout', 'ilayout']);
    expect(noRef.code).toBe(1);
    expect(noRef.stderr).toMatch(/^Error: .*no tag or digest specified/);
    expect(noRef.stderr).toContain('oras manifest fetch-config');
  });
});

describe('oras restore, the 1.3 cases', () => {
  let repo = '';
  beforeAll(async () => {
    repo = `${e2e.host}/o13/restore`;
    await e2e.box.ok(['push', '--plain-http', `${repo}:v1`, 'data/hello.txt']);
    await e2e.box.ok(['backup', '--plain-http', '--output', 'restore-backup', `${repo}:v1`]);
  });

  it('backup fails for a file or a folder in the way, a missing repository, tag or tag list', async () => {
    await writeFile(join(e2e.box.dir, 'backup-conflict-file'), '');
    const file = await e2e.box.run([
      'backup',
      '--plain-http',
      '--output',
      'backup-conflict-file',
      `${repo}:v1`,
    ]);
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/^Error: /);
    await mkdir(join(e2e.box.dir, 'backup-dir-conflict.tar'));
    const dir = await e2e.box.run([
      'backup',
      '--plain-http',
      '--output',
      'backup-dir-conflict.tar',
      `${repo}:v1`,
    ]);
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain('already exists and is a directory');
    expect(dir.stderr).toContain(
      'To back up to a tar archive, please specify a different output file name or remove the existing directory.',
    );
    const noRepo = await e2e.box.run([
      'backup',
      '--plain-http',
      '--output',
      'backup-none',
      `${e2e.host}/o13/nonexistent-repo`,
    ]);
    expect(noRepo.code).toBe(1);
    expect(noRepo.stderr).toMatch(/^Error response from registry: /);
    const noTag = await e2e.box.run([
      'backup',
      '--plain-http',
      '--output',
      'backup-none',
      `${repo}:i-dont-think-this-tag-exists`,
    ]);
    expect(noTag.code).toBe(1);
    expect(noTag.stderr).toMatch(/^Error.*i-dont-think-this-tag-exists.*not found/);
    // a repository whose only tag was deleted lists no tags
    await e2e.box.ok(['push', '--plain-http', `${e2e.host}/o13/untagged:gone`, 'data/hello.txt']);
    await e2e.box.ok(['manifest', 'delete', '--plain-http', '--force', `${e2e.host}/o13/untagged:gone`]);
    const none = await e2e.box.run([
      'backup',
      '--plain-http',
      '--output',
      'backup-none',
      `${e2e.host}/o13/untagged`,
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^Error: no tags found/);
    expect(none.stderr).toContain('oras repo tags');
    const one = await e2e.box.ok([
      'backup',
      '--plain-http',
      '--output',
      'backup-c1',
      '--concurrency',
      '1',
      `${repo}:v1`,
    ]);
    expect(one.stdout).toContain('Successfully backed up 1 tag(s)');
  });

  it('restore fails for a missing input, a file that is no tar, a layout without the tag, an unreachable registry', async () => {
    for (const input of ['non-existent-backup', 'non-existent-backup.tar']) {
      const res = await e2e.box.run([
        'restore',
        '--plain-http',
        '--input',
        input,
        `${e2e.host}/o13/restore-none`,
      ]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^Error: .*no such file or directory/);
    }
    await writeFile(join(e2e.box.dir, 'not-tar.txt'), '');
    const notTar = await e2e.box.run([
      'restore',
      '--plain-http',
      '--input',
      'not-tar.txt',
      `${e2e.host}/o13/restore-none`,
    ]);
    expect(notTar.code).toBe(1);
    expect(notTar.stderr).toMatch(/^Error: /);
    await e2e.box.ok(['push', '--oci-layout', 'untagged-backup']);
    const untagged = await e2e.box.run([
      'restore',
      '--plain-http',
      '--input',
      'untagged-backup',
      `${e2e.host}/o13/restore-none`,
    ]);
    expect(untagged.code).toBe(1);
    expect(untagged.stderr).toMatch(/^Error: no tags found/);
    expect(untagged.stderr).toContain('oras repo tags --oci-layout');
    const noTag = await e2e.box.run([
      'restore',
      '--plain-http',
      '--input',
      'restore-backup',
      `${e2e.host}/o13/restore-none:non-existent-tag`,
    ]);
    expect(noTag.code).toBe(1);
    expect(noTag.stderr).toMatch(/^Error.*non-existent-tag/);
    const unreachable = await e2e.box.run([
      'restore',
      '--input',
      'restore-backup',
      'non-existent-registry.invalid/o13:v1',
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^Error: /);
    const one = await e2e.box.ok([
      'restore',
      '--plain-http',
      '--input',
      'restore-backup',
      '--concurrency',
      '1',
      `${e2e.host}/o13/restore-c1:v1`,
    ]);
    expect(one.stdout).toContain('Successfully restored 1 tag(s)');
  });

  it("prints oras's words for a dry run and a restore", async () => {
    const dst = `${e2e.host}/o13/restored`;
    const dry = await e2e.box.ok([
      'restore',
      '--plain-http',
      '--input',
      'restore-backup',
      '--exclude-referrers',
      '--dry-run',
      `${dst}:v1`,
    ]);
    expect(dry.stdout).toContain('Dry run: would push tag v1 with 0 referrer(s)\n');
    expect(dry.stdout).toContain(
      `Dry run complete: 1 tag(s) would be restored to "${dst}" (no data pushed)\n`,
    );
    const missing = await e2e.box.run(['manifest', 'fetch', '--plain-http', `${dst}:v1`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error response from registry: .*not found/);
    const done = await e2e.box.ok([
      'restore',
      '--plain-http',
      '--input',
      'restore-backup',
      '--exclude-referrers',
      `${dst}:v1`,
    ]);
    expect(done.stdout).toContain('Pushed tag v1 with 0 referrer(s)\n');
    expect(done.stdout).toMatch(new RegExp(`\\nSuccessfully restored 1 tag\\(s\\) to "${dst}" in `));
  });

  it('finds no tags in an empty or foreign folder, and refuses an empty tar as an invalid layout', async () => {
    await mkdir(join(e2e.box.dir, 'empty-backup'));
    await mkdir(join(e2e.box.dir, 'foreign-backup'));
    await writeFile(join(e2e.box.dir, 'foreign-backup', 'invalid-file.txt'), 'not a valid layout');
    for (const input of ['empty-backup', 'foreign-backup']) {
      const res = await e2e.box.run([
        'restore',
        '--plain-http',
        '--input',
        input,
        `${e2e.host}/o13/restore-none`,
      ]);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(
        `Error: no tags found in OCI layout "${input}"\n` +
          `If you want to list available tags in "${input}", use "oras repo tags --oci-layout"\n`,
      );
    }
    await writeFile(join(e2e.box.dir, 'invalid-backup.tar'), '');
    const tar = await e2e.box.run([
      'restore',
      '--plain-http',
      '--input',
      'invalid-backup.tar',
      `${e2e.host}/o13/restore-none`,
    ]);
    expect(tar.code).toBe(1);
    expect(tar.stderr).toMatch(/^Error: invalid OCI Image Layout: /);
  });
});
