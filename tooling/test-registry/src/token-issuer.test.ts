import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { http } from './test-support/http.js';
import { type TokenIssuer, grantedActions, parseScope, startTokenIssuer } from './token-issuer.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function decode(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(p!, 'base64url').toString()),
  };
}

describe('parseScope', () => {
  it('splits type, name and actions, allowing colons in the name', () => {
    expect(parseScope('repository:a/b:pull,push')).toEqual({
      type: 'repository',
      name: 'a/b',
      actions: ['pull', 'push'],
    });
    expect(parseScope('repository:host:5000/a:pull')).toEqual({
      type: 'repository',
      name: 'host:5000/a',
      actions: ['pull'],
    });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseScope('nonsense')).toBeUndefined();
    expect(parseScope('repository:a:')).toBeUndefined();
  });
});

describe('grantedActions', () => {
  const rules = [
    { account: 'alice', name: 'team/*', actions: ['pull', 'push'] },
    { account: '*', name: 'public', actions: ['pull'] },
    { account: '', name: 'open', actions: ['pull'] },
  ];
  it('grants what the rules allow, per account and repository pattern', () => {
    const want = (name: string, actions: string[]) => ({ type: 'repository', name, actions });
    expect(grantedActions(rules, 'alice', want('team/app', ['pull', 'push', 'delete']))).toEqual([
      'pull',
      'push',
    ]);
    expect(grantedActions(rules, 'bob', want('team/app', ['pull']))).toEqual([]);
    expect(grantedActions(rules, 'bob', want('public', ['pull', 'push']))).toEqual(['pull']);
    expect(grantedActions(rules, '', want('public', ['pull']))).toEqual([]);
    expect(grantedActions(rules, '', want('open', ['pull']))).toEqual(['pull']);
  });
});

describe('startTokenIssuer', () => {
  let issuer: TokenIssuer;
  afterEach(() => issuer.close());

  const get = (query: string, authorization?: string) =>
    http(`${issuer.realm}?${query}`, { headers: authorization ? { authorization } : {} });
  const post = (fields: Record<string, string>) =>
    http(issuer.realm, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ service: issuer.service, client_id: 'oras-test', ...fields }).toString(),
    });

  it('signs RS256 JWTs with the certificate in x5c and the distribution claims', async () => {
    issuer = await startTokenIssuer({ users: { alice: 'pw' }, expiresIn: 42 });
    const res = await get(
      `service=${issuer.service}&scope=repository:a/b:pull&scope=repository:c:push`,
      basic('alice', 'pw'),
    );
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.token).toBe(body.access_token);
    expect(body.expires_in).toBe(42);
    expect(Number.isNaN(Date.parse(body.issued_at))).toBe(false);
    const { header, claims } = decode(body.token);
    expect(header.alg).toBe('RS256');
    const cert = new X509Certificate(Buffer.from((header.x5c as string[])[0]!, 'base64'));
    expect(cert.toString()).toBe(new X509Certificate(issuer.certPem).toString());
    expect(claims).toMatchObject({ iss: issuer.issuer, sub: 'alice', aud: issuer.service });
    expect((claims.exp as number) - (claims.iat as number)).toBe(42);
    expect(typeof claims.jti).toBe('string');
    expect(claims.access).toEqual([
      { type: 'repository', name: 'a/b', actions: ['pull'] },
      { type: 'repository', name: 'c', actions: ['push'] },
    ]);
    expect(issuer.verify(body.token).sub).toBe('alice');
  });

  it('gives the anonymous caller no access unless anonymous pull is on', async () => {
    issuer = await startTokenIssuer({ anonymousPull: ['public/*'] });
    const res = await get(
      `service=${issuer.service}&scope=repository:public/x:pull,push&scope=repository:private:pull`,
    );
    expect(res.status).toBe(200);
    expect(decode(JSON.parse(res.text).token).claims.access).toEqual([
      { type: 'repository', name: 'public/x', actions: ['pull'] },
    ]);
    expect(issuer.requests[0]).toMatchObject({ account: '', status: 200 });
  });

  it('answers 401 to wrong credentials and 400 to another service', async () => {
    issuer = await startTokenIssuer({ users: { alice: 'pw' } });
    expect((await get(`service=${issuer.service}`, basic('alice', 'wrong'))).status).toBe(401);
    expect((await get(`service=${issuer.service}`, basic('mallory', 'pw'))).status).toBe(401);
    expect((await get('service=elsewhere', basic('alice', 'pw'))).status).toBe(400);
  });

  it('issues refresh tokens for offline access and exchanges them', async () => {
    issuer = await startTokenIssuer({ users: { alice: 'pw' } });
    const online = JSON.parse(
      (await post({ grant_type: 'password', username: 'alice', password: 'pw' })).text,
    );
    expect(online.refresh_token).toBeUndefined();
    const offline = JSON.parse(
      (
        await post({
          grant_type: 'password',
          username: 'alice',
          password: 'pw',
          access_type: 'offline',
          scope: 'repository:a:pull',
        })
      ).text,
    );
    expect(offline.refresh_token).toMatch(/^rt-/);
    expect(offline.scope).toBe('repository:a:pull');
    const viaGet = JSON.parse(
      (await get(`service=${issuer.service}&offline_token=true`, basic('alice', 'pw'))).text,
    );
    expect(viaGet.refresh_token).toMatch(/^rt-/);
    const refreshed = await post({
      grant_type: 'refresh_token',
      refresh_token: offline.refresh_token,
      scope: 'repository:b:push',
    });
    expect(refreshed.status).toBe(200);
    expect(decode(JSON.parse(refreshed.text).access_token).claims).toMatchObject({
      sub: 'alice',
      access: [{ type: 'repository', name: 'b', actions: ['push'] }],
    });
    expect((await post({ grant_type: 'refresh_token', refresh_token: 'rt-unknown' })).status).toBe(401);
    expect(issuer.requests.at(-2)!.form).toMatchObject({ grant_type: 'refresh_token' });
  });

  it('issues refresh tokens for every password grant when refreshTokens is always', async () => {
    issuer = await startTokenIssuer({ users: { alice: 'pw' }, refreshTokens: 'always' });
    const res = JSON.parse((await post({ grant_type: 'password', username: 'alice', password: 'pw' })).text);
    expect(res.refresh_token).toMatch(/^rt-/);
    expect(issuer.requests[0]!.form?.password).toBe('<redacted>');
  });

  it('refuses malformed OAuth2 requests', async () => {
    issuer = await startTokenIssuer({ users: { alice: 'pw' } });
    expect((await post({ grant_type: 'password', username: 'alice', password: 'bad' })).status).toBe(401);
    expect((await post({ grant_type: 'authorization_code' })).status).toBe(400);
    expect((await post({ grant_type: 'password', client_id: '' })).status).toBe(400);
    const json = await http(issuer.realm, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
  });

  it('lets tests change the lifetime and subtract a registry leeway from exp', async () => {
    issuer = await startTokenIssuer({ users: { alice: 'pw' }, registryLeewaySeconds: 60 });
    issuer.setExpiresIn(5);
    const body = JSON.parse((await get(`service=${issuer.service}`, basic('alice', 'pw'))).text);
    expect(body.expires_in).toBe(5);
    const { claims } = decode(body.token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(5 - 60);
    expect(() => issuer.verify(body.token)).not.toThrow();
    const stale = issuer.issue('alice', [], -1);
    expect(() => issuer.verify(stale)).toThrow('token: expired');
  });
});
