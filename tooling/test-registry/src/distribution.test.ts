import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistribution } from './distribution.js';
import type { Distribution } from './distribution.js';
import { type Endpoint, http, imageManifest, pushBlob, sha256 } from './test-support/http.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** Pushes a small image by tag with plain HTTP requests, pulls it back, and deletes it. */
async function pushPullDelete(ep: Endpoint, repo: string): Promise<void> {
  const config = `{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"n":${Math.random()}}`;
  const layer = `layer of ${repo} ${Math.random()}`;
  const configDigest = await pushBlob(ep, repo, config);
  const layerDigest = await pushBlob(ep, repo, layer);
  const manifest = imageManifest({ digest: configDigest, size: config.length }, [
    { digest: layerDigest, size: layer.length },
  ]);
  const put = await http(`${ep.url}/v2/${repo}/manifests/v1`, {
    method: 'PUT',
    headers: { ...ep.headers, 'content-type': MANIFEST },
    body: manifest,
    ca: ep.ca,
  });
  expect(put.status, put.text).toBe(201);
  expect(put.headers['docker-content-digest']).toBe(sha256(manifest));

  const got = await http(`${ep.url}/v2/${repo}/manifests/v1`, {
    headers: { ...ep.headers, accept: MANIFEST },
    ca: ep.ca,
  });
  expect(got.status).toBe(200);
  expect(got.headers['content-type']).toBe(MANIFEST);
  expect(got.text).toBe(manifest);

  const blob = await http(`${ep.url}/v2/${repo}/blobs/${layerDigest}`, {
    headers: { ...ep.headers },
    ca: ep.ca,
  });
  expect(blob.status).toBe(200);
  expect(blob.text).toBe(layer);

  const tags = await http(`${ep.url}/v2/${repo}/tags/list`, { headers: { ...ep.headers }, ca: ep.ca });
  expect(JSON.parse(tags.text)).toEqual({ name: repo, tags: ['v1'] });

  const del = await http(`${ep.url}/v2/${repo}/manifests/${sha256(manifest)}`, {
    method: 'DELETE',
    headers: { ...ep.headers },
    ca: ep.ca,
  });
  expect(del.status).toBe(202);
  const gone = await http(`${ep.url}/v2/${repo}/manifests/${sha256(manifest)}`, {
    headers: { ...ep.headers, accept: MANIFEST },
    ca: ep.ca,
  });
  expect(gone.status).toBe(404);
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('startDistribution plain', () => {
  let registry: Distribution;
  beforeAll(async () => {
    registry = await startDistribution({ mode: 'plain' });
  });
  afterAll(() => registry?.stop());

  it('accepts a push and a pull without auth, and deletes', async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await pushPullDelete({ url: registry.url }, 'plain/app');
  });
});

describe('startDistribution basic-tls', () => {
  let registry: Distribution;
  beforeAll(async () => {
    registry = await startDistribution({ mode: 'basic-tls' });
  });
  afterAll(() => registry?.stop());

  it('serves https with a certificate from the run CA and accepts a push and pull with basic auth', async () => {
    expect(registry.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { oras } = registry.users as { oras: string };
    await pushPullDelete(
      { url: registry.url, ca: registry.caPem, headers: { authorization: basic('oras', oras) } },
      'secure/app',
    );
  });

  it('challenges for basic auth and refuses a wrong password', async () => {
    const anonymous = await http(`${registry.url}/v2/`, { ca: registry.caPem });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm=/);
    const wrong = await http(`${registry.url}/v2/`, {
      ca: registry.caPem,
      headers: { authorization: basic('oras', 'not-the-password') },
    });
    expect(wrong.status).toBe(401);
  });

  it('is not trusted without the run CA', async () => {
    await expect(http(`${registry.url}/v2/`)).rejects.toThrow(/certificate/i);
  });
});

describe('startDistribution token', () => {
  let registry: Distribution;
  beforeAll(async () => {
    registry = await startDistribution({ mode: 'token', token: { expiresIn: 2 } });
  });
  afterAll(() => registry?.stop());

  async function tokenFor(scope: string, authorization?: string): Promise<string> {
    const issuer = registry.tokenIssuer!;
    const url = `${issuer.realm}?service=${encodeURIComponent(issuer.service)}&scope=${encodeURIComponent(scope)}`;
    const res = await http(url, { headers: authorization ? { authorization } : {} });
    expect(res.status, res.text).toBe(200);
    return JSON.parse(res.text).token;
  }

  it('challenges with a bearer realm on the token issuer', async () => {
    const res = await http(`${registry.url}/v2/token/app/tags/list`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="${registry.tokenIssuer!.realm}",service="${registry.tokenIssuer!.service}",scope="repository:token/app:pull"`,
    );
  });

  it('accepts a push and pull with a token fetched from the issuer', async () => {
    const { oras } = registry.users as { oras: string };
    // The push takes several requests: a longer lifetime keeps this suite's 2 s expiry out of the way.
    registry.tokenIssuer!.setExpiresIn(120);
    try {
      const token = await tokenFor('repository:token/app:pull,push,delete', basic('oras', oras));
      await pushPullDelete({ url: registry.url, headers: { authorization: `Bearer ${token}` } }, 'token/app');
    } finally {
      registry.tokenIssuer!.setExpiresIn(2);
    }
  });

  it('issues tokens through the OAuth2 password and refresh_token grants', async () => {
    const issuer = registry.tokenIssuer!;
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ service: issuer.service, client_id: 'oras-test', ...fields }).toString(),
    });
    const password = await http(
      issuer.realm,
      form({
        grant_type: 'password',
        username: 'oras',
        password: registry.users!.oras!,
        access_type: 'offline',
        scope: 'repository:token/oauth:pull,push',
      }),
    );
    expect(password.status, password.text).toBe(200);
    const first = JSON.parse(password.text);
    expect(first).toMatchObject({ expires_in: 2, scope: 'repository:token/oauth:pull,push' });
    expect(first.refresh_token).toMatch(/^rt-/);
    const start = await http(`${registry.url}/v2/token/oauth/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.access_token}` },
    });
    expect(start.status).toBe(202);

    const refreshed = await http(
      issuer.realm,
      form({
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
        scope: 'repository:token/oauth:pull',
      }),
    );
    expect(refreshed.status).toBe(200);
    const second = JSON.parse(refreshed.text);
    const list = await http(`${registry.url}/v2/token/oauth/tags/list`, {
      headers: { authorization: `Bearer ${second.access_token}` },
    });
    expect(list.status).toBe(404); // authorized: the repository has no tags
    expect(JSON.parse(list.text).errors[0].code).toBe('NAME_UNKNOWN');

    const bad = await http(
      issuer.realm,
      form({ grant_type: 'password', username: 'oras', password: 'nope' }),
    );
    expect(bad.status).toBe(401);
  });

  it('denies a scope the user was not granted', async () => {
    const token = await tokenFor('repository:token/app:pull,push', basic('reader', registry.users!.reader!));
    const claims = registry.tokenIssuer!.verify(token);
    expect(claims.access).toEqual([{ type: 'repository', name: 'token/app', actions: ['pull'] }]);
    const push = await http(`${registry.url}/v2/token/app/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(push.status).toBe(401);
    expect(push.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('gives the anonymous caller a token without access, which the registry refuses', async () => {
    const token = await tokenFor('repository:token/app:pull');
    const pull = await http(`${registry.url}/v2/token/app/tags/list`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(pull.status).toBe(401);
  });

  it('lets tokens expire after expires_in, despite the registry leeway', async () => {
    const token = await tokenFor('repository:token/expiry:pull', basic('oras', registry.users!.oras!));
    const url = `${registry.url}/v2/token/expiry/tags/list`;
    const fresh = await http(url, { headers: { authorization: `Bearer ${token}` } });
    expect(fresh.status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    const stale = await http(url, { headers: { authorization: `Bearer ${token}` } });
    expect(stale.status).toBe(401);
    expect(stale.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});

describe('startDistribution failures', () => {
  it('says why when the registry binary is missing', async () => {
    await expect(
      startDistribution({ mode: 'plain', binary: '/nonexistent/docker-registry' }),
    ).rejects.toThrow(/plain registry: \/nonexistent\/docker-registry is not installed/);
  });
});

describe('startDistribution cleanup', () => {
  it('stops the registry and removes its folder when the process that started it is killed', async () => {
    const module = new URL('./distribution.js', import.meta.url).href;
    const script = `const m = await import(${JSON.stringify(module)});
      const r = await m.startDistribution({ mode: 'plain' });
      console.log(JSON.stringify({ pid: r.pid, dir: r.dir, url: r.url }));
      setInterval(() => {}, 1 << 30);`;
    const starter = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const info = await new Promise<{ pid: number; dir: string; url: string }>((resolve, reject) => {
      let out = '';
      starter.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        if (out.includes('\n')) resolve(JSON.parse(out));
      });
      starter.once('exit', (code) => reject(new Error(`starter exited with ${code}`)));
    });
    expect((await http(`${info.url}/v2/`)).status).toBe(200);
    starter.kill('SIGKILL');
    const gone = (pid: number) => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 100 && !(gone(info.pid) && !existsSync(info.dir)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(gone(info.pid)).toBe(true);
    expect(existsSync(info.dir)).toBe(false);
    await expect(http(`${info.url}/v2/`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
