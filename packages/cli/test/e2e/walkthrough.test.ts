/**
 * The walkthrough of the oras v0.9 README ("Pushing Artifacts" and "Pulling Artifacts"), command
 * for command as it is written there, through the built `oras` in a shell, against Debian's
 * `docker-registry` on a `localhost:<port>` address (plain HTTP, the default for localhost). The
 * manifest the README prints is checked field for field: everything but the folder layer's bytes,
 * which depend on the tar writer (file times, owners), so for that layer the test checks that its
 * digest, size and `io.deis.oras.content.digest` are those of its bytes and that it holds the
 * README's files.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type OrasRun, sh, sha256, withDistribution } from './fixture.js';

/** The manifest the README shows after "Push multiple files with different mediaTypes". */
const README_MANIFEST = {
  schemaVersion: 2,
  config: {
    mediaType: 'application/vnd.acme.rocket.config.v1+json',
    digest: 'sha256:7aa5d0dee9a3a73c81db4356cf7aa5666e175d96e68ee763eeb977bd7ba59ee5',
    size: 20,
  },
  layers: [
    {
      mediaType: 'text/plain',
      digest: 'sha256:a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447',
      size: 12,
      annotations: {
        'org.opencontainers.image.title': 'artifact.txt',
      },
    },
    {
      mediaType: 'application/vnd.acme.rocket.docs.layer.v1+tar',
      digest: 'sha256:20ae7d51e2365405e6942439140d897548e1d4610db60354aef8a5ce1f1699a7',
      size: 196,
      annotations: {
        'io.deis.oras.content.digest':
          'sha256:4329ea6c620ca4e9cedc5f5e8040432114cb5d64fc53107ea870db149e3d2b9e',
        'io.deis.oras.content.unpack': 'true',
        'org.opencontainers.image.title': 'docs',
      },
    },
  ],
} as const;

const HELLO = 'sha256:a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447';
const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const e2e = withDistribution();

/** `localhost:<port>`, standing for the README's `localhost:5000`. */
const localhost = () => `localhost:${e2e.registry.port}`;

/**
 * Runs a block of the README in `sh` in the sandbox, `oras` being the built CLI and
 * `localhost:5000` the test registry; fails with its output unless it exits 0.
 */
async function readme(block: string): Promise<OrasRun> {
  const script = `oras() { $ORAS "$@"; }\nset -e\n${block.replaceAll('localhost:5000', localhost())}`;
  const { dir, dockerConfig } = e2e.box;
  const res = await sh(script, { cwd: dir, home: dir, dockerConfig });
  if (res.code !== 0) {
    throw new Error(`${block}\nexited ${res.code}\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`);
  }
  return res;
}

/** What the registry holds: a manifest by tag, a blob by digest (read straight over HTTP). */
async function manifest(tag: string): Promise<Record<string, unknown> & typeof README_MANIFEST> {
  const res = await fetch(`http://127.0.0.1:${e2e.registry.port}/v2/hello-artifact/manifests/${tag}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown> & typeof README_MANIFEST;
}

async function blob(digest: string): Promise<Buffer> {
  const res = await fetch(`http://127.0.0.1:${e2e.registry.port}/v2/hello-artifact/blobs/${digest}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** The fields oras 1.x writes beyond those of the v0.9 README: the media type and `created`. */
function expectOnlyNewerFields(m: Record<string, unknown>): void {
  expect(Object.keys(m).sort()).toEqual(['annotations', 'config', 'layers', 'mediaType', 'schemaVersion']);
  expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  expect(Object.keys(m.annotations as object)).toEqual(['org.opencontainers.image.created']);
}

describe('the oras v0.9 README walkthrough, as written', () => {
  it('pushes a file with a null config (`--manifest-config /dev/null:...`), titled by its cleaned path', async () => {
    const res = await readme(`echo "hello world" > artifact.txt
oras push localhost:5000/hello-artifact:v1 \\
--manifest-config /dev/null:application/vnd.acme.rocket.config \\
./artifact.txt`);
    expect(res.stdout).toContain(`Uploaded  ${HELLO.slice(7, 19)} artifact.txt\n`);
    expect(res.stdout).not.toContain('./artifact.txt');
    expect(res.stdout).toContain(`Pushed [registry] ${localhost()}/hello-artifact:v1\n`);
    const m = await manifest('v1');
    expectOnlyNewerFields(m);
    expect(m.config).toEqual({ mediaType: 'application/vnd.acme.rocket.config', digest: EMPTY, size: 0 });
    expect(m.layers).toEqual([
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: HELLO,
        size: 12,
        annotations: { 'org.opencontainers.image.title': 'artifact.txt' },
      },
    ]);
  });

  it('pulls the file back', async () => {
    const res = await readme(`rm -f artifact.txt # first delete the file
oras pull localhost:5000/hello-artifact:v1
cat artifact.txt  # should print "hello world"`);
    expect(res.stdout.endsWith('hello world\n')).toBe(true);
  });

  it('pushes the file with a layer media type (`filename[:type]`)', async () => {
    await readme(`oras push localhost:5000/hello-artifact:v2 \\
--manifest-config /dev/null:application/vnd.acme.rocket.config \\
  artifact.txt:text/plain`);
    const m = await manifest('v2');
    expect(m.layers).toEqual([README_MANIFEST.layers[0]]);
  });

  it('pushes the file with a config file', async () => {
    await readme(`echo "{\\"name\\":\\"foo\\",\\"value\\":\\"bar\\"}" > config.json
oras push localhost:5000/hello-artifact:v2 \\
--manifest-config config.json:application/vnd.acme.rocket.config.v1+json \\
  artifact.txt:text/plain`);
    const m = await manifest('v2');
    expect(m.config).toEqual({
      mediaType: 'application/vnd.acme.rocket.config.v1+json',
      digest: sha256('{"name":"foo","value":"bar"}\n'),
      size: 29,
    });
    expect(m.layers).toEqual([README_MANIFEST.layers[0]]);
  });

  it('pushes a file and a folder with their own media types, making the manifest the README shows', async () => {
    const res = await readme(`mkdir docs
echo "Docs on this artifact" > ./docs/readme.md
echo "More content for this artifact" > ./docs/readme2.md
echo "{\\"doc\\":\\"readme.md\\"}" > config.json
oras push localhost:5000/hello-artifact:v2 \\
  --manifest-config config.json:application/vnd.acme.rocket.config.v1+json \\
  artifact.txt:text/plain \\
  ./docs/:application/vnd.acme.rocket.docs.layer.v1+tar`);
    expect(res.stdout).toMatch(/^Uploaded {2}[0-9a-f]{12} docs$/m);
    expect(res.stdout).not.toContain('./docs/');

    const m = await manifest('v2');
    expectOnlyNewerFields(m);
    expect(m.schemaVersion).toBe(README_MANIFEST.schemaVersion);
    expect(m.config).toEqual(README_MANIFEST.config);
    expect(m.layers).toHaveLength(2);
    expect(m.layers[0]).toEqual(README_MANIFEST.layers[0]);

    // the folder: everything the README shows but what depends on the tar writer's bytes
    const [, docs] = m.layers;
    const expected = README_MANIFEST.layers[1];
    expect(docs?.mediaType).toBe(expected.mediaType);
    expect(Object.keys(docs?.annotations ?? {}).sort()).toEqual(Object.keys(expected.annotations).sort());
    expect(docs?.annotations['org.opencontainers.image.title']).toBe('docs');
    expect(docs?.annotations['io.deis.oras.content.unpack']).toBe('true');
    const gz = await blob(docs?.digest ?? '');
    expect(sha256(gz)).toBe(docs?.digest);
    expect(gz.length).toBe(docs?.size);
    const tar = gunzipSync(gz);
    expect(docs?.annotations['io.deis.oras.content.digest']).toBe(sha256(tar));
    const tarFile = join(e2e.box.dir, 'docs-layer.tar');
    await writeFile(tarFile, tar);
    const { stdout } = await promisify(execFile)('tar', ['-tf', tarFile]);
    // entries named as oras-go names them: the folder itself without a trailing slash
    expect(stdout.trim().split('\n').sort()).toEqual(['docs', 'docs/readme.md', 'docs/readme2.md']);
  });

  it('pulls the artifact (`oras pull ... -a`) where it was pushed from, and into an empty folder', async () => {
    await readme('oras pull localhost:5000/hello-artifact:v2 -a');
    expect(await readFile(join(e2e.box.dir, 'docs', 'readme2.md'), 'utf8')).toBe(
      'More content for this artifact\n',
    );
    await readme(`mkdir out && cd out
oras pull localhost:5000/hello-artifact:v2 -a`);
    const out = join(e2e.box.dir, 'out');
    expect(await readFile(join(out, 'artifact.txt'), 'utf8')).toBe('hello world\n');
    expect(await readFile(join(out, 'docs', 'readme.md'), 'utf8')).toBe('Docs on this artifact\n');
    expect(await readFile(join(out, 'docs', 'readme2.md'), 'utf8')).toBe('More content for this artifact\n');
  });
});
