/** Which mode an upload takes, and starting over when its session is lost. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ResponseError } from '../../errors.js';
import { descOf, sha256, useRepositoryFixture } from '../../test-support/repository-fixture.js';
import { MAX_UPLOAD_RESTARTS } from './upload.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

const isCommit = (req: IncomingMessage): boolean =>
  req.method === 'PUT' && /\/blobs\/uploads\//.test(req.url ?? '') && /[?&]digest=/.test(req.url ?? '');
const uploadId = (req: IncomingMessage): string => /uploads\/([^?]+)/.exec(req.url ?? '')![1]!;
const methods = (method: string): number => fx.registry.requests.filter((q) => q.method === method).length;

/** The registry closes the upload and keeps the blob, but the answer never reaches the client. */
function landWithoutAnswer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const upload = fx.registry.uploads.get(uploadId(req))!;
  const all = Buffer.concat([...upload.chunks, body]);
  fx.registry.uploads.delete(uploadId(req));
  fx.registry.blobs.set(sha256(all), all);
  const held = fx.registry.repoBlobs.get(upload.repo) ?? new Set<string>();
  held.add(sha256(all));
  fx.registry.repoBlobs.set(upload.repo, held);
  res.socket?.destroy();
}

/** The registry has forgotten the upload session (expired, or another node of a cluster). */
function forgetSession(req: IncomingMessage, res: ServerResponse): void {
  fx.registry.uploads.delete(uploadId(req));
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code: 'BLOB_UPLOAD_UNKNOWN', message: 'blob upload unknown' }] }));
}

describe('a lost upload session', () => {
  it('is a finished push when the commit landed though its answer was lost (the retry met 404 upload unknown)', async () => {
    await setup();
    const data = Buffer.from('landed before the timeout');
    const desc = descOf('application/octet-stream', data);
    let faults = 0;
    fx.registry.fault = (req, res, body) => {
      if (!isCommit(req) || faults++ > 0) return false;
      landWithoutAnswer(req, res, body);
      return true;
    };
    await repo().push(desc, data);
    expect(methods('POST')).toBe(1);
    expect(methods('PUT')).toBe(2);
    expect(fx.registry.requests.at(-1)?.method).toBe('HEAD');
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
  });

  it('starts the upload over in a new session when the blob is not there', async () => {
    await setup();
    const data = Buffer.from('the session was forgotten');
    const desc = descOf('application/octet-stream', data);
    let faults = 0;
    fx.registry.fault = (req, res) => {
      if (!isCommit(req) || faults++ > 0) return false;
      forgetSession(req, res);
      return true;
    };
    // a small stream is read into memory first, so it can be sent again
    await repo().push(desc, Readable.from([data]));
    expect(methods('POST')).toBe(2);
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
    expect(fx.registry.uploads.size).toBe(0);
  });

  it('starts a chunked upload over too', async () => {
    await setup();
    const data = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
    const desc = descOf('application/octet-stream', data);
    let faults = 0;
    fx.registry.fault = (req, res) => {
      if (!isCommit(req) || faults++ > 0) return false;
      forgetSession(req, res);
      return true;
    };
    await repo({ maxChunkSize: 1000 }).push(desc, data);
    expect(methods('POST')).toBe(2);
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
  });

  it('gives up after a bounded number of new sessions, with the registry’s answer', async () => {
    await setup();
    const data = Buffer.from('never accepted');
    const desc = descOf('application/octet-stream', data);
    fx.registry.fault = (req, res) => {
      if (!isCommit(req)) return false;
      forgetSession(req, res);
      return true;
    };
    const err = await repo()
      .push(desc, data)
      .catch((e: unknown) => e);
    expect(ResponseError.is(err)).toBe(true);
    expect((err as ResponseError).hasCode('BLOB_UPLOAD_UNKNOWN')).toBe(true);
    expect(methods('POST')).toBe(1 + MAX_UPLOAD_RESTARTS);
    expect(fx.registry.uploads.size).toBe(0);
    expect(fx.registry.blobs.has(desc.digest)).toBe(false);
  });

  it('finds a large one-shot stream that landed, though it cannot send it again', async () => {
    await setup();
    const data = Buffer.alloc(5 * 1024 * 1024, 7);
    const desc = descOf('application/octet-stream', data);
    let faults = 0;
    fx.registry.fault = (req, res, body) => {
      if (!isCommit(req) || faults++ > 0) return false;
      landWithoutAnswer(req, res, body);
      return true;
    };
    await repo().push(desc, Readable.from([data]));
    expect(methods('POST')).toBe(1);
    expect(fx.registry.blobs.get(desc.digest)?.equals(data)).toBe(true);
  });
});
