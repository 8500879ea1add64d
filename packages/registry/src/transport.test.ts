import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlainClient, USER_AGENT } from './http.js';
import { createTransport, parseResolveRule } from './transport.js';

let dir: string;
const file = (name: string) => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, a server certificate for registry.test and 127.0.0.1, and a client certificate. */
function makePki(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=test ca',
  );
  writeFileSync(file('server.ext'), 'subjectAltName=DNS:registry.test,IP:127.0.0.1\n');
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    '/CN=registry.test',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.pem'),
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('client.key'),
    '-out',
    file('client.csr'),
    '-subj',
    '/CN=oras client',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('client.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('client.pem'),
    '-days',
    '2',
  );
}

const servers: Server[] = [];

/** An https server that answers with the CN of the client certificate it was shown ("none" without). */
async function tlsServer(): Promise<number> {
  const server = createServer(
    {
      key: readFileSync(file('server.key')),
      cert: readFileSync(file('server.pem')),
      ca: readFileSync(file('ca.pem')),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(JSON.stringify({ cn: peer?.subject?.CN ?? 'none', ua: req.headers['user-agent'] ?? '' }));
    },
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oras-tls-'));
  makePki();
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('parseResolveRule', () => {
  it('parses host:port:address[:port], with IPv6 in brackets', () => {
    expect(parseResolveRule('reg.example:443:10.0.0.1')).toEqual({
      host: 'reg.example',
      port: 443,
      address: '10.0.0.1',
    });
    expect(parseResolveRule('reg.example:443:[::1]:8443')).toEqual({
      host: 'reg.example',
      port: 443,
      address: '::1',
      addressPort: 8443,
    });
    expect(() => parseResolveRule('reg.example:10.0.0.1')).toThrow(/host:port:address/);
    expect(() => parseResolveRule('reg.example:0:10.0.0.1')).toThrow(/bad port/);
  });
});

describe('createTransport', () => {
  it('trusts a CA file everywhere and presents the client certificate to the registry only', async () => {
    const registryPort = await tlsServer();
    const otherPort = await tlsServer();
    const dispatcher = createTransport({
      registryHosts: [`127.0.0.1:${registryPort}`],
      caFile: file('ca.pem'),
      certFile: file('client.pem'),
      keyFile: file('client.key'),
      retry: false,
    });
    try {
      const toRegistry = await request(`https://127.0.0.1:${registryPort}/`, { dispatcher });
      expect(JSON.parse(await toRegistry.body.text()).cn).toBe('oras client');
      // another origin (blob storage, a token realm) trusts the CA but never sees the certificate
      const toOther = await request(`https://127.0.0.1:${otherPort}/`, { dispatcher });
      expect(JSON.parse(await toOther.body.text()).cn).toBe('none');
    } finally {
      await dispatcher.close();
    }
  });

  it('refuses an untrusted registry certificate unless insecure', async () => {
    const port = await tlsServer();
    const strict = createTransport({ registryHosts: [`127.0.0.1:${port}`], retry: false });
    const insecure = createTransport({ registryHosts: [`127.0.0.1:${port}`], insecure: true, retry: false });
    try {
      await expect(request(`https://127.0.0.1:${port}/`, { dispatcher: strict })).rejects.toThrow(
        /certificate/,
      );
      const res = await request(`https://127.0.0.1:${port}/`, { dispatcher: insecure });
      expect(JSON.parse(await res.body.text()).cn).toBe('none');
    } finally {
      await strict.close();
      await insecure.close();
    }
  });

  it('connects to the --resolve address and still verifies the certificate name', async () => {
    const port = await tlsServer();
    const dispatcher = createTransport({
      registryHosts: [`registry.test:${port}`],
      caFile: file('ca.pem'),
      resolve: [`registry.test:${port}:127.0.0.1`],
      retry: false,
    });
    const wrongName = createTransport({
      registryHosts: [`other.test:${port}`],
      caFile: file('ca.pem'),
      resolve: [`other.test:${port}:127.0.0.1`],
      retry: false,
    });
    try {
      const res = await request(`https://registry.test:${port}/`, { dispatcher });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      await expect(request(`https://other.test:${port}/`, { dispatcher: wrongName })).rejects.toThrow(
        /altnames|certificate/i,
      );
    } finally {
      await dispatcher.close();
      await wrongName.close();
    }
  });

  it('sends the oras-ts User-Agent through PlainClient', async () => {
    const port = await tlsServer();
    const dispatcher = createTransport({ registryHosts: [`127.0.0.1:${port}`], caFile: file('ca.pem') });
    try {
      const res = await new PlainClient({ dispatcher }).request({
        method: 'GET',
        url: `https://127.0.0.1:${port}/`,
      });
      expect(JSON.parse(await res.body.text()).ua).toBe(USER_AGENT);
      expect(USER_AGENT).toMatch(/^oras-ts\/\d+\.\d+\.\d+/);
    } finally {
      await dispatcher.close();
    }
  });
});

describe('createTransport keep-alive', () => {
  it('keeps the connection after a HEAD for the next request, as after any other', async () => {
    let connections = 0;
    const server = createHttpServer((req, res) => {
      res.writeHead(200, { 'content-length': '5' });
      res.end(req.method === 'HEAD' ? undefined : 'hello');
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // one connection per origin: a request after a closed one must open a new connection
    const dispatcher = createTransport({ retry: false, connections: 1 });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/a/blobs/x`;
      for (const method of ['HEAD', 'HEAD', 'GET', 'HEAD', 'GET'] as const) {
        const res = await request(url, { method, dispatcher });
        expect(await res.body.text()).toBe(method === 'HEAD' ? '' : 'hello');
      }
      const retrying = createTransport({ connections: 1 });
      try {
        for (const method of ['HEAD', 'GET', 'HEAD'] as const) {
          const res = await request(url, { method, dispatcher: retrying });
          await res.body.dump();
        }
      } finally {
        await retrying.close();
      }
      // one connection per transport: no HEAD closed its connection
      expect(connections).toBe(2);
    } finally {
      await dispatcher.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
