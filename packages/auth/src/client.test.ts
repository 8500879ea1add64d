import { Readable } from 'node:stream';
import { ErrorCode, OrasError } from '@oras/spec';
import { Agent, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthClient, type AuthResponse, CALLER_RESUMES } from './client.js';
import { staticCredential } from './credential.js';
import { DeniedError, UnauthorizedError } from './errors.js';
import { type SeenRequest, sendJson, startServer, type TestServer } from './test-support/server.js';
import { TokenCache } from './token-cache.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

/** An agent that records the origin of every request it is given, before connecting. */
function recordingAgent(): { dispatcher: Agent; origins: string[] } {
  const origins: string[] = [];
  class Recording extends Agent {
    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      origins.push(String(options.origin));
      return super.dispatch(options, handler);
    }
  }
  return { dispatcher: new Recording(), origins };
}

async function text(res: AuthResponse): Promise<string> {
  return res.body.text();
}

function basicOf(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** A registry that needs Basic auth for `user:pass`. */
async function basicRegistry(): Promise<TestServer> {
  return serve((req, res) => {
    if (req.headers.authorization !== basicOf('user', 'pass')) {
      sendJson(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED' }] },
        { 'www-authenticate': 'Basic realm="registry"' },
      );
      return;
    }
    sendJson(res, 200, { ok: true, body: req.body });
  });
}

interface TokenRegistryOptions {
  /** Answers the token endpoint; default: a fresh token for any request. */
  readonly token?: (req: SeenRequest) => { status: number; body: unknown } | undefined;
  /** Scopes the registry wants for a path. */
  readonly scopeFor?: (req: SeenRequest) => string;
  /** What the token service grants of the scopes asked for; all of them by default. */
  readonly grant?: (scopes: string[]) => string[];
}

/**
 * One server that is both a bearer-token registry and its token service (`/token`). Tokens are
 * `t1`, `t2`, ... and carry the scopes they were issued for; `revoke()` invalidates them all.
 */
async function tokenRegistry(options: TokenRegistryOptions = {}) {
  const issued = new Map<string, string[]>();
  let n = 0;
  const state = {
    tokenRequests: [] as SeenRequest[],
    revoke: () => issued.clear(),
    server: undefined as unknown as TestServer,
  };
  state.server = await serve((req, res) => {
    if (req.url.pathname === '/token') {
      state.tokenRequests.push(req);
      const custom = options.token?.(req);
      if (custom) {
        sendJson(res, custom.status, custom.body);
        return;
      }
      const scopes =
        req.method === 'POST'
          ? (new URLSearchParams(req.body).get('scope') ?? '').split(' ').filter(Boolean)
          : req.url.searchParams.getAll('scope');
      const token = `t${++n}`;
      issued.set(token, options.grant ? options.grant(scopes) : scopes);
      sendJson(res, 200, { token, expires_in: 300 });
      return;
    }
    const want = options.scopeFor?.(req) ?? `repository:a/b:pull`;
    const challenge = `Bearer realm="${state.server.origin}/token",service="test",scope="${want}"`;
    const auth = req.headers.authorization ?? '';
    const granted = auth.startsWith('Bearer ') ? issued.get(auth.slice(7)) : undefined;
    if (!granted) {
      sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': challenge });
      return;
    }
    if (want !== '' && !granted.includes(want)) {
      sendJson(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED' }] },
        { 'www-authenticate': `${challenge},error="insufficient_scope"` },
      );
      return;
    }
    sendJson(res, 200, { ok: true, body: req.body });
  });
  return state;
}

describe('AuthClient: basic', () => {
  it('answers a basic challenge with the credential and then sends it preemptively', async () => {
    const registry = await basicRegistry();
    const client = new AuthClient({
      credential: staticCredential(registry.host, { username: 'user', password: 'pass' }),
    });
    const first = await client.request({ method: 'GET', url: new URL('/v2/', registry.url) });
    expect(first.statusCode).toBe(200);
    await text(first);
    const second = await client.request({ method: 'GET', url: new URL('/v2/x', registry.url) });
    expect(second.statusCode).toBe(200);
    await text(second);
    expect(registry.requests.map((r) => r.headers.authorization === undefined)).toEqual([true, false, false]);
  });

  it('fails with an unauthorized error when there is no credential', async () => {
    const registry = await basicRegistry();
    const client = new AuthClient();
    const err = await client
      .request({ method: 'GET', url: new URL('/v2/', registry.url) })
      .catch((e: unknown) => e);
    expect(UnauthorizedError.is(err)).toBe(true);
    expect((err as Error).message).toBe(`${registry.host}: basic credential not found`);
  });

  it('throws an unauthorized error, keeping the error codes, when the registry rejects the credential', async () => {
    const registry = await basicRegistry();
    const client = new AuthClient({
      credential: staticCredential(registry.host, { username: 'user', password: 'bad-s3cret' }),
    });
    const err = await client
      .request({ method: 'GET', url: new URL('/v2/', registry.url) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(UnauthorizedError.is(err)).toBe(true);
    const unauthorized = err as UnauthorizedError;
    expect(unauthorized.message).toBe(
      `GET ${registry.url.origin}/v2/: the credentials were rejected (401): unauthorized`,
    );
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.hasCode('UNAUTHORIZED')).toBe(true);
    expect(unauthorized.message).not.toContain('bad-s3cret');
  });

  it('re-sends a function body after the challenge', async () => {
    const registry = await basicRegistry();
    const client = new AuthClient({
      credential: staticCredential(registry.host, { username: 'user', password: 'pass' }),
    });
    let calls = 0;
    const res = await client.request({
      method: 'PUT',
      url: new URL('/v2/a/b/blobs/uploads/1', registry.url),
      body: () => {
        calls++;
        return Readable.from([Buffer.from('hello '), Buffer.from('world')]);
      },
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(await text(res))).toEqual({ ok: true, body: 'hello world' });
    expect(calls).toBe(2);
  });

  it('sends a request that already has an Authorization header as it is', async () => {
    const registry = await basicRegistry();
    const client = new AuthClient({
      credential: staticCredential(registry.host, { username: 'user', password: 'pass' }),
    });
    const res = await client.request({
      method: 'GET',
      url: new URL('/v2/', registry.url),
      headers: { Authorization: 'Bearer mine' },
    });
    expect(res.statusCode).toBe(401);
    await text(res);
    expect(registry.requests).toHaveLength(1);
  });
});

describe('AuthClient: bearer', () => {
  it('fetches an anonymous token with service and scope, and caches it per scope set', async () => {
    const reg = await tokenRegistry();
    const client = new AuthClient();
    const url = new URL('/v2/a/b/manifests/latest', reg.server.url);
    for (let i = 0; i < 3; i++) {
      const res = await client.request({ method: 'GET', url, scopes: ['repository:a/b:pull'] });
      expect(res.statusCode).toBe(200);
      await text(res);
    }
    expect(reg.tokenRequests).toHaveLength(1);
    const tokenReq = reg.tokenRequests[0];
    expect(tokenReq?.method).toBe('GET');
    expect(tokenReq?.headers.authorization).toBeUndefined();
    expect(tokenReq?.url.searchParams.get('service')).toBe('test');
    expect(tokenReq?.url.searchParams.getAll('scope')).toEqual(['repository:a/b:pull']);
  });

  it('keeps the token of each scope set apart, with the scopes cleaned (merged, sorted)', async () => {
    // the registry asks for no scope of its own: the tokens carry the hints alone
    const reg = await tokenRegistry({ scopeFor: () => '' });
    const client = new AuthClient();
    const url = new URL('/v2/a/b/manifests/latest', reg.server.url);
    const scopeSets = [
      ['repository:a/b:pull'],
      ['repository:a/b:push repository:a/b:pull'],
      ['repository:a/b:pull', 'repository:a/b:push'],
      ['repository:c/d:pull', 'repository:a/b:pull'],
      ['repository:a/b:pull'],
    ];
    for (const scopes of scopeSets) {
      const res = await client.request({ method: 'GET', url, scopes });
      expect(res.statusCode).toBe(200);
      await text(res);
    }
    // the second and third sets are one scope set; the last is the first again
    expect(reg.tokenRequests.map((r) => r.url.searchParams.getAll('scope'))).toEqual([
      ['repository:a/b:pull'],
      ['repository:a/b:pull,push'],
      ['repository:a/b:pull', 'repository:c/d:pull'],
    ]);
  });

  it('fetches a token with basic auth when there is a username and password', async () => {
    const reg = await tokenRegistry();
    const client = new AuthClient({
      credential: staticCredential(reg.server.host, { username: 'u', password: 'p' }),
    });
    const res = await client.request({ method: 'GET', url: new URL('/v2/a/b/tags/list', reg.server.url) });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(reg.tokenRequests[0]?.headers.authorization).toBe(basicOf('u', 'p'));
  });

  it('uses the OAuth2 refresh_token grant with an identity token', async () => {
    const reg = await tokenRegistry();
    const client = new AuthClient({
      credential: staticCredential(reg.server.host, { refreshToken: 'refresh-me' }),
    });
    const res = await client.request({ method: 'GET', url: new URL('/v2/a/b/tags/list', reg.server.url) });
    expect(res.statusCode).toBe(200);
    await text(res);
    const req = reg.tokenRequests[0];
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-me',
      service: 'test',
      client_id: 'oras-ts',
      scope: 'repository:a/b:pull',
    });
  });

  it('marks the OAuth2 POST idempotent, so that a retrying transport may send it again', async () => {
    const reg = await tokenRegistry();
    const seen: { method: string; path: string; idempotent: unknown }[] = [];
    class Recording extends Agent {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        seen.push({ method: options.method, path: String(options.path), idempotent: options.idempotent });
        return super.dispatch(options, handler);
      }
    }
    const client = new AuthClient({
      credential: staticCredential(reg.server.host, { refreshToken: 'refresh-me' }),
      dispatcher: new Recording(),
    });
    const res = await client.request({ method: 'GET', url: new URL('/v2/a/b/tags/list', reg.server.url) });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(seen.filter((r) => r.method === 'POST')).toEqual([
      { method: 'POST', path: '/token', idempotent: true },
    ]);
    // nothing else is marked: a registry's own POSTs (uploads) are not the auth client's to judge
    expect(seen.filter((r) => r.method !== 'POST').every((r) => r.idempotent === undefined)).toBe(true);
  });

  it('tells the dispatcher of a request whose caller resumes its body, and only of that one', async () => {
    const reg = await tokenRegistry();
    const seen: { method: string; path: string; resumes: unknown }[] = [];
    class Recording extends Agent {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        const resumes = (options as { [CALLER_RESUMES]?: unknown })[CALLER_RESUMES];
        seen.push({ method: options.method, path: String(options.path), resumes });
        return super.dispatch(options, handler);
      }
    }
    const client = new AuthClient({
      credential: staticCredential(reg.server.host, { refreshToken: 'refresh-me' }),
      dispatcher: new Recording(),
    });
    const url = new URL('/v2/a/b/tags/list', reg.server.url);
    await text(await client.request({ method: 'GET', url, callerResumes: true }));
    // the GET (challenged), its token POST, the GET again with the token
    expect(seen).toEqual([
      { method: 'GET', path: '/v2/a/b/tags/list', resumes: true },
      { method: 'POST', path: '/token', resumes: undefined },
      { method: 'GET', path: '/v2/a/b/tags/list', resumes: true },
    ]);
    seen.length = 0;
    await text(await client.request({ method: 'GET', url }));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.resumes === undefined)).toBe(true);
  });

  it('uses the OAuth2 password grant when forced', async () => {
    const reg = await tokenRegistry();
    const client = new AuthClient({
      credential: staticCredential(reg.server.host, { username: 'u', password: 'p' }),
      forceAttemptOAuth2: true,
      clientId: 'my-tool',
    });
    const res = await client.request({ method: 'GET', url: new URL('/v2/a/b/tags/list', reg.server.url) });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(Object.fromEntries(new URLSearchParams(reg.tokenRequests[0]?.body))).toMatchObject({
      grant_type: 'password',
      username: 'u',
      password: 'p',
      client_id: 'my-tool',
    });
  });

  it('falls back to the token GET when the token service has no OAuth2 endpoint', async () => {
    const reg = await tokenRegistry({
      token: (req) => (req.method === 'POST' ? { status: 404, body: {} } : undefined),
    });
    const client = new AuthClient({
      credential: staticCredential(reg.server.host, { username: 'u', password: 'p' }),
      forceAttemptOAuth2: true,
    });
    const res = await client.request({ method: 'GET', url: new URL('/v2/a/b/tags/list', reg.server.url) });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(reg.tokenRequests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('sends a registry token from the credential without fetching one', async () => {
    const reg = await tokenRegistry();
    const client = new AuthClient({
      credential: staticCredential(reg.server.host, { accessToken: 'not-issued' }),
    });
    const res = await client.request({ method: 'GET', url: new URL('/v2/a/b/tags/list', reg.server.url) });
    expect(res.statusCode).toBe(401);
    await text(res);
    expect(reg.tokenRequests).toHaveLength(0);
    expect(reg.server.requests.at(-1)?.headers.authorization).toBe('Bearer not-issued');
  });

  it('shares one token fetch among concurrent requests for the same scope set', async () => {
    const reg = await tokenRegistry();
    const client = new AuthClient();
    const url = new URL('/v2/a/b/blobs/sha256:00', reg.server.url);
    const all = await Promise.all(
      Array.from({ length: 8 }, () =>
        client.request({ method: 'GET', url, scopes: ['repository:a/b:pull'] }),
      ),
    );
    for (const res of all) {
      expect(res.statusCode).toBe(200);
      await text(res);
    }
    expect(reg.tokenRequests).toHaveLength(1);
  });

  it('merges scope hints with the challenge so one token covers a copy between repositories', async () => {
    const reg = await tokenRegistry({ scopeFor: () => 'repository:dst:pull,push' });
    const client = new AuthClient();
    const res = await client.request({
      method: 'POST',
      url: new URL('/v2/dst/blobs/uploads/?mount=sha256:00&from=src', reg.server.url),
      scopes: ['repository:src:pull', 'repository:dst:push'],
    });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(reg.tokenRequests[0]?.url.searchParams.getAll('scope')).toEqual([
      'repository:dst:pull,push',
      'repository:src:pull',
    ]);
  });

  it('fetches the token before sending once the host is known to want bearer tokens', async () => {
    const reg = await tokenRegistry({
      scopeFor: (req) => (req.url.pathname === '/v2/' ? '' : 'repository:a/b:pull,push'),
    });
    const client = new AuthClient();
    const ping = await client.request({ method: 'GET', url: new URL('/v2/', reg.server.url) });
    await text(ping);
    reg.server.requests.length = 0;
    let calls = 0;
    const res = await client.request({
      method: 'PUT',
      url: new URL('/v2/a/b/blobs/uploads/1', reg.server.url),
      scopes: ['repository:a/b:pull,push'],
      body: () => {
        calls++;
        return Readable.from([Buffer.from('data')]);
      },
    });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(calls).toBe(1);
    expect(reg.server.requests.map((r) => r.url.pathname)).toEqual(['/token', '/v2/a/b/blobs/uploads/1']);
  });

  it('remembers an opaque challenge scope (ECR Public "aws") so the next request reuses the token', async () => {
    const reg = await tokenRegistry({ scopeFor: () => 'aws' });
    const client = new AuthClient();
    for (const tag of ['a', 'b']) {
      const res = await client.request({
        method: 'GET',
        url: new URL(`/v2/a/b/manifests/${tag}`, reg.server.url),
        scopes: ['repository:a/b:pull'],
      });
      expect(res.statusCode).toBe(200);
      await text(res);
    }
    expect(reg.tokenRequests).toHaveLength(1);
    expect(reg.tokenRequests[0]?.url.searchParams.getAll('scope')).toEqual(['aws', 'repository:a/b:pull']);
    expect(reg.server.requests.filter((r) => r.url.pathname !== '/token')).toHaveLength(3);
  });

  it('renews a token the registry no longer accepts and sends the body again', async () => {
    const reg = await tokenRegistry({ scopeFor: () => 'repository:a/b:pull,push' });
    const client = new AuthClient();
    const scopes = ['repository:a/b:pull,push'];
    const url = new URL('/v2/a/b/blobs/uploads/1', reg.server.url);
    const first = await client.request({ method: 'PATCH', url, scopes, body: 'part one' });
    expect(first.statusCode).toBe(200);
    await text(first);
    reg.revoke(); // the token expires in the middle of the upload
    const second = await client.request({
      method: 'PUT',
      url,
      scopes,
      body: () => Readable.from([Buffer.from('part two')]),
    });
    expect(second.statusCode).toBe(200);
    expect(JSON.parse(await text(second))).toEqual({ ok: true, body: 'part two' });
    expect(reg.tokenRequests).toHaveLength(2);
  });

  it('throws a denied error when a fresh token lacks the scope', async () => {
    const reg = await tokenRegistry({
      scopeFor: () => 'repository:a/b:push',
      grant: () => ['repository:a/b:pull'],
    });
    const client = new AuthClient();
    const err = await client
      .request({ method: 'POST', url: new URL('/v2/a/b/blobs/uploads/', reg.server.url) })
      .catch((e: unknown) => e);
    expect(DeniedError.is(err)).toBe(true);
    expect((err as Error).message).toContain('denied');
    expect((err as Error).message).toContain('repository:a/b:push');
  });

  it('throws an unauthorized error without the password when the token service refuses it', async () => {
    const reg = await tokenRegistry({
      token: () => ({
        status: 401,
        body: { errors: [{ code: 'UNAUTHORIZED', message: 'bad password s3cret-pw' }] },
      }),
    });
    const lines: string[] = [];
    const client = new AuthClient({
      credential: staticCredential(reg.server.host, { username: 'u', password: 's3cret-pw' }),
      log: (line) => lines.push(line),
    });
    const err = await client
      .request({ method: 'GET', url: new URL('/v2/a/b/tags/list', reg.server.url) })
      .catch((e: unknown) => e);
    expect(UnauthorizedError.is(err)).toBe(true);
    expect((err as Error).message).toContain('the credentials were rejected (401)');
    expect((err as UnauthorizedError).hasCode('UNAUTHORIZED')).toBe(true);
    expect((err as UnauthorizedError).errors[0]?.message).not.toContain('s3cret-pw');
    expect((err as Error).message).not.toContain('s3cret-pw');
    const basic = Buffer.from('u:s3cret-pw').toString('base64');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain('s3cret-pw');
      expect(line).not.toContain(basic);
    }
  });

  it('refuses a token response over 128 KiB', async () => {
    const reg = await tokenRegistry({
      token: () => ({ status: 200, body: { token: 'x'.repeat(130 * 1024) } }),
    });
    const client = new AuthClient();
    const err = await client
      .request({ method: 'GET', url: new URL('/v2/a/b/tags/list', reg.server.url) })
      .catch((e: unknown) => e);
    expect(OrasError.is(err) && (err as OrasError).code).toBe(ErrorCode.SizeExceedsLimit);
  });

  it('refuses a realm on another internal address', async () => {
    const registry = await serve((_req, res) => {
      sendJson(res, 401, {}, { 'www-authenticate': 'Bearer realm="http://10.1.2.3/token",service="x"' });
    });
    const client = new AuthClient();
    const err = await client
      .request({ method: 'GET', url: new URL('/v2/', registry.url) })
      .catch((e: unknown) => e);
    expect(OrasError.is(err) && (err as OrasError).code).toBe(ErrorCode.Unsafe);
  });

  it('accepts a loopback realm for a registry reached as localhost', async () => {
    // a false positive the red team found: `localhost:5000` naming 127.0.0.1 as its token realm
    const reg = await tokenRegistry();
    const res = await new AuthClient().request({
      method: 'GET',
      url: new URL(`http://localhost:${reg.server.url.port}/v2/a/b/tags/list`),
      scopes: ['repository:a/b:pull'],
    });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(reg.tokenRequests).toHaveLength(1);
  });

  it('refuses a realm on a NAT64 address that carries the cloud metadata address', async () => {
    const registry = await serve((_req, res) => {
      sendJson(res, 401, {}, { 'www-authenticate': 'Bearer realm="http://[64:ff9b::a9fe:a9fe]/token"' });
    });
    const err = await new AuthClient()
      .request({ method: 'GET', url: new URL('/v2/', registry.url) })
      .catch((e: unknown) => e);
    expect(OrasError.is(err) && (err as OrasError).code).toBe(ErrorCode.Unsafe);
    expect((err as Error).message).toMatch(/link-local address/);
  });

  it('keeps tokens of a shared cache across clients', async () => {
    const reg = await tokenRegistry();
    const cache = new TokenCache();
    for (let i = 0; i < 2; i++) {
      const res = await new AuthClient({ cache }).request({
        method: 'GET',
        url: new URL('/v2/a/b/tags/list', reg.server.url),
        scopes: ['repository:a/b:pull'],
      });
      expect(res.statusCode).toBe(200);
      await text(res);
    }
    expect(reg.tokenRequests).toHaveLength(1);
  });
});

describe('AuthClient: a token answer that breaks mid-body', () => {
  /**
   * A bearer registry whose token service sends the first `cuts` answers' headers and half of
   * their body, then drops the connection.
   */
  async function breakingTokenService(cuts: number) {
    const tokenRequests: SeenRequest[] = [];
    const server = await serve((req, res) => {
      if (req.url.pathname === '/token') {
        tokenRequests.push(req);
        const body = JSON.stringify({
          token: `t${tokenRequests.length}`,
          expires_in: 300,
          padding: 'x'.repeat(2000),
        });
        if (tokenRequests.length <= cuts) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
          res.write(body.slice(0, 1000), () => res.socket?.destroy());
          return;
        }
        sendJson(res, 200, JSON.parse(body));
        return;
      }
      if (!req.headers.authorization?.startsWith('Bearer t')) {
        const challenge = `Bearer realm="${server.origin}/token",service="test",scope="repository:a/b:pull"`;
        sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': challenge });
        return;
      }
      sendJson(res, 200, { ok: true });
    });
    return { server, tokenRequests };
  }

  it('asks for the token again, and the request goes through', async () => {
    const { server, tokenRequests } = await breakingTokenService(1);
    const client = new AuthClient({
      credential: staticCredential(server.host, { username: 'u', password: 'p' }),
    });
    const res = await client.request({ method: 'GET', url: new URL('/v2/a/b/tags/list', server.url) });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(await text(res))).toEqual({ ok: true });
    expect(tokenRequests.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer t2');
  });

  it('asks again with the OAuth2 POST too (not resumable at all)', async () => {
    const { server, tokenRequests } = await breakingTokenService(2);
    const client = new AuthClient({
      credential: staticCredential(server.host, { refreshToken: 'refresh-me' }),
    });
    const res = await client.request({ method: 'GET', url: new URL('/v2/a/b/tags/list', server.url) });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(tokenRequests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    expect(tokenRequests.map((r) => new URLSearchParams(r.body).get('refresh_token'))).toEqual([
      'refresh-me',
      'refresh-me',
      'refresh-me',
    ]);
  });

  it('gives up after two more tries with a connection error that names the token request', async () => {
    const { server, tokenRequests } = await breakingTokenService(Number.POSITIVE_INFINITY);
    const client = new AuthClient({
      credential: staticCredential(server.host, { username: 'u', password: 's3cret-pw' }),
    });
    const failure = await client
      .request({ method: 'GET', url: new URL('/v2/a/b/tags/list', server.url) })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(OrasError.is(failure) && failure.code).toBe(ErrorCode.Network);
    const message = (failure as Error).message;
    expect(message).toContain(`${server.host}: token request to ${server.origin}/token`);
    expect(message).not.toContain('s3cret-pw');
    expect(tokenRequests).toHaveLength(3);
  });
});

describe('AuthClient: a token realm that redirects', () => {
  /**
   * A bearer registry whose realm (`/token`) answers with `redirect(req)` when it gives one; the
   * token itself comes from `/token2` (any host that reaches this server).
   */
  async function movedRealm(
    redirect: (req: SeenRequest) => { status: number; location: string } | undefined,
    realmHost = '127.0.0.1',
  ) {
    const tokenRequests: SeenRequest[] = [];
    const server = await serve((req, res) => {
      if (req.url.pathname === '/token' || req.url.pathname === '/token2') {
        tokenRequests.push(req);
        const moved = req.url.pathname === '/token' ? redirect(req) : undefined;
        if (moved) {
          res.writeHead(moved.status, { location: moved.location });
          res.end();
          return;
        }
        sendJson(res, 200, { token: 'moved-token', expires_in: 300 });
        return;
      }
      if (req.headers.authorization !== 'Bearer moved-token') {
        const realm = `http://${realmHost}:${server.url.port}/token`;
        const challenge = `Bearer realm="${realm}",service="test",scope="repository:a/b:pull"`;
        sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': challenge });
        return;
      }
      sendJson(res, 200, { ok: true });
    });
    return { server, tokenRequests };
  }

  function get(server: TestServer, options: ConstructorParameters<typeof AuthClient>[0] = {}) {
    return new AuthClient(options).request({ method: 'GET', url: new URL('/v2/a/b/tags/list', server.url) });
  }

  it('follows it for the token GET, keeping the credential on the same host', async () => {
    const { server, tokenRequests } = await movedRealm((req) => ({
      status: 307,
      location: `/token2${req.url.search}`,
    }));
    const res = await get(server, {
      credential: staticCredential(server.host, { username: 'u', password: 'p' }),
    });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(tokenRequests.map((r) => r.url.pathname)).toEqual(['/token', '/token2']);
    expect(tokenRequests.map((r) => r.headers.authorization)).toEqual([basicOf('u', 'p'), basicOf('u', 'p')]);
    expect(tokenRequests[1]?.url.searchParams.get('scope')).toBe('repository:a/b:pull');
  });

  it('drops the credential of a token GET sent on to another port of the same host (GHSA-vh4v-2xq2-g5cg)', async () => {
    const elsewhere = await serve((req, res) =>
      sendJson(res, 200, { token: 'moved-token', seen: req.url.pathname }),
    );
    const { server, tokenRequests } = await movedRealm((req) => ({
      status: 307,
      location: `${elsewhere.origin}/token2${req.url.search}`,
    }));
    const res = await get(server, {
      credential: staticCredential(server.host, { username: 'u', password: 'p' }),
    });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(tokenRequests.map((r) => r.headers.authorization)).toEqual([basicOf('u', 'p')]);
    expect(elsewhere.requests.map((r) => [r.url.pathname, r.headers.authorization])).toEqual([
      ['/token2', undefined],
    ]);
  });

  it('drops the credential of a token GET sent on to another host', async () => {
    const { server, tokenRequests } = await movedRealm((req) => ({
      status: 302,
      location: `http://localhost:${server.url.port}/token2${req.url.search}`,
    }));
    const res = await get(server, {
      credential: staticCredential(server.host, { username: 'u', password: 'p' }),
    });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(tokenRequests.map((r) => [r.url.pathname, r.headers.authorization])).toEqual([
      ['/token', basicOf('u', 'p')],
      ['/token2', undefined],
    ]);
  });

  it('refuses a redirect to an internal address the registry is not on, before sending anything there', async () => {
    const { server } = await movedRealm(() => ({ status: 307, location: 'http://169.254.169.254/token' }));
    await expect(get(server)).rejects.toThrow(
      /token request to http:\/\/127\.0\.0\.1:\d+\/token: redirect to the link-local address 169\.254\.169\.254 refused/,
    );
  });

  it('follows a 307 for the OAuth2 POST with its form, and no other redirect', async () => {
    const moved = await movedRealm((req) =>
      req.method === 'POST' ? { status: 307, location: '/token2' } : undefined,
    );
    const res = await get(moved.server, {
      credential: staticCredential(moved.server.host, { refreshToken: 'refresh-me' }),
    });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(moved.tokenRequests.map((r) => [r.method, r.url.pathname])).toEqual([
      ['POST', '/token'],
      ['POST', '/token2'],
    ]);
    expect(new URLSearchParams(moved.tokenRequests[1]?.body).get('refresh_token')).toBe('refresh-me');

    const see = await movedRealm(() => ({ status: 302, location: '/token2' }));
    await expect(
      get(see.server, { credential: staticCredential(see.server.host, { refreshToken: 'refresh-me' }) }),
    ).rejects.toThrow(/unexpected status 302/);
    expect(see.tokenRequests.map((r) => r.url.pathname)).toEqual(['/token']);
  });

  it('refuses to send the OAuth2 POST, which carries the credential, on to another origin', async () => {
    // another host, a subdomain of the realm's (`*.localhost` names loopback, RFC 6761), another
    // port of the same host
    for (const [realmHost, target] of [
      ['127.0.0.1', (port: string) => `http://localhost:${port}/token2`],
      ['localhost', (port: string) => `http://tokens.localhost:${port}/token2`],
      ['127.0.0.1', () => 'http://127.0.0.1:1/token2'],
    ] as const) {
      const { server, tokenRequests } = await movedRealm(
        () => ({ status: 308, location: target(server.url.port) }),
        realmHost,
      );
      await expect(
        get(server, { credential: staticCredential(server.host, { refreshToken: 'refresh-me' }) }),
      ).rejects.toThrow(
        /redirect to http:\/\/[a-z0-9.]+:\d+ refused: the token request carries the credential/,
      );
      expect(tokenRequests.map((r) => r.url.pathname)).toEqual(['/token']);
    }
  });

  it('refuses a redirect to a location that is not a URL, or to another scheme', async () => {
    for (const [location, reason] of [
      ['http://[::1', /redirect to a location that is not a URL/],
      ['ftp://127.0.0.1/token', /scheme ftp: is not http\(s\)/],
    ] as const) {
      const { server } = await movedRealm(() => ({ status: 307, location }));
      await expect(get(server)).rejects.toThrow(reason);
    }
  });

  it('stops after maxRedirects', async () => {
    const { server, tokenRequests } = await movedRealm((req) => ({
      status: 302,
      location: `/token${req.url.search}`,
    }));
    await expect(get(server, { maxRedirects: 2 })).rejects.toThrow(/stopped after 2 redirects/);
    expect(tokenRequests).toHaveLength(3);
  });
});

describe('AuthClient: redirects', () => {
  it('follows a cross-origin redirect without credentials or custom headers and ignores its challenge', async () => {
    const storage = await serve((_req, res) => {
      sendJson(res, 401, {}, { 'www-authenticate': `Bearer realm="http://127.0.0.1:1/token"` });
    });
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== basicOf('user', 'pass')) {
        sendJson(res, 401, {}, { 'www-authenticate': 'Basic realm="r"' });
        return;
      }
      res.writeHead(307, { location: `${storage.origin}/blob?sig=abc` });
      res.end();
    });
    const client = new AuthClient({
      credential: staticCredential(registry.host, { username: 'user', password: 'pass' }),
      headers: { 'x-custom': 'only-for-registry' },
    });
    const res = await client.request({
      method: 'GET',
      url: new URL('/v2/a/b/blobs/sha256:00', registry.url),
      headers: { Range: 'bytes=0-' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.url.origin).toBe(storage.origin);
    await text(res);
    expect(storage.requests).toHaveLength(1);
    const seen = storage.requests[0];
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers['x-custom']).toBeUndefined();
    expect(seen?.headers.range).toBe('bytes=0-');
    expect(registry.requests.at(-1)?.headers['x-custom']).toBe('only-for-registry');
  });

  it.each([
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['an IPv6 link-local address', 'http://[fe80::1]/blob', 'link-local'],
    ['a private address', 'http://10.0.0.1/blob', 'private'],
    ['an IPv4-mapped private address', 'http://[::ffff:192.168.1.1]/blob', 'private'],
  ])(
    'refuses a redirect to %s from a registry on loopback, before connecting',
    async (_what, location, kind) => {
      const registry = await serve((_req, res) => {
        res.writeHead(307, { location });
        res.end();
      });
      const { dispatcher, origins } = recordingAgent();
      try {
        const client = new AuthClient({ dispatcher });
        const err = await client
          .request({ method: 'GET', url: new URL('/v2/a/b/blobs/sha256:00', registry.url) })
          .catch((e: unknown) => e);
        expect(OrasError.is(err) && err.code).toBe(ErrorCode.Unsafe);
        expect((err as Error).message).toMatch(new RegExp(`redirect to the ${kind} address .* refused`));
        expect(origins).toEqual([registry.origin]);
      } finally {
        await dispatcher.close();
      }
    },
  );

  it('follows a redirect to another address of the network the registry is on', async () => {
    const storage = await serve((_req, res) => sendJson(res, 200, { ok: true }));
    const registry = await serve((_req, res) => {
      // The registry listens on 127.0.0.1; the storage on the same loopback, named as ::ffff:127.0.0.1.
      res.writeHead(307, { location: `http://[::ffff:127.0.0.1]:${new URL(storage.origin).port}/blob` });
      res.end();
    });
    const res = await new AuthClient().request({ method: 'GET', url: new URL('/v2/x', registry.url) });
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(storage.requests).toHaveLength(1);
  });

  it('refuses a redirect to a host name that resolves to a link-local address, before connecting', async () => {
    const registry = await serve((_req, res) => {
      res.writeHead(307, { location: 'http://metadata.test/latest/meta-data/' });
      res.end();
    });
    const { dispatcher, origins } = recordingAgent();
    const looked: string[] = [];
    try {
      const client = new AuthClient({
        dispatcher,
        lookup: async (host) => {
          looked.push(host);
          return host === 'metadata.test' ? ['203.0.113.8', '169.254.169.254'] : [];
        },
      });
      const err = await client
        .request({ method: 'GET', url: new URL('/v2/a/b/blobs/sha256:00', registry.url) })
        .catch((e: unknown) => e);
      expect(OrasError.is(err) && err.code).toBe(ErrorCode.Unsafe);
      expect((err as Error).message).toMatch(/redirect to the link-local address metadata\.test refused/);
      expect(origins).toEqual([registry.origin]);
      expect(looked).toEqual(['metadata.test']);
    } finally {
      await dispatcher.close();
    }
  });

  it('follows a redirect to a host name on the registry network, and one that does not resolve', async () => {
    const storage = await serve((_req, res) => sendJson(res, 200, { ok: true }));
    const port = new URL(storage.origin).port;
    const registry = await serve((req, res) => {
      const name = req.url.pathname.includes('first') ? 'storage.test' : 'unresolved.test';
      res.writeHead(307, { location: `http://${name}:${port}/blob` });
      res.end();
    });
    // the connection itself reaches both names on 127.0.0.1
    type Callback = (
      err: Error | null,
      address: string | { address: string; family: number }[],
      family?: number,
    ) => void;
    const dispatcher = new Agent({
      connect: {
        lookup: ((_host: string, options: { all?: boolean }, callback: Callback) =>
          options.all
            ? callback(null, [{ address: '127.0.0.1', family: 4 }])
            : callback(null, '127.0.0.1', 4)) as never,
      },
    });
    try {
      const client = new AuthClient({
        dispatcher,
        lookup: async (host) => {
          if (host === 'storage.test') return ['127.0.0.1'];
          throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
        },
      });
      for (const path of ['/v2/first', '/v2/second']) {
        const res = await client.request({ method: 'GET', url: new URL(path, registry.url) });
        expect(res.statusCode).toBe(200);
        await text(res);
      }
      expect(storage.requests).toHaveLength(2);
    } finally {
      await dispatcher.close();
    }
  });

  it('refuses a token realm named by a host name on a private address, without asking it', async () => {
    const registry = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://token.test/token",service="r"' });
      res.end();
    });
    const looked: string[] = [];
    const client = new AuthClient({
      credential: async () => ({ username: 'u', password: 'p' }),
      lookup: async (host) => {
        looked.push(host);
        return ['10.0.0.7'];
      },
    });
    const err = await client
      .request({
        method: 'GET',
        url: new URL('/v2/a/b/tags/list', registry.url),
        scopes: ['repository:a/b:pull'],
      })
      .catch((e: unknown) => e);
    expect(OrasError.is(err) && err.code).toBe(ErrorCode.Unsafe);
    expect((err as Error).message).toMatch(/token realm the private address token\.test refused/);
    expect(looked).toEqual(['token.test']);
  });

  it('does not follow redirects of other methods, or when told not to', async () => {
    const registry = await serve((_req, res) => {
      res.writeHead(307, { location: '/elsewhere' });
      res.end();
    });
    const client = new AuthClient();
    const put = await client.request({ method: 'PUT', url: new URL('/v2/x', registry.url), body: 'x' });
    expect(put.statusCode).toBe(307);
    await text(put);
    const get = await client.request({
      method: 'GET',
      url: new URL('/v2/x', registry.url),
      followRedirects: false,
    });
    expect(get.statusCode).toBe(307);
    await text(get);
    expect(registry.requests).toHaveLength(2);
  });
});

describe('AuthClient: abort', () => {
  it('stops waiting for a shared token fetch when its own signal aborts, without failing the others', async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let fetchStarted: (() => void) | undefined;
    const started = new Promise<void>((resolve) => {
      fetchStarted = resolve;
    });
    const tokens = await serve(async (_req, res) => {
      fetchStarted?.();
      await gate;
      sendJson(res, 200, { token: 'slow' });
    });
    let challenged = 0;
    const registry = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer slow') return sendJson(res, 200, {});
      challenged++;
      sendJson(res, 401, {}, { 'www-authenticate': `Bearer realm="${tokens.origin}/token",service="s"` });
    });
    const client = new AuthClient();
    const controller = new AbortController();
    const url = new URL('/v2/a/b/tags/list', registry.url);
    const aborted = client
      .request({ method: 'GET', url, signal: controller.signal })
      .catch((e: unknown) => e);
    const other = client.request({ method: 'GET', url });
    await started;
    while (challenged < 2) await new Promise((r) => setImmediate(r));
    controller.abort();
    const err = await aborted;
    expect(OrasError.is(err) && (err as OrasError).code).toBe(ErrorCode.Aborted);
    release?.();
    const res = await other;
    expect(res.statusCode).toBe(200);
    await text(res);
    expect(tokens.requests).toHaveLength(1);
  });
});
