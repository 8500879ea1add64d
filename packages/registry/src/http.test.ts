import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseErrorBody, ResponseError, redactResponseUrl } from './errors.js';
import { PlainClient, readCapped, toResponseError } from './http.js';
import { parseNextLink, resolveUploadLocation } from './urls.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(
  handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('PlainClient redirects', () => {
  it('drops credentials and custom headers when a redirect leaves the origin', async () => {
    const seen: IncomingMessage['headers'][] = [];
    const storage = await serve((req, res) => {
      seen.push(req.headers);
      res.end('blob');
    });
    const registry = await serve((req, res) => {
      seen.push(req.headers);
      res.writeHead(307, { location: `${storage}/signed?sig=abc` });
      res.end();
    });
    const client = new PlainClient({ headers: { 'x-custom': 'secret' } });
    const res = await client.request({
      method: 'GET',
      url: `${registry}/v2/a/blobs/x`,
      headers: { authorization: 'Bearer t', range: 'bytes=0-' },
    });
    expect(await res.body.text()).toBe('blob');
    expect(res.url.origin).toBe(storage);
    expect(seen[0]?.authorization).toBe('Bearer t');
    expect(seen[0]?.['x-custom']).toBe('secret');
    expect(seen[1]?.authorization).toBeUndefined();
    expect(seen[1]?.['x-custom']).toBeUndefined();
    expect(seen[1]?.range).toBe('bytes=0-');
  });

  it('does not follow redirects for other methods or when told not to', async () => {
    const registry = await serve((_req, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    const client = new PlainClient();
    const put = await client.request({ method: 'PUT', url: `${registry}/x`, body: 'a' });
    expect(put.statusCode).toBe(302);
    await put.body.dump();
    const get = await client.request({ method: 'GET', url: `${registry}/x`, followRedirects: false });
    expect(get.statusCode).toBe(302);
    await get.body.dump();
  });
});

describe('ResponseError', () => {
  it('parses the distribution error body and redacts the URL', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: 'v1' } }],
        }),
      );
    });
    const res = await new PlainClient().request({
      method: 'GET',
      url: `http://user:pw@${url.slice(7)}/v2/a/manifests/v1?token=s3cret&n=5`,
    });
    const err = await toResponseError('GET', res);
    expect(ResponseError.is(err)).toBe(true);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('ORAS_ERR_NOT_FOUND');
    expect(err.errors).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: 'v1' } },
    ]);
    expect(err.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/v2\/a\/manifests\/v1\?token=\*\*\*&n=5: response status code 404: manifest unknown: manifest unknown$/,
    );
    expect(err.message).not.toContain('s3cret');
    expect(err.message).not.toContain('pw');
  });

  it('keeps a snippet of a plain-text body and reads at most a capped error body', () => {
    expect(parseErrorBody(new TextEncoder().encode('Too Many Requests (HAP429).\n'))).toEqual({
      errors: [],
      bodySnippet: 'Too Many Requests (HAP429).',
    });
    expect(parseErrorBody(new TextEncoder().encode('x'.repeat(1000))).bodySnippet).toHaveLength(203);
    expect(redactResponseUrl('https://a.example/p?X-Amz-Signature=abc&digest=sha256:1')).toBe(
      'https://a.example/p?X-Amz-Signature=***&digest=sha256%3A1',
    );
  });
});

describe('readCapped', () => {
  it('refuses a body over the cap whatever Content-Length says', async () => {
    const url = await serve((_req, res) => {
      res.end('y'.repeat(5000));
    });
    const res = await new PlainClient().request({ method: 'GET', url });
    await expect(readCapped(res.body, 1000, 'thing')).rejects.toThrow(
      /thing: response body exceeds the limit of 1000 bytes/,
    );
  });
});

describe('urls', () => {
  const base = new URL('https://reg.example/v2/a/tags/list?n=2');
  it('finds the next link on the same origin', () => {
    expect(parseNextLink('</v2/a/tags/list?n=2&last=b>; rel="next"', base)?.href).toBe(
      'https://reg.example/v2/a/tags/list?n=2&last=b',
    );
    expect(parseNextLink('<https://reg.example/x>; rel="prev", </y>; rel=next', base)?.pathname).toBe('/y');
    expect(parseNextLink(undefined, base)).toBeUndefined();
    expect(() => parseNextLink('<https://evil.example/x>; rel="next"', base)).toThrow(
      /not on the registry origin/,
    );
  });

  it('keeps upload locations on the registry and refuses a downgrade', () => {
    expect(resolveUploadLocation('/v2/a/blobs/uploads/1?_state=x', base).href).toBe(
      'https://reg.example/v2/a/blobs/uploads/1?_state=x',
    );
    expect(() => resolveUploadLocation('https://evil.example/u', base)).toThrow(/not on the registry origin/);
    expect(() => resolveUploadLocation('http://reg.example/u', base)).toThrow(/not on the registry origin/);
    expect(() => resolveUploadLocation(undefined, base)).toThrow(/no location/);
  });
});
