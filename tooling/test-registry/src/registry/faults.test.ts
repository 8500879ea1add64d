import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { http, imageManifest, pushBlob, resolveLocation, sha256 } from '../test-support/http.js';
import { type TestRegistry, startTestRegistry } from './server.js';

const CONTENT = '0123456789abcdefghijklmnopqrstuvwxyz';

let registry: TestRegistry;
let digest: string;
beforeEach(async () => {
  registry = await startTestRegistry();
  digest = await pushBlob({ url: registry.url }, 'a/b', CONTENT);
  registry.clearRequests();
});
afterEach(() => registry.close());

const blobUrl = () => `${registry.url}/v2/a/b/blobs/${digest}`;

describe('faults', () => {
  it('dropConnection: sends the headers and afterBytes of the body, then drops the connection', async () => {
    registry.setFaults({ dropConnection: { afterBytes: 10, times: 1 } });
    const received: Buffer[] = [];
    const outcome = await new Promise<{ status: number; length: string | undefined; error?: string }>(
      (resolve) => {
        const req = request(blobUrl(), { agent: false }, (res) => {
          res.on('data', (chunk: Buffer) => received.push(chunk));
          res.on('error', (e) =>
            resolve({ status: res.statusCode!, length: res.headers['content-length'], error: e.message }),
          );
          res.on('aborted', () =>
            resolve({ status: res.statusCode!, length: res.headers['content-length'], error: 'aborted' }),
          );
          res.on('end', () => resolve({ status: res.statusCode!, length: res.headers['content-length'] }));
        });
        req.on('error', (e) => resolve({ status: 0, length: undefined, error: e.message }));
        req.end();
      },
    );
    expect(outcome.status).toBe(200);
    expect(outcome.length).toBe(String(CONTENT.length));
    expect(outcome.error).toBeDefined();
    expect(Buffer.concat(received).toString()).toBe(CONTENT.slice(0, 10));
    expect(registry.requests[0]!.faults).toEqual(['dropConnection']);
    // The next request (times: 1) resumes with a Range and gets the rest.
    const rest = await http(blobUrl(), { headers: { range: 'bytes=10-' } });
    expect(rest.status).toBe(206);
    expect(rest.text).toBe(CONTENT.slice(10));
  });

  it('dropConnection: cuts an upload after afterBytes of the request body, storing none of it', async () => {
    registry.setFaults({
      dropConnection: { afterBytes: 3, routes: ['upload'], methods: ['PATCH'], times: 1 },
    });
    const start = await http(`${registry.url}/v2/a/b/blobs/uploads/`, { method: 'POST' });
    const location = resolveLocation(registry.url, start.headers.location);
    const body = 'x'.repeat(256 * 1024);
    const patch = () =>
      http(location, { method: 'PATCH', headers: { 'content-range': `0-${body.length - 1}` }, body });
    await expect(patch()).rejects.toThrow();
    const cut = registry.requests.find((r) => r.method === 'PATCH')!;
    expect(cut.faults).toEqual(['dropConnection']);
    expect(cut.status).toBe(0);
    const status = await http(location);
    expect(status.headers.range).toBe('0-0');
    const again = await http(resolveLocation(registry.url, status.headers.location), {
      method: 'PATCH',
      headers: { 'content-range': `0-${body.length - 1}` },
      body,
    });
    expect(again.status).toBe(202);
    expect(again.headers.range).toBe(`0-${body.length - 1}`);
  });

  it('tooManyRequests: answers 429 TOOMANYREQUESTS with Retry-After, the given number of times', async () => {
    registry.setFaults({ tooManyRequests: { retryAfter: 2, times: 1 } });
    const first = await http(blobUrl());
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('2');
    expect(JSON.parse(first.text).errors[0].code).toBe('TOOMANYREQUESTS');
    expect((await http(blobUrl())).status).toBe(200);
    expect(registry.faultCount('tooManyRequests')).toBe(1);
  });

  it('serverError: answers 5xx N times, then recovers', async () => {
    registry.setFaults({ serverError: { status: 503, times: 2 } });
    expect((await http(blobUrl())).status).toBe(503);
    expect((await http(blobUrl())).status).toBe(503);
    expect((await http(blobUrl())).text).toBe(CONTENT);
    expect(registry.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('targets a fault by method, endpoint and repository', async () => {
    registry.setFaults({ serverError: { routes: ['manifest'], methods: ['PUT'], repository: 'a/b' } });
    expect((await http(blobUrl())).status).toBe(200);
    const manifest = imageManifest({ digest, size: CONTENT.length }, []);
    const put = (repo: string) =>
      http(`${registry.url}/v2/${repo}/manifests/v1`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        body: manifest,
      });
    expect((await put('a/b')).status).toBe(500);
    await pushBlob({ url: registry.url }, 'other', CONTENT);
    expect((await put('other')).status).toBe(201);
    registry.setFaults({});
    expect((await put('a/b')).status).toBe(201);
  });

  it('corruptBlob: flips one byte while the headers keep the real digest', async () => {
    registry.setFaults({ corruptBlob: { offset: 3 } });
    const res = await http(blobUrl());
    expect(res.status).toBe(200);
    expect(res.body.byteLength).toBe(CONTENT.length);
    expect(res.headers['docker-content-digest']).toBe(digest);
    expect(sha256(res.body)).not.toBe(digest);
    expect(res.body[3]).toBe(CONTENT.charCodeAt(3) ^ 0xff);
    expect(res.text.slice(4)).toBe(CONTENT.slice(4));
  });

  it('truncateBody: sends a short body with a Content-Length to match', async () => {
    registry.setFaults({ truncateBody: { bytes: 5 } });
    const res = await http(blobUrl());
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('5');
    expect(res.text).toBe(CONTENT.slice(0, 5));
  });

  it('truncateBody can act on manifests too', async () => {
    const body = imageManifest({ digest, size: CONTENT.length }, []);
    await http(`${registry.url}/v2/a/b/manifests/v1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body,
    });
    registry.setFaults({ truncateBody: { bytes: 10, routes: ['manifest'] } });
    expect((await http(`${registry.url}/v2/a/b/manifests/v1`)).text).toBe(body.slice(0, 10));
  });

  it('redirectBlobs: redirects blob GETs to a second origin that rejects Authorization', async () => {
    registry.setFaults({ redirectBlobs: {} });
    const res = await http(blobUrl(), { headers: { authorization: 'Bearer secret' } });
    expect(res.status).toBe(307);
    const location = resolveLocation(registry.url, res.headers.location);
    expect(new URL(location).origin).toBe(registry.storageUrl);
    expect(new URL(location).origin).not.toBe(registry.url);

    const leaked = await http(location, { headers: { authorization: 'Bearer secret' } });
    expect(leaked.status).toBe(400);
    expect(leaked.text).toContain('Only one auth mechanism allowed');
    const clean = await http(location);
    expect(clean.status).toBe(200);
    expect(clean.text).toBe(CONTENT);
    const ranged = await http(location, { headers: { range: 'bytes=30-' } });
    expect(ranged.status).toBe(206);
    expect(ranged.text).toBe(CONTENT.slice(30));
    expect(registry.requests.at(-1)).toMatchObject({ origin: 'storage', route: 'blob', repository: 'a/b' });
    expect(registry.requests.map((r) => `${r.origin} ${r.status}`)).toEqual([
      'registry 307',
      'storage 400',
      'storage 200',
      'storage 206',
    ]);
    // HEAD is not redirected unless asked.
    expect((await http(blobUrl(), { method: 'HEAD' })).status).toBe(200);
  });

  it('redirectBlobs: the storage origin refuses a tampered URL', async () => {
    registry.setFaults({ redirectBlobs: { status: 302 } });
    const res = await http(blobUrl());
    expect(res.status).toBe(302);
    const location = new URL(resolveLocation(registry.url, res.headers.location));
    location.searchParams.set('sig', 'forged');
    expect((await http(location)).status).toBe(403);
  });

  it('slow: holds the answer for delayMs', async () => {
    registry.setFaults({ slow: { delayMs: 400 } });
    let answered = false;
    const pending = http(blobUrl()).then((res) => {
      answered = true;
      return res;
    });
    while (registry.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(answered).toBe(false);
    expect(registry.requests[0]!.faults).toEqual(['slow']);
    expect((await pending).text).toBe(CONTENT);
  });

  it('slow: sends the headers, then holds the body for bodyDelayMs', async () => {
    registry.setFaults({ slow: { delayMs: 0, bodyDelayMs: 400 } });
    const atHeaders = await new Promise<{ status: number; buffered: number; complete: boolean }>(
      (resolve, reject) => {
        const req = request(blobUrl(), { agent: false }, (res) => {
          resolve({ status: res.statusCode!, buffered: res.readableLength, complete: res.complete });
          res.resume();
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(atHeaders).toEqual({ status: 200, buffered: 0, complete: false });
  });

  it('falseReferrers: answers the referrers endpoint with a false 200 and drops OCI-Subject', async () => {
    registry.setFaults({ falseReferrers: {} });
    const res = await http(`${registry.url}/v2/a/b/referrers/${digest}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    await pushBlob({ url: registry.url }, 'a/b', '{}');
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.example',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 },
      layers: [],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256('s'), size: 1 },
    });
    const put = await http(`${registry.url}/v2/a/b/manifests/${sha256(body)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body,
    });
    expect(put.status).toBe(201);
    expect(put.headers['oci-subject']).toBeUndefined();
  });

  it('falseReferrers: can pretend to be an empty index', async () => {
    registry.setFaults({
      falseReferrers: {
        contentType: 'application/vnd.oci.image.index.v1+json',
        body: '{"schemaVersion":2,"manifests":[]}',
      },
    });
    const res = await http(`${registry.url}/v2/a/b/referrers/${digest}`);
    expect(res.headers['content-type']).toBe('application/vnd.oci.image.index.v1+json');
    expect(JSON.parse(res.text).manifests).toEqual([]);
  });

  it('maxChunkSize: refuses larger PATCH chunks with 416 and accepts smaller ones', async () => {
    registry.setFaults({ maxChunkSize: 4 });
    const start = await http(`${registry.url}/v2/a/b/blobs/uploads/`, { method: 'POST' });
    const location = resolveLocation(registry.url, start.headers.location);
    const big = await http(location, { method: 'PATCH', headers: { 'content-range': '0-4' }, body: 'hello' });
    expect(big.status).toBe(416);
    expect(big.headers.range).toBe('0-0');
    const small = await http(resolveLocation(registry.url, big.headers.location), {
      method: 'PATCH',
      headers: { 'content-range': '0-3' },
      body: 'hell',
    });
    expect(small.status).toBe(202);
    expect(registry.faultCount('maxChunkSize')).toBe(1);
  });
});
