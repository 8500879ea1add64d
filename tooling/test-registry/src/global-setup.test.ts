import { describe, expect, it } from 'vitest';
import { realRegistry, selectRealRegistry } from './real-registries.js';
import { http, pushBlob, sha256 } from './test-support/http.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('global setup', () => {
  it('provides the plain registry', async () => {
    const registry = realRegistry('plain');
    const digest = await pushBlob({ url: registry.url }, 'setup/plain', 'plain');
    expect((await http(`${registry.url}/v2/setup/plain/blobs/${digest}`)).text).toBe('plain');
  });

  it('provides the basic-tls registry with its CA and users', async () => {
    const registry = realRegistry('basic-tls');
    const ep = {
      url: registry.url,
      ca: registry.caPem,
      headers: { authorization: basic('oras', registry.users!.oras!) },
    };
    const digest = await pushBlob(ep, 'setup/tls', 'tls');
    expect(digest).toBe(sha256('tls'));
  });

  it('provides the token registry with its issuer', async () => {
    const registry = realRegistry('token');
    const issuer = registry.tokenIssuer!;
    const res = await http(
      `${issuer.realm}?service=${issuer.service}&scope=repository:setup/token:pull,push`,
      {
        headers: { authorization: basic('oras', registry.users!.oras!) },
      },
    );
    const { token } = JSON.parse(res.text);
    const digest = await pushBlob(
      { url: registry.url, headers: { authorization: `Bearer ${token}` } },
      'setup/token',
      't',
    );
    expect(digest).toBe(sha256('t'));
  });
});

describe('selectRealRegistry', () => {
  it('throws the reason a mode did not start', () => {
    const provided = {
      plain: {
        ok: false as const,
        mode: 'plain' as const,
        error: 'plain registry: docker-registry is not installed',
      },
    };
    expect(() => selectRealRegistry(provided, 'plain')).toThrow(
      'plain registry: did not start in the global setup: docker-registry is not installed',
    );
    expect(() => selectRealRegistry(provided, 'token')).toThrow(
      'token registry: not provided by the global setup',
    );
  });

  it('throws when the global setup is not configured', () => {
    expect(() => selectRealRegistry(undefined, 'basic-tls')).toThrow(
      /add '@oras-internal\/test-registry\/global-setup'/,
    );
  });
});
