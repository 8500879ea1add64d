import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, pushBlob, resolveLocation, sha256 } from '../test-support/http.js';
import { type TokenIssuer, startTokenIssuer } from '../token-issuer.js';
import { type TestRegistry, startTestRegistry } from './server.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('test registry with basic auth', () => {
  let registry: TestRegistry;
  afterEach(() => registry.close());

  it('challenges without credentials and accepts the right ones', async () => {
    registry = await startTestRegistry({ auth: { basic: { alice: 'secret' } } });
    const anonymous = await http(`${registry.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="oras-test-registry"');
    expect(JSON.parse(anonymous.text).errors[0].code).toBe('UNAUTHORIZED');
    const wrong = await http(`${registry.url}/v2/`, { headers: { authorization: basic('alice', 'nope') } });
    expect(wrong.status).toBe(401);
    const digest = await pushBlob(
      { url: registry.url, headers: { authorization: basic('alice', 'secret') } },
      'a/b',
      'content',
    );
    const pulled = await http(`${registry.url}/v2/a/b/blobs/${digest}`, {
      headers: { authorization: basic('alice', 'secret') },
    });
    expect(pulled.text).toBe('content');
  });
});

describe('test registry with bearer tokens', () => {
  let issuer: TokenIssuer;
  let registry: TestRegistry;
  beforeAll(async () => {
    issuer = await startTokenIssuer({
      users: { alice: 'secret', bob: 'builder' },
      access: [
        { account: 'alice', name: '*', actions: ['*'] },
        { account: 'alice', type: 'registry', name: 'catalog', actions: ['*'] },
        { account: 'bob', name: 'bob/*', actions: ['pull', 'push'] },
      ],
    });
  });
  afterAll(() => issuer.close());
  afterEach(() => registry.close());

  const token = (account: string, scope: string) => issuer.issue(account, issuer.grant(account, [scope]));

  it('challenges with realm, service and the scope the request needs', async () => {
    registry = await startTestRegistry({ auth: { token: issuer } });
    const res = await http(`${registry.url}/v2/a/b/blobs/uploads/`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="${issuer.realm}",service="${issuer.service}",scope="repository:a/b:pull,push"`,
    );
    const catalog = await http(`${registry.url}/v2/_catalog`);
    expect(catalog.headers['www-authenticate']).toContain('scope="registry:catalog:*"');
  });

  it('accepts a token from the issuer that grants the scope', async () => {
    registry = await startTestRegistry({ auth: { token: issuer } });
    const res = await http(
      `${issuer.realm}?service=${issuer.service}&scope=${encodeURIComponent('repository:a/b:pull,push')}`,
      { headers: { authorization: basic('alice', 'secret') } },
    );
    const { token: jwt } = JSON.parse(res.text);
    const digest = await pushBlob(
      { url: registry.url, headers: { authorization: `Bearer ${jwt}` } },
      'a/b',
      'x',
    );
    expect(digest).toBe(sha256('x'));
  });

  it('answers 401 insufficient_scope when the token lacks an action', async () => {
    registry = await startTestRegistry({ auth: { token: issuer } });
    const jwt = token('bob', 'repository:alice/app:pull,push');
    const res = await http(`${registry.url}/v2/alice/app/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('answers 401 invalid_token to an expired or forged token', async () => {
    registry = await startTestRegistry({ auth: { token: issuer } });
    const expired = issuer.issue('alice', [{ type: 'repository', name: 'a/b', actions: ['pull'] }], -1);
    const stale = await http(`${registry.url}/v2/a/b/tags/list`, {
      headers: { authorization: `Bearer ${expired}` },
    });
    expect(stale.status).toBe(401);
    expect(stale.headers['www-authenticate']).toContain('error="invalid_token"');
    const good = token('alice', 'repository:a/b:pull');
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${Buffer.from('not a signature').toString('base64url')}`;
    const res = await http(`${registry.url}/v2/a/b/tags/list`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).errors[0].message).toBe('token: invalid signature');
  });

  it('mounts only from a repository the token may pull', async () => {
    registry = await startTestRegistry({ auth: { token: issuer } });
    const alice = token('alice', 'repository:alice/src:pull,push');
    const digest = await pushBlob(
      { url: registry.url, headers: { authorization: `Bearer ${alice}` } },
      'alice/src',
      'm',
    );
    const bob = token('bob', 'repository:bob/dst:pull,push');
    const res = await http(`${registry.url}/v2/bob/dst/blobs/uploads/?mount=${digest}&from=alice/src`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob}` },
    });
    expect(res.status).toBe(202);
    const both = issuer.issue('alice', [
      { type: 'repository', name: 'alice/dst', actions: ['pull', 'push'] },
      { type: 'repository', name: 'alice/src', actions: ['pull'] },
    ]);
    const mounted = await http(`${registry.url}/v2/alice/dst/blobs/uploads/?mount=${digest}&from=alice/src`, {
      method: 'POST',
      headers: { authorization: `Bearer ${both}` },
    });
    expect(mounted.status).toBe(201);
  });

  it('expireTokensMidUpload: refuses the token that started the upload once, then accepts a new one', async () => {
    registry = await startTestRegistry({ auth: { token: issuer }, faults: { expireTokensMidUpload: true } });
    const first = token('alice', 'repository:a/b:pull,push');
    const start = await http(`${registry.url}/v2/a/b/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first}` },
    });
    expect(start.status).toBe(202);
    const location = resolveLocation(registry.url, start.headers.location);
    const patch = (jwt: string) =>
      http(location, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${jwt}`, 'content-range': '0-4' },
        body: 'hello',
      });
    const refused = await patch(first);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(registry.faultCount('expireTokensMidUpload')).toBe(1);
    const second = token('alice', 'repository:a/b:pull,push');
    const accepted = await patch(second);
    expect(accepted.status).toBe(202);
    const done = new URL(resolveLocation(registry.url, accepted.headers.location));
    done.searchParams.set('digest', sha256('hello'));
    const put = await http(done, { method: 'PUT', headers: { authorization: `Bearer ${second}` } });
    expect(put.status).toBe(201);
  });

  it('expireTokensMidUpload with times: only the first uploads are refused', async () => {
    registry = await startTestRegistry({
      auth: { token: issuer },
      faults: { expireTokensMidUpload: { times: 1 } },
    });
    const upload = async () => {
      const jwt = token('alice', 'repository:a/b:pull,push');
      const start = await http(`${registry.url}/v2/a/b/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${jwt}` },
      });
      const done = new URL(resolveLocation(registry.url, start.headers.location));
      done.searchParams.set('digest', sha256('hello'));
      return http(done, { method: 'PUT', headers: { authorization: `Bearer ${jwt}` }, body: 'hello' });
    };
    expect((await upload()).status).toBe(401);
    expect((await upload()).status).toBe(201);
    expect(registry.faultCount('expireTokensMidUpload')).toBe(1);
  });
});
