/**
 * Integration tests against the real registry (Debian's docker-registry, CNCF distribution v2.8)
 * in basic-tls and token modes, from `@oras-internal/test-registry`.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthClient,
  checkCredentials,
  createCredentialStore,
  DeniedError,
  login,
  logout,
  staticCredential,
  TokenCache,
  UnauthorizedError,
} from '../src/index.js';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Pushes `bytes` as a blob: POST, then one PATCH per chunk, then PUT with the digest. */
async function pushBlob(
  client: AuthClient,
  base: string,
  repo: string,
  chunks: readonly (() => Readable)[],
  digest: string,
  hooks: { readonly beforeLast?: () => Promise<void> } = {},
): Promise<void> {
  const scopes = [`repository:${repo}:pull,push`];
  const start = await client.request({ method: 'POST', url: `${base}/v2/${repo}/blobs/uploads/`, scopes });
  await start.body.text();
  expect(start.statusCode).toBe(202);
  let location = new URL(String(start.headers.location), base);
  for (const [i, chunk] of chunks.entries()) {
    const last = i === chunks.length - 1;
    if (last) location.searchParams.set('digest', digest);
    if (last) await hooks.beforeLast?.();
    const res = await client.request({
      method: last ? 'PUT' : 'PATCH',
      url: location,
      scopes,
      headers: { 'content-type': 'application/octet-stream' },
      body: chunk,
    });
    const text = await res.body.text();
    expect(res.statusCode, text).toBe(last ? 201 : 202);
    if (!last) location = new URL(String(res.headers.location), base);
  }
}

async function getBlob(client: AuthClient, base: string, repo: string, digest: string): Promise<Buffer> {
  const res = await client.request({
    method: 'GET',
    url: `${base}/v2/${repo}/blobs/${digest}`,
    scopes: [`repository:${repo}:pull`],
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  expect(res.statusCode).toBe(200);
  return bytes;
}

/** A body that yields `total` bytes in `parts` pieces, pausing `pauseMs` between them. */
function slowBody(data: Buffer, parts: number, pauseMs: number): () => Readable {
  return () =>
    Readable.from(
      (async function* () {
        const size = Math.ceil(data.length / parts);
        for (let off = 0; off < data.length; off += size) {
          yield data.subarray(off, off + size);
          await new Promise((r) => setTimeout(r, pauseMs));
        }
      })(),
    );
}

describe('basic auth over TLS', () => {
  let registry: Distribution;
  let dispatcher: Agent;
  let dir: string;

  beforeAll(async () => {
    registry = await startDistribution({ mode: 'basic-tls' });
    dispatcher = new Agent({ connect: { ca: registry.caPem } });
    dir = await mkdtemp(join(tmpdir(), 'oras-auth-it-'));
  });
  afterAll(async () => {
    await dispatcher?.close();
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const password = () => registry.users?.oras ?? '';

  it('pushes and pulls a blob with basic credentials, trusting the generated CA', async () => {
    const client = new AuthClient({
      dispatcher,
      credential: staticCredential(registry.host, { username: 'oras', password: password() }),
    });
    const data = Buffer.from(`basic blob ${Math.random()}`);
    await pushBlob(client, registry.url, 'basic/blob', [() => Readable.from([data])], sha256(data));
    expect((await getBlob(client, registry.url, 'basic/blob', sha256(data))).equals(data)).toBe(true);
  });

  it('fails without a credential, and says a wrong password was rejected', async () => {
    const anonymous = new AuthClient({ dispatcher });
    await expect(anonymous.request({ method: 'GET', url: `${registry.url}/v2/` })).rejects.toSatisfy(
      (err: unknown) => UnauthorizedError.is(err),
    );
    const wrong = new AuthClient({
      dispatcher,
      credential: staticCredential(registry.host, { username: 'oras', password: 'wrong-pw' }),
    });
    const err = await wrong.request({ method: 'GET', url: `${registry.url}/v2/` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as UnauthorizedError).message).toBe(
      `GET ${registry.url}/v2/: the credentials were rejected (401): unauthorized: authentication required`,
    );
    expect((err as UnauthorizedError).hasCode('UNAUTHORIZED')).toBe(true);
  });

  it('logs in only with working credentials and stores them mode 0600', async () => {
    const configPath = join(dir, 'config.json');
    const store = createCredentialStore({ configPaths: [configPath], allowPlaintextPut: true });
    const bad = await login(
      store,
      registry.url,
      { username: 'oras', password: 'nope' },
      { dispatcher },
    ).catch((e: unknown) => e);
    expect(UnauthorizedError.is(bad)).toBe(true);
    expect((bad as Error).message).not.toContain('nope');
    await expect(stat(configPath)).rejects.toThrow();

    await login(store, registry.url, { username: 'oras', password: password() }, { dispatcher });
    expect(await store.get(registry.host)).toEqual({ username: 'oras', password: password() });
    expect((await stat(configPath)).mode & 0o777).toBe(0o600);
    await expect(
      checkCredentials(registry.url, await store.get(registry.host), { dispatcher }),
    ).resolves.toBeUndefined();

    await logout(store, registry.host);
    expect(await store.get(registry.host)).toEqual({});
    expect(JSON.parse(await readFile(configPath, 'utf8'))).toEqual({ auths: {} });
  });
});

describe('bearer tokens', () => {
  let registry: Distribution;

  beforeAll(async () => {
    registry = await startDistribution({ mode: 'token', token: { anonymousPull: true } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const issuer = () => {
    if (!registry.tokenIssuer) throw new Error('token mode has a token issuer');
    return registry.tokenIssuer;
  };
  const oras = () => ({ username: 'oras', password: registry.users?.oras ?? '' });

  it('pulls anonymously and pushes with the token GET and basic credentials', async () => {
    const pusher = new AuthClient({ credential: staticCredential(registry.host, oras()) });
    const data = Buffer.from(`token blob ${Math.random()}`);
    await pushBlob(pusher, registry.url, 'anon/blob', [() => Readable.from([data])], sha256(data));
    const pushes = issuer().requests.filter((r) => r.account === 'oras');
    expect(pushes.length).toBeGreaterThan(0);
    expect(pushes.every((r) => r.method === 'GET' && r.headers.authorization?.startsWith('Basic '))).toBe(
      true,
    );

    const before = issuer().requests.length;
    const anonymous = new AuthClient();
    expect((await getBlob(anonymous, registry.url, 'anon/blob', sha256(data))).equals(data)).toBe(true);
    const pulls = issuer().requests.slice(before);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.account).toBe('');
    expect(pulls[0]?.headers.authorization).toBeUndefined();
    expect(pulls[0]?.scopes).toEqual(['repository:anon/blob:pull']);
  });

  it('uses the OAuth2 password grant', async () => {
    const before = issuer().requests.length;
    const client = new AuthClient({
      credential: staticCredential(registry.host, oras()),
      forceAttemptOAuth2: true,
    });
    const data = Buffer.from(`password grant ${Math.random()}`);
    await pushBlob(client, registry.url, 'oauth/password', [() => Readable.from([data])], sha256(data));
    const reqs = issuer().requests.slice(before);
    expect(reqs.length).toBeGreaterThan(0);
    expect(reqs.every((r) => r.method === 'POST' && r.form?.grant_type === 'password')).toBe(true);
    expect(reqs[0]?.form?.client_id).toBe('oras-ts');
  });

  it('uses the OAuth2 refresh_token grant with an identity token', async () => {
    const form = new URLSearchParams({
      grant_type: 'password',
      username: 'oras',
      password: oras().password,
      service: issuer().service,
      client_id: 'test',
      access_type: 'offline',
    });
    const res = await fetch(issuer().realm, { method: 'POST', body: form });
    const { refresh_token: refreshToken } = (await res.json()) as { refresh_token: string };
    expect(typeof refreshToken).toBe('string');

    const before = issuer().requests.length;
    const client = new AuthClient({ credential: staticCredential(registry.host, { refreshToken }) });
    const data = Buffer.from(`refresh grant ${Math.random()}`);
    await pushBlob(client, registry.url, 'oauth/refresh', [() => Readable.from([data])], sha256(data));
    const reqs = issuer().requests.slice(before);
    expect(reqs.length).toBeGreaterThan(0);
    expect(reqs.every((r) => r.method === 'POST' && r.form?.grant_type === 'refresh_token')).toBe(true);
  });

  it('says "denied" when the token does not grant the push', async () => {
    const reader = new AuthClient({
      credential: staticCredential(registry.host, {
        username: 'reader',
        password: registry.users?.reader ?? '',
      }),
    });
    const err = await reader
      .request({
        method: 'POST',
        url: `${registry.url}/v2/denied/repo/blobs/uploads/`,
        scopes: ['repository:denied/repo:pull,push'],
      })
      .catch((e: unknown) => e);
    expect(DeniedError.is(err)).toBe(true);
    expect((err as Error).message).toMatch(/: denied: /);
  });

  it('fails with unauthorized for a wrong password, without the password in the message', async () => {
    const client = new AuthClient({
      credential: staticCredential(registry.host, { username: 'oras', password: 'not-the-password' }),
    });
    const err = await client.request({ method: 'GET', url: `${registry.url}/v2/` }).catch((e: unknown) => e);
    expect(UnauthorizedError.is(err)).toBe(true);
    expect((err as Error).message).not.toContain('not-the-password');
  });

  it('renews a token that expires during the push of a large blob and finishes the push', async () => {
    issuer().setExpiresIn(2);
    try {
      const lines: string[] = [];
      const client = new AuthClient({
        credential: staticCredential(registry.host, oras()),
        log: (line) => lines.push(line),
      });
      const data = Buffer.alloc(8 * 1024 * 1024);
      for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
      const half = data.length / 2;
      const before = issuer().requests.length;
      // The first half trickles in for about 3 s, longer than the token lives.
      await pushBlob(
        client,
        registry.url,
        'expiry/large',
        [slowBody(data.subarray(0, half), 12, 250), () => Readable.from([data.subarray(half)])],
        sha256(data),
      );
      expect(issuer().requests.length - before).toBeGreaterThanOrEqual(2);
      expect((await getBlob(client, registry.url, 'expiry/large', sha256(data))).equals(data)).toBe(true);
      expect(lines.join('\n')).not.toContain(oras().password);
    } finally {
      issuer().setExpiresIn(300);
    }
  });

  it('re-sends the body when the registry rejects a token the cache still trusted', async () => {
    issuer().setExpiresIn(2);
    try {
      // A clock 10 s behind makes the cache believe an expired token is still fresh.
      const cache = new TokenCache({ now: () => Date.now() - 10_000 });
      const client = new AuthClient({ cache, credential: staticCredential(registry.host, oras()) });
      const data = Buffer.alloc(1024 * 1024, 7);
      const half = data.length / 2;
      let bodies = 0;
      const counted = (make: () => Readable) => () => {
        bodies++;
        return make();
      };
      // The closing PUT goes out after the token has expired at the registry (lifetime 2 s), with
      // the token the skewed cache still trusts: the registry answers 401 and the body is re-sent.
      await pushBlob(
        client,
        registry.url,
        'expiry/stale',
        [() => Readable.from([data.subarray(0, half)]), counted(() => Readable.from([data.subarray(half)]))],
        sha256(data),
        { beforeLast: () => new Promise((resolve) => setTimeout(resolve, 3_000)) },
      );
      expect(bodies).toBe(2);
      expect((await getBlob(client, registry.url, 'expiry/stale', sha256(data))).equals(data)).toBe(true);
    } finally {
      issuer().setExpiresIn(300);
    }
  });
});
