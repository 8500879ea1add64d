import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionError, ErrorCode, OrasError, TimeoutError } from '@oras/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthClient } from './client.js';
import { transportError, UnauthorizedError } from './errors.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function plainServer(): Promise<number> {
  const server = createServer((_req, res) => res.end('plain'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('transportError', () => {
  it('says a refused connection cannot reach the host, as a ConnectionError with the system code', async () => {
    const port = await closedPort();
    const err = await new AuthClient()
      .request({ method: 'GET', url: `http://127.0.0.1:${port}/v2/` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(ConnectionError.is(err)).toBe(true);
    const connection = err as ConnectionError;
    expect(connection.message).toBe(`cannot reach 127.0.0.1:${port}: connection refused`);
    expect(connection.code).toBe(ErrorCode.Network);
    expect(connection.host).toBe(`127.0.0.1:${port}`);
    expect(connection.systemCode).toBe('ECONNREFUSED');
  });

  it('names the host as written, for a name that resolves to several addresses', async () => {
    const port = await closedPort();
    const err = await new AuthClient()
      .request({ method: 'GET', url: `http://localhost:${port}/v2/` })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(`cannot reach localhost:${port}: connection refused`);
    expect((err as ConnectionError).systemCode).toBe('ECONNREFUSED');
  });

  it('says a plain-HTTP server was spoken to over HTTPS, instead of the raw OpenSSL text', async () => {
    const port = await plainServer();
    const err = await new AuthClient()
      .request({ method: 'GET', url: `https://127.0.0.1:${port}/v2/` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(
      `the registry at 127.0.0.1:${port} speaks plain HTTP: set plainHttp: true`,
    );
    expect((err as Error).message).not.toMatch(/ssl3|routines/);
  });

  it('maps undici timeouts to TimeoutError and breaks to ConnectionError', () => {
    const url = 'https://registry.example:5000/v2/a/blobs/sha256:ab';
    const stalled = transportError(
      'GET x',
      Object.assign(new Error('Body Timeout Error'), { code: 'UND_ERR_BODY_TIMEOUT' }),
      url,
    );
    expect(stalled).toBeInstanceOf(TimeoutError);
    expect(stalled.message).toBe('GET x: timed out (the response stalled)');
    expect((stalled as TimeoutError).host).toBe('registry.example:5000');
    const reset = transportError(
      'GET x',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      url,
    );
    expect(reset).toBeInstanceOf(ConnectionError);
    expect(reset.message).toBe('GET x: connection reset by peer (registry.example:5000)');
    const missing = transportError(
      'GET x',
      Object.assign(new Error('getaddrinfo ENOTFOUND registry.example'), { code: 'ENOTFOUND' }),
      url,
    );
    expect(missing.message).toBe('cannot reach registry.example:5000: no such host');
  });

  it('says why a response that broke mid-body could not be resumed', () => {
    const retry = (message: string, statusCode: number) =>
      Object.assign(new Error(message), { code: 'UND_ERR_REQ_RETRY', statusCode });
    const ignored = transportError(
      'v1: manifest',
      retry('server does not support the range header and the payload was partially consumed', 200),
    );
    expect(ignored).toBeInstanceOf(ConnectionError);
    expect(ignored.code).toBe(ErrorCode.Network);
    expect(ignored.message).toBe(
      'v1: manifest: the connection broke mid-response and the registry cannot resume it (it ignored the Range header, status 200)',
    );
    expect(transportError('page of tags', retry('Content-Range mismatch', 206)).message).toBe(
      'page of tags: the connection broke mid-response and the registry cannot resume it (Content-Range mismatch, status 206)',
    );
  });

  it('names the address that refused when it is not the URL’s (a proxy)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3128'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 3128,
    });
    expect(transportError('GET x', refused, 'https://registry.example/v2/').message).toBe(
      'cannot reach registry.example: connection refused (by 127.0.0.1:3128)',
    );
  });

  it('says what a proxy answered, without its credentials', () => {
    const err = transportError(
      'GET https://registry.example/v2/',
      Object.assign(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), {
        code: 'UND_ERR_ABORTED',
      }),
      'https://registry.example/v2/',
    );
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(
      'GET https://registry.example/v2/: the proxy answered 407: proxy authentication required',
    );
  });

  it('returns an ORAS error as it is', () => {
    const own = new UnauthorizedError('kept');
    expect(transportError('GET x', own)).toBe(own);
    expect(OrasError.is(transportError('GET x', new Error('odd')))).toBe(true);
  });
});
