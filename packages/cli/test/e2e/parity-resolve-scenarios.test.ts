/**
 * `--resolve host:port:address:port` (and `cp`'s `--from-resolve`/`--to-resolve`), and the
 * multi-command scenarios, checked case by case against what oras's own e2e suite asserts
 * (`test/e2e/suite/command/resolve_host.go`, `test/e2e/suite/scenario/oci_artifact.go`,
 * `oci_image.go`, `auth.go`), with our own test data on Debian's docker-registry. A made-up host
 * name that only a `--resolve` rule can reach stands for the registry, as in oras's suite.
 * Artifact types are `type/subtype` here, as in oras 1.3's suite: its older `test.attach` and
 * `test-artifact` are refused by the media type check of the oras-go v2 in oras 1.3, and by ours.
 * Difference kept: discover's JSON is oras 1.3's (`referrers`), not the older index (`manifests`)
 * the suite reads.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestLine, sha256, withDistribution } from './fixture.js';
import { expectStatus, type StatusKey, short } from './parity-status.js';

const FOO = 'foo\n';
const BAR = 'bar\n';
const CONFIG = '{"name":"scenario"}\n';
const ATTACHED = 'an attached file\n';
const ATTACH_MEDIA = 'test/attached';
const FILES = {
  'foobar/config.json': CONFIG,
  'foobar/foo1': FOO,
  'foobar/foo2': FOO,
  'foobar/bar': BAR,
  'attached.txt': ATTACHED,
};
const e2e = withDistribution({ files: FILES });

const MOCKED = 'oras.e2e.test';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const UNKNOWN_CONFIG = 'application/vnd.unknown.config.v1+json';
const LAYERS = ['foobar/foo1', 'foobar/foo2', 'foobar/bar'];
const LAYER_KEYS: StatusKey[] = [
  [short(sha256(FOO)), 'foobar/foo1'],
  [short(sha256(FOO)), 'foobar/foo2'],
  [short(sha256(BAR)), 'foobar/bar'],
];
const ATTACH_KEY: StatusKey = [short(sha256(ATTACHED)), 'attached.txt'];

/** The rule that sends `oras.e2e.test:80` to the registry on loopback. */
function rule(): string {
  const port = e2e.host.split(':')[1];
  return `${MOCKED}:80:127.0.0.1:${port}`;
}

/** `--resolve` and plain HTTP for one side (`''`, `from-` or `to-`), as oras's `ResolveFlags`. */
function resolveFlags(side: '' | 'from-' | 'to-' = ''): string[] {
  return [`--${side}resolve`, rule(), `--${side}plain-http`];
}

async function fetchManifest(ref: string): Promise<string> {
  return (await e2e.box.ok(['manifest', 'fetch', '--plain-http', ref])).stdout;
}

describe('--resolve, as oras e2e checks it (resolve_host.go)', () => {
  let source = '';
  let digest = '';
  let imageKeys: StatusKey[] = [];

  beforeAll(async () => {
    source = 'resolve/source';
    const pushed = await e2e.box.ok([
      'push',
      '--plain-http',
      `${e2e.host}/${source}:v1`,
      '--config',
      'foobar/config.json',
      ...LAYERS,
    ]);
    digest = digestLine(pushed.stdout);
    imageKeys = [...LAYER_KEYS, [short(sha256(CONFIG)), UNKNOWN_CONFIG], [short(digest), MANIFEST]];
    for (const type of ['test/sbom', 'test/sig'])
      await e2e.box.ok([
        'attach',
        '--plain-http',
        '--artifact-type',
        type,
        `${e2e.host}/${source}:v1`,
        `attached.txt:${ATTACH_MEDIA}`,
      ]);
  });

  it('fails to reach the made-up host without a rule', async () => {
    const res = await e2e.box.run(['manifest', 'fetch', '--plain-http', `${MOCKED}/${source}:v1`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Error/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('attaches a file to a subject via the rule', async () => {
    const repo = 'resolve/attach';
    await e2e.box.ok([
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/${source}:v1`,
      `${e2e.host}/${repo}:v1`,
    ]);
    const res = await e2e.box.ok([
      'attach',
      '--artifact-type',
      'test/attach',
      `${MOCKED}/${repo}:v1`,
      `attached.txt:${ATTACH_MEDIA}`,
      ...resolveFlags(),
    ]);
    expectStatus(res.stdout, 'push', [ATTACH_KEY]);
    const index = JSON.parse(
      (await e2e.box.ok(['discover', '--plain-http', '--format', 'json', `${e2e.host}/${repo}:v1`])).stdout,
    );
    expect(index.referrers).toHaveLength(1);
  });

  it('pushes a blob from stdin and prints its descriptor with the given media type', async () => {
    const content = 'blob from stdin';
    const blob = sha256(content);
    const res = await e2e.box.ok(
      [
        'blob',
        'push',
        `${MOCKED}/resolve/blob-push@${blob}`,
        '-',
        '--media-type',
        'test.media',
        '--descriptor',
        '--size',
        String(content.length),
        ...resolveFlags(),
      ],
      { stdin: content },
    );
    expect(JSON.parse(res.stdout)).toEqual({ mediaType: 'test.media', digest: blob, size: content.length });
    const fetched = await e2e.box.ok([
      'blob',
      'fetch',
      '--plain-http',
      `${e2e.host}/resolve/blob-push@${blob}`,
      '--output',
      '-',
    ]);
    expect(fetched.stdout).toBe(content);
  });

  it('fetches a blob descriptor', async () => {
    const res = await e2e.box.ok([
      'blob',
      'fetch',
      `${MOCKED}/${source}@${sha256(BAR)}`,
      '--descriptor',
      ...resolveFlags(),
    ]);
    expect(JSON.parse(res.stdout)).toMatchObject({ digest: sha256(BAR), size: BAR.length });
  });

  it('deletes a blob with --force and prints its descriptor; deleting it again says it does not exist', async () => {
    const repo = 'resolve/blob-delete';
    await e2e.box.ok([
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/${source}@${digest}`,
      `${e2e.host}/${repo}@${digest}`,
    ]);
    const res = await e2e.box.ok([
      'blob',
      'delete',
      `${MOCKED}/${repo}@${sha256(BAR)}`,
      '--force',
      '--descriptor',
      ...resolveFlags(),
    ]);
    expect(JSON.parse(res.stdout)).toMatchObject({ digest: sha256(BAR), size: BAR.length });
    const deleted = `${e2e.host}/${repo}@${sha256(BAR)}`;
    const again = await e2e.box.run(['blob', 'delete', '--plain-http', deleted]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error/);
    expect(again.stderr).toContain(deleted);
    expect(again.stderr).toContain('the specified blob does not exist');
  });

  const copies: [string, (dst: string) => string[]][] = [
    ['the source rule (--from-resolve)', () => resolveFlags('from-')],
    ['the destination rule (--to-resolve)', () => resolveFlags('to-')],
    [
      'the base rule (--resolve) for both sides',
      () => ['--resolve', rule(), '--from-plain-http', '--to-plain-http'],
    ],
    [
      'the per-side rules over a wrong base rule',
      () => [...resolveFlags('from-'), ...resolveFlags('to-'), '--resolve', `${MOCKED}:80:127.0.0.2:1`],
    ],
  ];
  for (const [name, flags] of copies)
    it(`copies an image with ${name}`, async () => {
      const dstRepo = `resolve/cp-${copies.findIndex(([n]) => n === name)}`;
      const fromMocked = !name.includes('destination');
      const toMocked = !name.includes('source');
      const src = `${fromMocked ? MOCKED : e2e.host}/${source}:v1`;
      const dst = `${toMocked ? MOCKED : e2e.host}/${dstRepo}:copied`;
      const side = flags(dst);
      const plain = [
        ...(side.includes('--from-plain-http') ? [] : ['--from-plain-http']),
        ...(side.includes('--to-plain-http') ? [] : ['--to-plain-http']),
      ];
      const res = await e2e.box.ok(['cp', src, dst, '-v', ...side, ...plain]);
      expectStatus(res.stdout, 'cp', imageKeys);
      expect(await fetchManifest(`${e2e.host}/${dstRepo}:copied`)).toBe(
        await fetchManifest(`${e2e.host}/${source}:v1`),
      );
    });

  it('mounts within one registry; a second layer with the content of another says Skipped, as oras', async () => {
    const res = await e2e.box.ok([
      'cp',
      '-v',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/${source}:v1`,
      `${e2e.host}/resolve/cp-mount:v1`,
    ]);
    const lines = res.stdout.split('\n');
    expect(lines).toContain(`Mounted ${short(sha256(BAR))} foobar/bar`);
    // one of the two layers of one content is mounted, the other reported Skipped
    const foo = lines.filter((l) => l.includes(short(sha256(FOO)))).map((l) => l.split(/\s+/));
    expect(foo.map(([state]) => state).sort()).toEqual(['Mounted', 'Skipped']);
    expect(foo.map(([, , name]) => name).sort()).toEqual(['foobar/foo1', 'foobar/foo2']);
    expectStatus(res.stdout, 'cp', imageKeys);
  });

  it('discovers the direct referrers of a subject', async () => {
    const res = await e2e.box.ok([
      'discover',
      `${MOCKED}/${source}:v1`,
      '--format',
      'json',
      ...resolveFlags(),
    ]);
    const manifests = JSON.parse(res.stdout).referrers as { artifactType: string }[];
    expect(manifests.map((m) => m.artifactType).sort()).toEqual(['test/sbom', 'test/sig']);
  });

  it('logs in', async () => {
    const res = await e2e.box.ok(['login', MOCKED, '-u', 'any', '-p', 'any', ...resolveFlags()]);
    expect(res.stdout).toContain('Login Succeeded');
    await e2e.box.ok(['logout', MOCKED]);
  });

  it('leaves other hosts alone: fetches a manifest and its config by the real address', async () => {
    const fetched = await e2e.box.ok(['manifest', 'fetch', `${e2e.host}/${source}:v1`, ...resolveFlags()]);
    expect(sha256(fetched.stdout)).toBe(digest);
    const config = await e2e.box.ok([
      'manifest',
      'fetch-config',
      `${e2e.host}/${source}:v1`,
      ...resolveFlags(),
    ]);
    expect(config.stdout).toBe(CONFIG);
  });

  it('deletes a manifest with -f and prints its descriptor', async () => {
    const repo = 'resolve/manifest-delete';
    await e2e.box.ok([
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/${source}:v1`,
      `${e2e.host}/${repo}:to-delete`,
    ]);
    const res = await e2e.box.ok([
      'manifest',
      'delete',
      `${MOCKED}/${repo}:to-delete`,
      '-f',
      '--descriptor',
      ...resolveFlags(),
    ]);
    expect(JSON.parse(res.stdout)).toEqual({ mediaType: MANIFEST, digest, size: expect.any(Number) });
    const tags = await e2e.box.ok(['repo', 'tags', '--plain-http', `${e2e.host}/${repo}`]);
    expect(tags.stdout).not.toContain('to-delete');
  });

  it('pushes a manifest from stdin without a media type flag', async () => {
    const repo = 'resolve/manifest-push';
    await e2e.box.ok([
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/${source}@${digest}`,
      `${e2e.host}/${repo}@${digest}`,
    ]);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: UNKNOWN_CONFIG, digest: sha256(CONFIG), size: CONFIG.length },
      layers: [],
    });
    const ref = `${MOCKED}/${repo}:from-stdin`;
    const res = await e2e.box.ok(['manifest', 'push', ref, '-', ...resolveFlags()], { stdin: manifest });
    expect(res.stdout).toContain(`Pushed [registry] ${ref}`);
    expect(res.stdout).toContain(`Digest: ${sha256(manifest)}`);
    const tags = await e2e.box.ok(['repo', 'tags', '--plain-http', `${e2e.host}/${repo}`]);
    expect(tags.stdout).toContain('from-stdin');
  });

  it('pulls all files of an image, the config under a name', async () => {
    const res = await e2e.box.ok([
      'pull',
      `${MOCKED}/${source}:v1`,
      '-v',
      '--config',
      'test.config',
      '-o',
      'resolve-pulled',
      ...resolveFlags(),
    ]);
    expectStatus(res.stdout, 'pull', [
      ...LAYER_KEYS,
      [short(digest), MANIFEST],
      [short(sha256(CONFIG)), 'test.config'],
    ]);
    expect(await readFile(join(e2e.box.dir, 'resolve-pulled', 'test.config'), 'utf8')).toBe(CONFIG);
    for (const layer of LAYERS)
      expect(await readFile(join(e2e.box.dir, 'resolve-pulled', layer), 'utf8')).toBe(
        FILES[layer as keyof typeof FILES],
      );
  });

  it('pushes files without media types', async () => {
    const res = await e2e.box.ok(['push', `${MOCKED}/resolve/push:v1`, '-v', ...LAYERS, ...resolveFlags()]);
    expectStatus(res.stdout, 'push', LAYER_KEYS);
  });

  it('lists repositories and tags', async () => {
    expect((await e2e.box.ok(['repository', 'list', MOCKED, ...resolveFlags()])).stdout).toContain(source);
    const tags = await e2e.box.ok(['repository', 'show-tags', `${MOCKED}/${source}`, ...resolveFlags()]);
    expect(tags.stdout.split('\n')).toContain('v1');
  });

  it('tags a manifest given by digest', async () => {
    const repo = 'resolve/tag';
    await e2e.box.ok([
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      `${e2e.host}/${source}@${digest}`,
      `${e2e.host}/${repo}@${digest}`,
    ]);
    const res = await e2e.box.ok(['tag', `${MOCKED}/${repo}@${digest}`, 'tag-via-digest', ...resolveFlags()]);
    expect(res.stdout).toContain('tag-via-digest');
    expect((await e2e.box.ok(['repo', 'tags', '--plain-http', `${e2e.host}/${repo}`])).stdout).toContain(
      'tag-via-digest',
    );
  });
});

describe('scenario: OCI artifact users (oci_artifact.go)', () => {
  const ref = () => `${e2e.host}/scenario/oci-artifact:artifact`;

  it('pushes and pulls an artifact; the exported manifest is the one the registry serves', async () => {
    const pushed = await e2e.box.ok([
      'push',
      '--plain-http',
      ref(),
      '--artifact-type',
      'test/artifact',
      ...LAYERS,
      '-v',
      '--export-manifest',
      'artifact-packed.json',
    ]);
    expectStatus(pushed.stdout, 'push', LAYER_KEYS);
    expect(await readFile(join(e2e.box.dir, 'artifact-packed.json'), 'utf8')).toBe(
      await fetchManifest(ref()),
    );
    const pulled = await e2e.box.ok(['pull', '--plain-http', ref(), '-v', '-o', 'artifact-pulled']);
    expectStatus(pulled.stdout, 'pull', LAYER_KEYS);
    for (const layer of LAYERS)
      expect(await readFile(join(e2e.box.dir, 'artifact-pulled', layer), 'utf8')).toBe(
        FILES[layer as keyof typeof FILES],
      );
  });

  it('attaches twice, discovers, fetches and pulls the referrer, and with --include-subject its subject', async () => {
    const attach = async (type: string): Promise<void> => {
      const res = await e2e.box.ok([
        'attach',
        '--plain-http',
        ref(),
        '--artifact-type',
        type,
        `attached.txt:${ATTACH_MEDIA}`,
        '-v',
        '--export-manifest',
        'attach-packed.json',
      ]);
      expectStatus(res.stdout, 'push', [ATTACH_KEY]);
    };
    const discovered = async (extra: string[]): Promise<string> => {
      const res = await e2e.box.ok(['discover', '--plain-http', ref(), '--format', 'json', ...extra]);
      const manifests = JSON.parse(res.stdout).referrers as { digest: string }[];
      expect(manifests).toHaveLength(1);
      return manifests[0]?.digest ?? '';
    };
    const repo = `${e2e.host}/scenario/oci-artifact`;

    await attach('test/artifact1');
    let referrer = await discovered([]);
    let fetched = await fetchManifest(`${repo}@${referrer}`);
    expect(fetched).toContain(ATTACH_MEDIA);
    expect(await readFile(join(e2e.box.dir, 'attach-packed.json'), 'utf8')).toBe(fetched);
    const pulled = await e2e.box.ok([
      'pull',
      '--plain-http',
      `${repo}@${referrer}`,
      '-v',
      '-o',
      'attach-pulled',
    ]);
    expectStatus(pulled.stdout, 'pull', [ATTACH_KEY]);
    expect(await readFile(join(e2e.box.dir, 'attach-pulled', 'attached.txt'), 'utf8')).toBe(ATTACHED);

    await attach('test/artifact2');
    referrer = await discovered(['--artifact-type', 'test/artifact2']);
    fetched = await fetchManifest(`${repo}@${referrer}`);
    expect(fetched).toContain(ATTACH_MEDIA);
    expect(await readFile(join(e2e.box.dir, 'attach-packed.json'), 'utf8')).toBe(fetched);
    const withSubject = await e2e.box.ok([
      'pull',
      '--plain-http',
      `${repo}@${referrer}`,
      '-v',
      '-o',
      'subject-pulled',
      '--include-subject',
    ]);
    expectStatus(withSubject.stdout, 'pull', [...LAYER_KEYS, ATTACH_KEY]);
    for (const [name, content] of [
      ...LAYERS.map((l) => [l, FILES[l as keyof typeof FILES]]),
      ['attached.txt', ATTACHED],
    ])
      expect(await readFile(join(e2e.box.dir, 'subject-pulled', name ?? ''), 'utf8')).toBe(content);
  });
});

describe('scenario: ORAS user pushes and pulls an image (oci_image.go)', () => {
  it('pushes with a config and an exported manifest, fetches the same manifest, pulls the files back', async () => {
    const ref = `${e2e.host}/scenario/oci-image:image`;
    const keys: StatusKey[] = [[short(sha256(CONFIG)), UNKNOWN_CONFIG], ...LAYER_KEYS];
    const pushed = await e2e.box.ok([
      'push',
      '--plain-http',
      ref,
      '--config',
      'foobar/config.json',
      ...LAYERS,
      '-v',
      '--export-manifest',
      'image-packed.json',
    ]);
    expectStatus(pushed.stdout, 'push', keys);
    expect(await fetchManifest(ref)).toBe(await readFile(join(e2e.box.dir, 'image-packed.json'), 'utf8'));
    const pulled = await e2e.box.ok([
      'pull',
      '--plain-http',
      ref,
      '-v',
      '--config',
      'foobar/config.json',
      '-o',
      'image-pulled',
    ]);
    expectStatus(pulled.stdout, 'pull', LAYER_KEYS);
    for (const file of ['foobar/config.json', ...LAYERS])
      expect(await readFile(join(e2e.box.dir, 'image-pulled', file), 'utf8')).toBe(
        FILES[file as keyof typeof FILES],
      );
  });
});

describe('scenario: ORAS user logs in, logs out, and is then refused (auth.go)', () => {
  const secured = withDistribution({ mode: 'basic-tls' });

  it('logs in with -p (and a warning), logs out, then every command needs a credential', async () => {
    const tls = ['--ca-file', secured.registry.caFile ?? ''];
    const config = ['--registry-config', 'scenario-auth.config'];
    const host = secured.host;
    const login = await secured.box.ok([
      'login',
      host,
      '-u',
      'oras',
      '-p',
      secured.registry.users?.oras ?? '',
      ...tls,
      ...config,
    ]);
    expect(login.stdout).toBe('Login Succeeded\n');
    for (const word of ['WARNING', 'Using --password via the CLI is insecure', 'Use --password-stdin'])
      expect(login.stderr).toContain(word);
    await secured.box.ok(['logout', host, ...config]);
    for (const args of [
      ['attach', `${host}/repo:tag`, '-a', 'test=true', '--artifact-type', 'doc/example', ...tls],
      [
        'cp',
        `${host}/repo:from`,
        `${host}/repo:to`,
        '--from-ca-file',
        tls[1] ?? '',
        '--to-ca-file',
        tls[1] ?? '',
      ],
      ['discover', `${host}/repo:tag`, ...tls],
      ['push', '-a', 'key=value', `${host}/repo:tag`, ...tls],
      ['pull', `${host}/repo:tag`, ...tls],
      ['manifest', 'fetch', `${host}/repo:tag`, ...tls],
    ]) {
      const cpConfig =
        args[0] === 'cp'
          ? ['--from-registry-config', config[1] ?? '', '--to-registry-config', config[1] ?? '']
          : config;
      const res = await secured.box.run([...args, ...cpConfig]);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stderr, args.join(' ')).toMatch(/^Error/);
      expect(res.stderr, args.join(' ')).toContain('credential not found');
    }
  });
});
