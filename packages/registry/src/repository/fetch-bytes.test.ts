/** `fetchBytes`: small blobs read whole without a web stream, with every check of `fetch`. */
import { fetchAll, isVerified } from '@oras/content';
import {
  MismatchedDigestError,
  MismatchedSizeError,
  NotFoundError,
  SizeExceedsLimitError,
  TrailingDataError,
} from '@oras/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import { PlainClient } from '../http.js';
import {
  breakFirstBlobGet,
  descOf,
  enc,
  INDEX,
  isA,
  MANIFEST,
  manifestBytes,
  useRepositoryFixture,
  readThroughRangeIgnoringBreak,
} from '../test-support/repository-fixture.js';
import { createTransport } from '../transport.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

const blobGets = () => fx.registry.requests.filter((q) => q.method === 'GET' && q.url?.includes('/blobs/'));

describe('fetchBytes', () => {
  beforeEach(() => setup());

  it('returns a blob as verified bytes with one GET, and fetchAll uses it', async () => {
    const r = repo();
    const data = Buffer.alloc(4096, 7);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    fx.registry.requests.length = 0;
    const bytes = await r.fetchBytes(desc);
    expect(Buffer.from(bytes).equals(data)).toBe(true);
    expect(isVerified(bytes, desc)).toBe(true);
    expect(blobGets()).toHaveLength(1);
    const viaFetchAll = await fetchAll(r, desc);
    expect(Buffer.from(viaFetchAll).equals(data)).toBe(true);
    expect(blobGets()).toHaveLength(2);
  });

  it('rejects, never throws, when the descriptor is not one (no request is sent)', async () => {
    const r = repo();
    fx.registry.requests.length = 0;
    let pending: Promise<Uint8Array> | undefined;
    expect(() => {
      pending = r.fetchBytes(undefined as never);
    }).not.toThrow();
    await expect(pending).rejects.toThrow(TypeError);
    expect(fx.registry.requests).toHaveLength(0);
  });

  it('reads an empty blob', async () => {
    const r = repo();
    const desc = descOf('application/octet-stream', new Uint8Array());
    await r.push(desc, new Uint8Array());
    expect((await r.fetchBytes(desc)).byteLength).toBe(0);
  });

  it('reads a manifest as fetch does: one GET, verified bytes, the size limit before any request', async () => {
    const r = repo();
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await r.push(desc, bytes);
    fx.registry.requests.length = 0;
    const fetched = await r.fetchBytes(desc);
    expect(Buffer.from(fetched).equals(Buffer.from(bytes))).toBe(true);
    expect(isVerified(fetched, desc)).toBe(true);
    expect(fx.registry.requests).toHaveLength(1);
    expect(fx.registry.requests[0]).toMatchObject({ method: 'GET' });
    expect(fx.registry.requests[0]?.url).toMatch(new RegExp(`/manifests/${desc.digest}$`));
    fx.registry.requests.length = 0;
    await expect(r.fetchBytes(desc, { maxBytes: desc.size - 1 })).rejects.toSatisfy(
      isA(SizeExceedsLimitError),
    );
    expect(fx.registry.requests).toHaveLength(0);
    await expect(r.fetchBytes({ ...desc, mediaType: INDEX })).rejects.toThrow(/media type/);
  });

  it('refuses content over maxBytes before any request', async () => {
    const r = repo();
    const data = Buffer.alloc(1000, 1);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    fx.registry.requests.length = 0;
    await expect(r.fetchBytes(desc, { maxBytes: 999 })).rejects.toSatisfy(isA(SizeExceedsLimitError));
    expect(fx.registry.requests).toHaveLength(0);
  });

  it('fails on content with another digest', async () => {
    const r = repo();
    const data = enc.encode('good data');
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    fx.registry.blobs.set(desc.digest, Buffer.from('evil data'));
    await expect(r.fetchBytes(desc)).rejects.toSatisfy(isA(MismatchedDigestError));
    await expect(fetchAll(r, desc)).rejects.toSatisfy(isA(MismatchedDigestError));
  });

  it('stops reading an oversized body at its size (no content-length) and fails with TrailingDataError', async () => {
    const r = repo();
    const data = enc.encode('small');
    const desc = descOf('application/octet-stream', data);
    let sent = 0;
    let closed = false;
    fx.registry.fault = (req, res) => {
      if (req.method !== 'GET' || !req.url?.includes('/blobs/')) return false;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // an endless body: the client must drop the connection, not read it all
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (!closed && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => {
        closed = true;
      });
      pump();
      return true;
    };
    await expect(r.fetchBytes(desc)).rejects.toSatisfy(isA(TrailingDataError));
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a content-length other than the size', async () => {
    const r = repo();
    const data = enc.encode('twelve bytes');
    const desc = descOf('application/octet-stream', data);
    fx.registry.fault = (req, res) => {
      if (req.method !== 'GET' || !req.url?.includes('/blobs/')) return false;
      res.writeHead(200, { 'content-length': 13 });
      res.end('thirteen byte');
      return true;
    };
    await expect(r.fetchBytes(desc)).rejects.toSatisfy(isA(MismatchedSizeError));
  });

  it('fails on a short body that cannot be resumed', async () => {
    const r = repo();
    const data = enc.encode('a whole blob');
    const desc = descOf('application/octet-stream', data);
    fx.registry.fault = (req, res) => {
      if (req.method !== 'GET' || !req.url?.includes('/blobs/')) return false;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end('a who');
      return true;
    };
    await expect(r.fetchBytes(desc)).rejects.toSatisfy(isA(MismatchedSizeError));
  });

  it('resumes a broken download with Range', async () => {
    const r = repo();
    const data = Buffer.alloc(200_000, 1);
    data.write('start', 0);
    data.write('end', 199_990);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    breakFirstBlobGet(fx, data, 70_000);
    const noRetry = createTransport({ retry: false });
    try {
      const bytes = await repo({ client: new PlainClient({ dispatcher: noRetry }) }).fetchBytes(desc);
      expect(Buffer.from(bytes).equals(data)).toBe(true);
      expect(fx.registry.requests.some((q) => q.headers.range === 'bytes=70000-')).toBe(true);
    } finally {
      await noRetry.close();
    }
  });

  it('resumes it itself behind a retrying transport, which leaves a blob body to it', async () => {
    const r = repo();
    const data = Buffer.alloc(200_000, 2);
    const desc = descOf('application/octet-stream', data);
    await r.push(desc, data);
    breakFirstBlobGet(fx, data, 70_000);
    const retrying = createTransport({ retry: { baseDelayMs: 1 } });
    try {
      fx.registry.requests.length = 0;
      const bytes = await repo({ client: new PlainClient({ dispatcher: retrying }) }).fetchBytes(desc);
      expect(Buffer.from(bytes).equals(data)).toBe(true);
      // one resume, the reader's own (undici's RetryHandler would ask for "bytes=70000-199999")
      expect(blobGets().map((q) => q.headers.range)).toEqual([undefined, 'bytes=70000-']);
    } finally {
      await retrying.close();
    }
  });

  it('reads the blob again from a registry that answers the resume with all of it', async () => {
    const { data, got, ranges } = await readThroughRangeIgnoringBreak(fx, 200_000, 70_000, (r, desc) =>
      r.fetchBytes(desc),
    );
    expect(Buffer.from(got).equals(data)).toBe(true);
    expect(ranges).toEqual(['', 'bytes=70000-']);
  });

  it('reports a missing blob as NotFoundError', async () => {
    const desc = descOf('application/octet-stream', enc.encode('absent'));
    await expect(repo().fetchBytes(desc)).rejects.toSatisfy(isA(NotFoundError));
  });

  it('rejects with the signal when aborted', async () => {
    const r = repo();
    const data = enc.encode('slow');
    const desc = descOf('application/octet-stream', data);
    const controller = new AbortController();
    fx.registry.fault = (req, res) => {
      if (req.method !== 'GET' || !req.url?.includes('/blobs/')) return false;
      res.writeHead(200, { 'content-length': data.length });
      // half the body, then the caller gives up while the rest never comes
      res.write('sl', () => controller.abort(new Error('given up')));
      return true;
    };
    await expect(r.fetchBytes(desc, { signal: controller.signal })).rejects.toThrow(/given up|aborted/);
    expect(controller.signal.aborted).toBe(true);
  });
});
