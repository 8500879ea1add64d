import { ErrorCode, OrasError } from '@oras/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCredentialStore } from './credential-store.js';
import { UnauthorizedError } from './errors.js';
import { checkCredentials, login, logout } from './login.js';
import { sendJson, startServer, type TestServer } from './test-support/server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A registry whose token service accepts only `user:pass`. */
async function registry(): Promise<TestServer> {
  const s = await startServer((req, res) => {
    if (req.url.pathname === '/token') {
      const ok = req.headers.authorization === `Basic ${Buffer.from('user:pass').toString('base64')}`;
      if (ok) sendJson(res, 200, { token: 'tok' });
      else sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
      return;
    }
    if (req.headers.authorization === 'Bearer tok') return sendJson(res, 200, {});
    sendJson(res, 401, {}, { 'www-authenticate': `Bearer realm="${s.origin}/token",service="svc"` });
  });
  servers.push(s);
  return s;
}

describe('login', () => {
  it('stores a credential the registry accepts under the registry host', async () => {
    const s = await registry();
    const store = new MemoryCredentialStore();
    await login(store, s.host, { username: 'user', password: 'pass' }, { plainHttp: true });
    expect(await store.get(s.host)).toEqual({ username: 'user', password: 'pass' });
    await logout(store, s.host);
    expect(await store.get(s.host)).toEqual({});
  });

  it('stores nothing when the registry refuses the credential', async () => {
    const s = await registry();
    const store = new MemoryCredentialStore();
    const err = await login(store, s.url.origin, { username: 'user', password: 'wrong-pw' }).catch(
      (e: unknown) => e,
    );
    expect(UnauthorizedError.is(err)).toBe(true);
    expect((err as Error).message).toContain('bad credentials');
    expect((err as Error).message).not.toContain('wrong-pw');
    expect(await store.get(s.host)).toEqual({});
  });
});

describe('checkCredentials', () => {
  it('reports an unexpected status as a response error', async () => {
    const s = await startServer((_req, res) => sendJson(res, 500, {}));
    servers.push(s);
    const err = await checkCredentials(s.url.origin, { username: 'u', password: 'p' }).catch(
      (e: unknown) => e,
    );
    expect(OrasError.is(err) && (err as OrasError).code).toBe(ErrorCode.Response);
    expect((err as Error).message).toBe(`GET ${s.origin}/v2/: login check failed: unexpected status 500`);
  });

  it('reports a 401 that names no challenge as unauthorized', async () => {
    const s = await startServer((_req, res) => sendJson(res, 401, {}));
    servers.push(s);
    const err = await checkCredentials(s.host, {}, { plainHttp: true }).catch((e: unknown) => e);
    expect(UnauthorizedError.is(err)).toBe(true);
    expect((err as Error).message).toBe(`${s.host}: login failed: 401 unauthorized`);
  });
});
