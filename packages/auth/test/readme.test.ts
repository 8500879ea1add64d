/** Runs the README's example against the real registry in token mode. */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthClient, staticCredential } from '../src/index.js';

type ListTags = (
  registry: string,
  repository: string,
  username: string,
  password: string,
  configPath: string,
) => Promise<unknown>;

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('README example', () => {
  let registry: Distribution;
  let dir: string;
  let dockerConfig: string;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  beforeAll(async () => {
    registry = await startDistribution({ mode: 'token' });
    dir = await mkdtemp(join(tmpdir(), 'oras-auth-readme-'));
    // Where the user's own config would be: the example must leave it alone.
    dockerConfig = join(dir, 'docker-config');
    await mkdir(dockerConfig);
    process.env.DOCKER_CONFIG = dockerConfig;
  });
  afterAll(async () => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs in, stores the credential in the config file it is given, and lists tags', async () => {
    const password = registry.users?.oras ?? '';
    // Tag an empty-config manifest so there is something to list.
    const pusher = new AuthClient({
      credential: staticCredential(registry.host, { username: 'oras', password }),
    });
    const scopes = ['repository:readme/app:pull,push'];
    const config = '{}';
    const configDigest = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
    const start = await pusher.request({
      method: 'POST',
      url: `${registry.url}/v2/readme/app/blobs/uploads/`,
      scopes,
    });
    await start.body.dump();
    const location = new URL(String(start.headers.location), registry.url);
    location.searchParams.set('digest', configDigest);
    const blob = await pusher.request({
      method: 'PUT',
      url: location,
      headers: { 'content-type': 'application/octet-stream' },
      body: config,
      scopes,
    });
    await blob.body.dump();
    expect(blob.statusCode).toBe(201);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: 2 },
      layers: [],
    });
    const put = await pusher.request({
      method: 'PUT',
      url: `${registry.url}/v2/readme/app/manifests/v1`,
      headers: { 'content-type': MANIFEST },
      body: manifest,
      scopes,
    });
    await put.body.dump();
    expect(put.statusCode).toBe(201);

    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const file = join(dir, 'readme-example.ts');
    await writeFile(file, code ?? '');
    const { listTags } = (await import(/* @vite-ignore */ file)) as { listTags: ListTags };

    const configPath = join(dir, 'example-config.json');
    expect(await listTags(registry.url, 'readme/app', 'oras', password, configPath)).toEqual({
      name: 'readme/app',
      tags: ['v1'],
    });
    const stored = JSON.parse(await readFile(configPath, 'utf8')) as {
      auths: Record<string, unknown>;
    };
    expect(Object.keys(stored.auths)).toEqual([registry.host]);
    expect(await readdir(dockerConfig)).toEqual([]);
  });
});
