/**
 * `oras push` and `oras pull` checked case by case against what oras's own e2e suite asserts for
 * them (`test/e2e/suite/command/push.go`, `pull.go`): status keywords per blob, manifest fields,
 * exit codes and error texts, with our own test data on Debian's docker-registry.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256, withDistribution } from './fixture.js';
import { expectStatus, expectUsageError, short } from './parity-status.js';

const HELLO = 'hello parity\n';
const CONFIG = '{"parity":true}\n';
const ANNOTATIONS = JSON.stringify({
  $manifest: { hi: 'manifest' },
  $config: { hello: 'config' },
  'data/hello.txt': { foo: 'bar' },
});

const e2e = withDistribution({
  files: {
    'data/hello.txt': HELLO,
    'data/config.json': CONFIG,
    'data/annotations.json': ANNOTATIONS,
  },
});

const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2, data: 'e30=' };
const EMPTY_CONFIG_KEY = [short(EMPTY.digest), EMPTY.mediaType] as const;
const HELLO_KEY = [short(sha256(HELLO)), 'data/hello.txt'] as const;
const LAYER = 'application/vnd.oci.image.layer.v1.tar';

function layer(mediaType = LAYER, title = 'data/hello.txt') {
  return {
    mediaType,
    digest: sha256(HELLO),
    size: Buffer.byteLength(HELLO),
    annotations: { 'org.opencontainers.image.title': title },
  };
}

interface Manifest {
  artifactType?: string;
  config: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> };
  layers: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[];
  annotations?: Record<string, string>;
}

async function fetchManifest(ref: string, layout = false): Promise<Manifest> {
  const flags = layout ? ['--oci-layout'] : ['--plain-http'];
  return JSON.parse((await e2e.box.ok(['manifest', 'fetch', ...flags, ref])).stdout) as Manifest;
}

describe('oras push, as oras e2e checks it', () => {
  it('fails without arguments with the usage line and the -h hint', async () => {
    expectUsageError(await e2e.box.run(['push']), 'push');
  });

  it('fails on an invalid reference, saying what form it must have', async () => {
    const res = await e2e.box.run(['push', '/oras']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error: /);
    expect(res.stderr).toContain('"/oras"');
    expect(res.stderr).toContain('invalid reference');
    expect(res.stderr).toContain(
      'Please make sure the provided reference is in the form of <registry>/<repo>',
    );
  });

  it('names a missing file by its absolute path', async () => {
    const res = await e2e.box.run(['push', '--plain-http', `${e2e.host}/parity/push:nf`, 'file/not/found']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(join(e2e.box.dir, 'file/not/found'));
    expect(res.stderr).toContain('no such file or directory');
  });

  it('refuses --config with --artifact-type for image-spec v1.0, and an unknown --image-spec', async () => {
    const both = await e2e.box.run([
      'push',
      '--plain-http',
      `${e2e.host}/parity/push:v10`,
      '--config',
      'data/config.json',
      '--artifact-type',
      'test/artifact+json',
      '--image-spec',
      'v1.0',
      'data/hello.txt',
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^Error: /);
    const spec = await e2e.box.run([
      'push',
      '--plain-http',
      `${e2e.host}/parity/push:x`,
      '--image-spec',
      '???',
    ]);
    expect(spec.code).toBe(1);
    expect(spec.stderr).toMatch(/^Error: .*\?\?\?/);
    expect(spec.stderr).toContain('Available options: v1.1, v1.0');
  });

  it('checks --artifact-type and the config media type as oras-go does, before uploading anything', async () => {
    // the e2e values oras's suite uses (test/artifact+json, test/attach ...) and what the
    // image-spec schema pattern also lets in (a/b/c, a:b/c) are accepted; the suite's older
    // `test.attach`, a space or parameters are refused, with oras-go's message
    for (const type of ['test/artifact+json', 'test/attach', 'a/b/c', 'a:b/c']) {
      const ref = `${e2e.host}/parity/push:type`;
      await e2e.box.ok(['push', '--plain-http', ref, 'data/hello.txt', '--artifact-type', type]);
      expect((await fetchManifest(ref)).artifactType).toBe(type);
    }
    const repo = `${e2e.host}/parity/push-refused`;
    const cases: [string[], string][] = [
      [['--artifact-type', 'test.attach'], 'invalid artifactType format: test.attach: invalid media type'],
      [['--artifact-type', 'x/y z'], 'invalid artifactType format: x/y z: invalid media type'],
      [
        ['--artifact-type', 'test-artifact', '--image-spec', 'v1.0'],
        'invalid artifactType format: test-artifact: invalid media type',
      ],
      [
        ['--config', 'data/config.json:notatype', '--artifact-type', 'x/y'],
        'invalid config mediaType format: notatype: invalid media type',
      ],
    ];
    for (const [flags, message] of cases) {
      const res = await e2e.box.run(['push', '--plain-http', `${repo}:v1`, 'data/hello.txt', ...flags]);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`Error: ${message}\n`);
      expect(res.stdout).not.toContain('Upload');
    }
    const blob = await e2e.box.run([
      'blob',
      'fetch',
      '--plain-http',
      '--descriptor',
      `${repo}@${sha256(HELLO)}`,
    ]);
    expect(blob.code).toBe(1);
  });

  it('pushes a file: Uploaded or Exists for the layer and the empty config, the layer in the manifest', async () => {
    const ref = `${e2e.host}/parity/push:plain`;
    const res = await e2e.box.ok(['push', '--plain-http', ref, 'data/hello.txt', '-v']);
    expectStatus(res.stdout, 'push', [HELLO_KEY, EMPTY_CONFIG_KEY]);
    const manifest = await fetchManifest(ref);
    expect(manifest.layers).toContainEqual(layer());
    expect(manifest.artifactType).toBe('application/vnd.unknown.artifact.v1');
    expect(manifest.config).toEqual(EMPTY);
    // the same again: every blob is there already
    const again = await e2e.box.ok(['push', '--plain-http', ref, 'data/hello.txt', '-v']);
    expect(again.stdout).toContain(`Exists    ${HELLO_KEY[0]} data/hello.txt\n`);
  });

  it('checks absolute paths unless --disable-path-validation, which keeps the path as the title', async () => {
    const ref = `${e2e.host}/parity/push:abs`;
    const abs = join(e2e.box.dir, 'data/hello.txt');
    const refused = await e2e.box.run(['push', '--plain-http', ref, abs, '-v']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--disable-path-validation');
    await e2e.box.ok(['push', '--plain-http', ref, abs, '-v', '--disable-path-validation']);
    expect((await fetchManifest(ref)).layers).toContainEqual(layer(LAYER, abs));
  });

  it('pushes under several tags, a layer media type, and exports the manifest it pushed', async () => {
    const ref = `${e2e.host}/parity/push:e2e`;
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      `${ref},2e2`,
      'data/hello.txt:layer/type',
      '-v',
      '--export-manifest',
      'packed.json',
    ]);
    expectStatus(res.stdout, 'push', [HELLO_KEY, EMPTY_CONFIG_KEY]);
    for (const tag of ['e2e', '2e2']) {
      expect((await fetchManifest(`${e2e.host}/parity/push:${tag}`)).layers).toContainEqual(
        layer('layer/type'),
      );
    }
    const fetched = (await e2e.box.ok(['manifest', 'fetch', '--plain-http', ref])).stdout;
    expect(await readFile(join(e2e.box.dir, 'packed.json'), 'utf8')).toBe(fetched);
  });

  it('pushes a config file, named by its media type in the status lines', async () => {
    const configDigest = sha256(CONFIG);
    const plain = `${e2e.host}/parity/push:config`;
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      plain,
      '--config',
      'data/config.json',
      'data/hello.txt',
      '-v',
    ]);
    expectStatus(res.stdout, 'push', [
      [short(configDigest), 'application/vnd.unknown.config.v1+json'],
      HELLO_KEY,
    ]);
    expect((await fetchManifest(plain)).config).toEqual({
      mediaType: 'application/vnd.unknown.config.v1+json',
      digest: configDigest,
      size: Buffer.byteLength(CONFIG),
    });
    const typed = `${e2e.host}/parity/push:config-type`;
    const withType = await e2e.box.ok([
      'push',
      '--plain-http',
      typed,
      '--config',
      'data/config.json:config/type',
      'data/hello.txt',
      '-v',
    ]);
    expectStatus(withType.stdout, 'push', [[short(configDigest), 'config/type'], HELLO_KEY]);
    const manifest = await fetchManifest(typed);
    expect(manifest.config).toEqual({
      mediaType: 'config/type',
      digest: configDigest,
      size: Buffer.byteLength(CONFIG),
    });
    // a config and no --artifact-type: no artifactType in the manifest
    expect(manifest.artifactType).toBeUndefined();
    const both = `${e2e.host}/parity/push:config-and-type`;
    await e2e.box.ok([
      'push',
      '--plain-http',
      both,
      '--artifact-type',
      'test/artifact+json',
      '--config',
      'data/config.json:test/config+json',
      'data/hello.txt',
    ]);
    const bothManifest = await fetchManifest(both);
    expect(bothManifest.artifactType).toBe('test/artifact+json');
    expect(bothManifest.config.mediaType).toBe('test/config+json');
  });

  it('puts --annotation on the manifest and an annotation file on the manifest, config and layers', async () => {
    const annotated = `${e2e.host}/parity/push:annotated`;
    await e2e.box.ok([
      'push',
      '--plain-http',
      annotated,
      'data/hello.txt',
      '--annotation',
      'image-anno-key=image-anno-value',
    ]);
    expect((await fetchManifest(annotated)).annotations?.['image-anno-key']).toBe('image-anno-value');
    const fromFile = `${e2e.host}/parity/push:annotation-file`;
    await e2e.box.ok([
      'push',
      '--plain-http',
      fromFile,
      'data/hello.txt',
      '--annotation-file',
      'data/annotations.json',
      '--config',
      'data/config.json',
    ]);
    const manifest = await fetchManifest(fromFile);
    expect(manifest.annotations?.hi).toBe('manifest');
    expect(manifest.config.annotations?.hello).toBe('config');
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0]?.annotations?.foo).toBe('bar');
  });

  it('pushes an artifact without files: the empty layer and config, its type and annotations', async () => {
    const ref = `${e2e.host}/parity/push:no-layer`;
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      ref,
      '-a',
      'key=value',
      '-v',
      '--artifact-type',
      'test/artifact+json',
    ]);
    expectStatus(res.stdout, 'push', [EMPTY_CONFIG_KEY]);
    const manifest = await fetchManifest(ref);
    expect(manifest.artifactType).toBe('test/artifact+json');
    expect(manifest.layers).toEqual([EMPTY]);
    expect(manifest.config).toEqual(EMPTY);
    expect(manifest.annotations?.key).toBe('value');
  });

  it('prints the reference through --format go-template, and JSON with reference and artifactType', async () => {
    const repo = `${e2e.host}/parity/push`;
    const templated = await e2e.box.ok([
      'push',
      '--plain-http',
      `${repo}:format`,
      '-a',
      'key=value',
      '--format',
      'go-template={{.reference}}',
    ]);
    expect(templated.stdout).toMatch(new RegExp(`^${repo}@sha256:[0-9a-f]{64}$`));
    const manifest = await fetchManifest(templated.stdout);
    expect(manifest.layers).toEqual([EMPTY]);
    expect(manifest.annotations?.key).toBe('value');
    const json = await e2e.box.ok([
      'push',
      '--plain-http',
      `${repo}:json`,
      '-a',
      'key=value',
      '--format',
      'json',
      '--artifact-type',
      'test/artifact+json',
    ]);
    const out = JSON.parse(json.stdout) as {
      reference: string;
      artifactType: string;
      referenceAsTags: string[];
    };
    expect(out.reference.startsWith(`${repo}@sha256:`)).toBe(true);
    expect(out.artifactType).toBe('test/artifact+json');
    expect(out.referenceAsTags).toEqual([`${repo}:json`]);
  });

  it('pushes to an OCI layout with the same status lines, tags, media types and exported manifest', async () => {
    const res = await e2e.box.ok([
      'push',
      '--oci-layout',
      'push-layout:e2e,2e2',
      'data/hello.txt:layer.type',
      '-v',
      '--export-manifest',
      'layout-packed.json',
    ]);
    expectStatus(res.stdout, 'push', [HELLO_KEY, EMPTY_CONFIG_KEY]);
    for (const tag of ['e2e', '2e2']) {
      expect((await fetchManifest(`push-layout:${tag}`, true)).layers).toContainEqual(layer('layer.type'));
    }
    const fetched = (await e2e.box.ok(['manifest', 'fetch', '--oci-layout', 'push-layout:e2e'])).stdout;
    expect(await readFile(join(e2e.box.dir, 'layout-packed.json'), 'utf8')).toBe(fetched);
  });
});

describe('oras pull, as oras e2e checks it', () => {
  const hint = (ref: string) =>
    'Skipped pulling layers without file name in "org.opencontainers.image.title"\n' +
    `Use 'oras copy ${ref} --to-oci-layout <layout-dir>' to pull all layers.\n`;

  it('fails without arguments with the usage line and the -h hint', async () => {
    expectUsageError(await e2e.box.run(['pull']), 'pull');
  });

  it('fails with the registry error prefix for a missing tag, and with Error: for a layout', async () => {
    const missing = await e2e.box.run([
      'pull',
      '--plain-http',
      `${e2e.host}/parity/push:i-dont-think-this-tag-exists`,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error response from registry: /);
    await e2e.box.ok(['push', '--oci-layout', 'pull-layout:v1', 'data/hello.txt']);
    const layout = await e2e.box.run(['pull', '--oci-layout', 'pull-layout:i-dont-think-this-tag-exists']);
    expect(layout.code).toBe(1);
    expect(layout.stderr).toMatch(/^Error: /);
  });

  it('pulls every file and the config, with Downloaded for the layer, the config and the manifest', async () => {
    const ref = `${e2e.host}/parity/pull:v1`;
    const pushed = await e2e.box.ok([
      'push',
      '--plain-http',
      ref,
      '--config',
      'data/config.json',
      'data/hello.txt',
    ]);
    const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(pushed.stdout)?.[1] ?? '';
    const res = await e2e.box.ok([
      'pull',
      '--plain-http',
      ref,
      '-v',
      '--config',
      'test.config',
      '-o',
      'pulled',
    ]);
    expectStatus(res.stdout, 'pull', [
      HELLO_KEY,
      [short(digest), 'application/vnd.oci.image.manifest.v1+json'],
      [short(sha256(CONFIG)), 'test.config'],
    ]);
    expect(await readFile(join(e2e.box.dir, 'pulled', 'test.config'), 'utf8')).toBe(CONFIG);
    expect(await readFile(join(e2e.box.dir, 'pulled', 'data', 'hello.txt'), 'utf8')).toBe(HELLO);
    const kept = await e2e.box.run(['pull', '--plain-http', ref, '-v', '-o', 'pulled', '--keep-old-files']);
    expect(kept.code).toBe(1);
  });

  it('skips the config when its media type does not match --config', async () => {
    const ref = `${e2e.host}/parity/pull:v1`;
    const res = await e2e.box.ok([
      'pull',
      '--plain-http',
      ref,
      '-v',
      '--config',
      'test.config:???',
      '-o',
      'skipped',
    ]);
    expectStatus(res.stdout, 'pull', [HELLO_KEY]);
    await expect(readFile(join(e2e.box.dir, 'skipped', 'test.config'))).rejects.toThrow();
    expect(await readFile(join(e2e.box.dir, 'skipped', 'data', 'hello.txt'), 'utf8')).toBe(HELLO);
  });

  it('hints at oras copy for unnamed layers, but not for an unnamed config or the empty layer', async () => {
    const unnamed = `${e2e.host}/parity/unnamed:v1`;
    const blob = await e2e.box.ok([
      'blob',
      'push',
      '--plain-http',
      '--descriptor',
      `${e2e.host}/parity/unnamed`,
      'data/hello.txt',
    ]);
    await e2e.box.ok(['blob', 'push', '--plain-http', `${e2e.host}/parity/unnamed`, '-', '--size', '2'], {
      stdin: '{}',
    });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'test/unnamed',
      config: EMPTY,
      layers: [JSON.parse(blob.stdout)],
    });
    await e2e.box.ok(['manifest', 'push', '--plain-http', unnamed, '-'], { stdin: manifest });
    const res = await e2e.box.ok(['pull', '--plain-http', unnamed], { cwd: join(e2e.box.dir, 'data') });
    expect(res.stdout.endsWith(hint(unnamed))).toBe(true);

    const named = `${e2e.host}/parity/pull:v1`;
    expect((await e2e.box.ok(['pull', '--plain-http', named, '-o', 'named'])).stdout).not.toContain(
      'Skipped pulling',
    );
    const empty = `${e2e.host}/parity/push:no-layer`;
    expect((await e2e.box.ok(['pull', '--plain-http', empty, '-o', 'empty'])).stdout).not.toContain(
      'Skipped pulling',
    );
  });

  it('pulls the subject of a referrer with --include-subject', async () => {
    const subject = `${e2e.host}/parity/pull:v1`;
    const attached = await e2e.box.ok([
      'attach',
      '--plain-http',
      '--artifact-type',
      'test/sig',
      subject,
      'data/config.json',
      '--format',
      'go-template={{.digest}}',
    ]);
    const res = await e2e.box.ok([
      'pull',
      '--plain-http',
      `${e2e.host}/parity/pull@${attached.stdout}`,
      '-v',
      '--include-subject',
      '-o',
      'with-subject',
    ]);
    expectStatus(res.stdout, 'pull', [HELLO_KEY, [short(sha256(CONFIG)), 'data/config.json']]);
    expect(await readFile(join(e2e.box.dir, 'with-subject', 'data', 'hello.txt'), 'utf8')).toBe(HELLO);
  });

  it('pulls from an OCI layout with the same status lines', async () => {
    await e2e.box.ok([
      'push',
      '--oci-layout',
      'pull-layout2:v1',
      '--config',
      'data/config.json',
      'data/hello.txt',
    ]);
    const res = await e2e.box.ok([
      'pull',
      '--oci-layout',
      'pull-layout2:v1',
      '-v',
      '--config',
      'test.config',
      '-o',
      'from-layout',
    ]);
    expectStatus(res.stdout, 'pull', [HELLO_KEY, [short(sha256(CONFIG)), 'test.config']]);
    expect(await readFile(join(e2e.box.dir, 'from-layout', 'test.config'), 'utf8')).toBe(CONFIG);
  });
});
