/**
 * Proxies in the transport: a forward proxy for `http://` registries, a `CONNECT` tunnel for
 * `https://` ones, `NO_PROXY`, the environment, credentials from the proxy URL (never shown).
 *
 * The registry is on 127.0.0.1, and clients never proxy loopback (Go's rule), so the tests name
 * it `registry.test`, which only the test proxy resolves: a request that bypassed the proxy would
 * fail to resolve the name.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthClient } from '@oras/auth';
import { ConnectionError } from '@oras/spec';
import { createTlsCertificates, startTestRegistry, type TestRegistry } from '@oras-internal/test-registry';
import type { Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RemoteRegistry } from './registry.js';
import { RemoteRepository } from './repository/remote-repository.js';
import { startTestProxy, type TestProxy } from './test-support/proxy.js';
import { createTransport, type TransportOptions } from './transport.js';

const enc = new TextEncoder();
let registry: TestRegistry;
let proxy: TestProxy;
const closers: Dispatcher[] = [];

beforeAll(async () => {
  registry = await startTestRegistry();
  proxy = await startTestProxy({
    hosts: { 'registry.test': '127.0.0.1' },
    auth: { username: 'proxy-user', password: 'proxy-s3cret' },
  });
});
afterAll(async () => {
  await proxy?.close();
  await registry?.close();
});
afterEach(async () => {
  proxy.requests.length = 0;
  await Promise.all(closers.splice(0).map((d) => d.close()));
});

const proxyWithAuth = () => `http://proxy-user:proxy-s3cret@127.0.0.1:${proxy.port}`;
const named = () => `registry.test:${registry.port}`;

function repository(host: string, options: TransportOptions): RemoteRepository {
  const dispatcher = createTransport({ retry: false, ...options });
  closers.push(dispatcher);
  return new RemoteRepository({
    reference: `${host}/proxy/test`,
    client: new AuthClient({ dispatcher }),
    plainHttp: true,
  });
}

async function pushAndResolve(repo: RemoteRepository): Promise<void> {
  const blob = enc.encode(`through the proxy ${Math.random()}`);
  const { descriptorOf } = await import('@oras/content');
  const desc = descriptorOf('application/octet-stream', blob);
  await repo.push(desc, blob);
  expect(await repo.exists(desc)).toBe(true);
}

describe('a forward proxy for plain-HTTP registries', () => {
  it('carries every request, with the credentials of the proxy URL', async () => {
    await pushAndResolve(repository(named(), { proxy: { httpProxy: proxyWithAuth() } }));
    expect(proxy.requests.length).toBeGreaterThan(2);
    const basic = `Basic ${Buffer.from('proxy-user:proxy-s3cret').toString('base64')}`;
    for (const seen of proxy.requests) {
      expect(seen.target.startsWith(`http://${named()}/v2/`)).toBe(true);
      expect(seen.proxyAuthorization).toBe(basic);
    }
  });

  it('takes ALL_PROXY when the scheme has no proxy of its own', async () => {
    await pushAndResolve(repository(named(), { proxy: { allProxy: proxyWithAuth() } }));
    expect(proxy.requests.length).toBeGreaterThan(0);
  });

  it('is bypassed for NO_PROXY hosts and for loopback', async () => {
    await pushAndResolve(
      repository(named(), {
        proxy: { httpProxy: proxyWithAuth(), noProxy: 'example.com, .test' },
        resolve: [`${named()}:127.0.0.1`],
      }),
    );
    await pushAndResolve(repository(registry.host, { proxy: { httpProxy: proxyWithAuth() } }));
    expect(proxy.requests).toEqual([]);
  });

  it('is read from the environment when no proxy is given', async () => {
    const names = ['HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];
    const saved = names.map((name) => [name, process.env[name]] as const);
    try {
      process.env.HTTP_PROXY = proxyWithAuth();
      delete process.env.http_proxy;
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      await pushAndResolve(repository(named(), {}));
      expect(proxy.requests.length).toBeGreaterThan(0);
      proxy.requests.length = 0;
      process.env.no_proxy = 'registry.test';
      await pushAndResolve(repository(named(), { resolve: [`${named()}:127.0.0.1`] }));
      expect(proxy.requests).toEqual([]);
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('says so when it wants credentials', async () => {
    const err = await repository(named(), { proxy: { httpProxy: proxy.url } })
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(
      `HEAD http://${named()}/v2/proxy/test/manifests/v1: the proxy answered 407: proxy authentication required`,
    );
  });

  it('is not used with proxy: false', async () => {
    const err = await repository(named(), { proxy: false })
      .resolve('v1')
      .catch((e: unknown) => e);
    // nothing but the proxy knows the name
    expect(ConnectionError.is(err)).toBe(true);
    expect(proxy.requests).toEqual([]);
  });

  it('never shows its password when it cannot be reached', async () => {
    const closed = await startTestProxy({ hosts: {} });
    await closed.close();
    const err = await repository(named(), {
      proxy: { httpProxy: `http://proxy-user:proxy-s3cret@127.0.0.1:${closed.port}` },
    })
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(
      `cannot reach ${named()}: connection refused (by 127.0.0.1:${closed.port})`,
    );
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('proxy-s3cret');
  });

  it('refuses a proxy URL it cannot use, without showing its password', () => {
    expect(() => createTransport({ proxy: { httpsProxy: 'ftp://u:pw-s3cret@proxy:2121' } })).toThrow(
      /^HTTPS_PROXY: invalid proxy URL "ftp:\/\/u:xxxxx@proxy:2121\/": expected/,
    );
  });
});

describe('a CONNECT tunnel for HTTPS registries', () => {
  let dir: string;
  let server: HttpsServer;
  let caPem: string;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oras-proxy-'));
    const certs = await createTlsCertificates(dir, { hosts: ['registry.test'] });
    caPem = certs.caPem;
    server = createHttpsServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
      res.writeHead(req.url === '/v2/' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    await rm(dir, { recursive: true, force: true });
  });

  function ping(options: TransportOptions): Promise<void> {
    const dispatcher = createTransport({ retry: false, ca: caPem, ...options });
    closers.push(dispatcher);
    return new RemoteRegistry({
      registry: `registry.test:${port}`,
      client: new AuthClient({ dispatcher }),
    }).ping();
  }

  it('tunnels TLS to the registry, verified against the registry’s CA', async () => {
    await ping({ proxy: { httpsProxy: proxyWithAuth(), httpProxy: 'http://127.0.0.1:1' } });
    expect(proxy.requests.map((r) => [r.method, r.target])).toEqual([['CONNECT', `registry.test:${port}`]]);
    expect(proxy.requests[0]?.proxyAuthorization).toBe(
      `Basic ${Buffer.from('proxy-user:proxy-s3cret').toString('base64')}`,
    );
  });

  it('says the proxy refused the tunnel when it wants credentials', async () => {
    const err = await ping({ proxy: { httpsProxy: proxy.url } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(
      `GET https://registry.test:${port}/v2/: the proxy answered 407: proxy authentication required`,
    );
  });
});
