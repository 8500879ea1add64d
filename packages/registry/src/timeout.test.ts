/**
 * Request timeouts: a registry that stops answering, or stops sending a body half-way, ends in a
 * retry, a resumed download or upload, or a clear `ORAS_ERR_TIMEOUT`; never a wait of undici's
 * five minutes.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, OrasError } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { transportError } from './errors.js';
import { PlainClient } from './http.js';
import { RemoteRepository } from './repository/remote-repository.js';
import { type FakeRegistry, startFakeRegistry } from './test-support/fake-registry.js';
import { createTransport, DEFAULT_REQUEST_TIMEOUT_MS } from './transport.js';

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const TIMEOUT_MS = 300;

let registry: FakeRegistry;
let dispatcher: ReturnType<typeof createTransport>;
/** Responses held open by a fault, ended after each test so the server can close. */
const held: { end(): void }[] = [];

function repo(): RemoteRepository {
  return new RemoteRepository({
    reference: `${registry.host}/test/repo`,
    client: new PlainClient({ dispatcher }),
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}

beforeEach(async () => {
  registry = await startFakeRegistry();
  dispatcher = createTransport({
    timeoutMs: TIMEOUT_MS,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 2 },
  });
});
afterEach(async () => {
  for (const res of held.splice(0)) res.end();
  await dispatcher.close();
  await registry.close();
});

describe('request timeouts', () => {
  it('defaults to a minute and refuses a negative timeout', () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(60_000);
    expect(() => createTransport({ timeoutMs: -1 })).toThrow(/request timeout -1/);
  });

  it('retries a request whose answer does not come, then succeeds', async () => {
    const data = Buffer.from('answered on the second try');
    const desc = { mediaType: 'application/octet-stream', digest: sha256(data), size: data.length };
    await repo().push(desc, data);
    let silent = 0;
    registry.fault = (req, res) => {
      if (req.method === 'HEAD' && silent === 0) {
        silent++;
        held.push(res);
        return true;
      }
      return false;
    };
    expect(await repo().exists(desc)).toBe(true);
    expect(silent).toBe(1);
  });

  it('fails with ORAS_ERR_TIMEOUT and a one-line message when the registry never answers', async () => {
    registry.fault = (_req, res) => {
      held.push(res);
      return true;
    };
    const started = Date.now();
    const err = await repo()
      .resolve('v1')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(OrasError.is(err)).toBe(true);
    expect((err as OrasError).code).toBe(ErrorCode.Timeout);
    expect((err as Error).message).toMatch(
      /^HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/test\/repo\/manifests\/v1: timed out \(no response\)$/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('resumes a download whose body stalls half-way, and verifies the whole blob', async () => {
    const data = Buffer.alloc(300_000, 7);
    data.write('the end', 299_990);
    const desc = { mediaType: 'application/octet-stream', digest: sha256(data), size: data.length };
    await repo().push(desc, data);
    let stalled = 0;
    registry.fault = (req, res) => {
      if (req.method === 'GET' && req.url?.includes('/blobs/sha256') && !req.headers.range && stalled === 0) {
        stalled++;
        res.writeHead(200, { 'content-length': data.length, 'content-type': 'application/octet-stream' });
        res.write(data.subarray(0, 100_000));
        held.push({ end: () => res.destroy() });
        return true;
      }
      return false;
    };
    const fetched = await readAll(await repo().fetch(desc));
    expect(fetched.equals(data)).toBe(true);
    expect(stalled).toBe(1);
    // resumed from the byte after the last one received (by the retry layer: `bytes=100000-299999`)
    const ranges = registry.requests.map((q) => q.headers.range).filter(Boolean);
    expect(ranges).toHaveLength(1);
    expect(ranges[0]).toMatch(/^bytes=100000-(299999)?$/);
  });

  it('names a stalled download that cannot resume as a timeout', async () => {
    const data = Buffer.alloc(300_000, 9);
    const desc = { mediaType: 'application/octet-stream', digest: sha256(data), size: data.length };
    await repo().push(desc, data);
    registry.fault = (req, res) => {
      if (req.method === 'GET' && req.url?.includes('/blobs/sha256')) {
        res.writeHead(req.headers.range ? 206 : 200, {
          'content-length': data.length,
          ...(req.headers.range ? { 'content-range': `bytes 0-${data.length - 1}/${data.length}` } : {}),
        });
        res.write(data.subarray(0, 50_000));
        held.push({ end: () => res.destroy() });
        return true;
      }
      return false;
    };
    const err = await readAll(await repo().fetch(desc)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(OrasError.is(err)).toBe(true);
    expect((err as Error).message).toMatch(/timed out|cannot resume/);
    expect((err as Error).message).not.toMatch(/\n/);
  });

  it('sends a streamed upload again when its answer does not come', async () => {
    const data = Buffer.alloc(2 * 1024 * 1024, 3);
    let silent = 0;
    registry.fault = (req, res) => {
      if (req.method === 'PATCH' && silent === 0) {
        silent++;
        held.push(res);
        return true; // the body was read, but neither stored nor answered
      }
      return false;
    };
    const desc = await repo().pushStream('application/octet-stream', (offset) =>
      (async function* () {
        yield data.subarray(offset);
      })(),
    );
    expect(silent).toBe(1);
    expect(desc).toEqual({ mediaType: 'application/octet-stream', digest: sha256(data), size: data.length });
    // the upload status said where to go on from
    expect(registry.requests.some((q) => q.method === 'GET' && q.url.includes('/blobs/uploads/'))).toBe(true);
    const stored = await readAll(await repo().fetch(desc));
    expect(stored.equals(data)).toBe(true);
  });
});

describe('transportError', () => {
  it('maps undici timeouts to ORAS_ERR_TIMEOUT and other failures to ORAS_ERR_NETWORK', () => {
    const timeout = transportError(
      'GET x',
      Object.assign(new Error('Body Timeout Error'), { code: 'UND_ERR_BODY_TIMEOUT' }),
    );
    expect(timeout.code).toBe(ErrorCode.Timeout);
    expect(timeout.message).toBe('GET x: timed out (the response stalled)');
    const reset = transportError(
      'GET x',
      Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    );
    expect(reset.code).toBe(ErrorCode.Network);
    expect(reset.message).toBe('GET x: the connection closed unexpectedly');
    const own = new OrasError('kept', { code: ErrorCode.NotFound });
    expect(transportError('GET x', own)).toBe(own);
  });
});
