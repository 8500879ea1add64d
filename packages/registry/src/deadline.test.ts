/**
 * The metadata deadline: a registry (or token service) that sends its answer one byte at a time
 * never trips the transport's idle timeout, so a manifest, tag list, referrers page, catalog page
 * or token request would wait for ever; with `metadataTimeoutMs` it fails with ORAS_ERR_TIMEOUT.
 * Short deadlines, and servers that never finish: nothing here depends on how fast the machine is.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthClient } from '@oras/auth';
import { ErrorCode, OrasError } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlainClient, type RegistryClient } from './http.js';
import { RemoteRegistry } from './registry.js';
import { RemoteRepository } from './repository/remote-repository.js';
import { collect, descOf, MANIFEST, manifestBytes } from './test-support/repository-fixture.js';
import { createTransport } from './transport.js';

const DEADLINE_MS = 300;

let server: Server;
let host: string;
let dispatcher: ReturnType<typeof createTransport>;
let handle: (req: IncomingMessage, res: ServerResponse) => void;
const timers = new Set<NodeJS.Timeout>();

/** Answers 200 with `contentType`, then sends one byte every 20 ms and never ends. */
function trickle(res: ServerResponse, contentType: string): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': 100_000 });
  const timer = setInterval(() => res.write(' '), 20);
  timers.add(timer);
  res.on('close', () => clearInterval(timer));
}

beforeEach(async () => {
  server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  dispatcher = createTransport({ retry: false });
});
afterEach(async () => {
  for (const timer of timers) clearInterval(timer);
  timers.clear();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await dispatcher.close();
});

function repo(client: RegistryClient = new PlainClient({ dispatcher })): RemoteRepository {
  return new RemoteRepository({ reference: `${host}/slow/repo`, client, metadataTimeoutMs: DEADLINE_MS });
}

async function failure(promise: Promise<unknown>): Promise<OrasError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(OrasError.is(err), String(err)).toBe(true);
  return err as OrasError;
}

describe('metadataTimeoutMs', () => {
  it('ends a manifest that trickles in with ORAS_ERR_TIMEOUT', async () => {
    handle = (_req, res) => trickle(res, MANIFEST);
    const err = await failure(repo().fetchReference('v1'));
    expect(err.code).toBe(ErrorCode.Timeout);
    expect(err.message).toBe(
      `GET http://${host}/v2/slow/repo/manifests/v1: timed out (no complete answer within 300 ms)`,
    );
  });

  it('ends a tag list, a referrers page and a catalog page that trickle in', async () => {
    handle = (req, res) =>
      trickle(
        res,
        req.url?.includes('/referrers/') ? 'application/vnd.oci.image.index.v1+json' : 'application/json',
      );
    expect((await failure(collect(repo().tags()))).code).toBe(ErrorCode.Timeout);
    const subject = descOf(MANIFEST, manifestBytes());
    const referrers = repo();
    referrers.setReferrersCapability(true);
    expect((await failure(collect(referrers.referrers(subject)))).code).toBe(ErrorCode.Timeout);
    const registry = new RemoteRegistry({
      registry: host,
      client: new PlainClient({ dispatcher }),
      metadataTimeoutMs: DEADLINE_MS,
    });
    expect((await failure(collect(registry.repositories()))).message).toMatch(/_catalog: timed out/);
  });

  it('ends a request waiting for a token that trickles in', async () => {
    handle = (req, res) => {
      if (req.url?.startsWith('/token')) return trickle(res, 'application/json');
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="slow"` });
      res.end();
    };
    const err = await failure(repo(new AuthClient({ dispatcher })).resolve('v1'));
    expect(err.code).toBe(ErrorCode.Timeout);
    expect(err.message).toMatch(/^HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/slow\/repo\/manifests\/v1: timed out/);
  });

  it('leaves a caller’s own abort an abort', async () => {
    const controller = new AbortController();
    handle = (_req, res) => {
      trickle(res, MANIFEST);
      controller.abort();
    };
    const r = new RemoteRepository({
      reference: `${host}/slow/repo`,
      client: new PlainClient({ dispatcher }),
      metadataTimeoutMs: 60_000,
    });
    const err = await failure(r.fetchReference('v1', { signal: controller.signal }));
    expect(err.code).toBe(ErrorCode.Aborted);
  });

  it('fails at once, as an abort, under a caller’s signal already aborted', async () => {
    let requests = 0;
    handle = (_req, res) => {
      requests++;
      trickle(res, MANIFEST);
    };
    const controller = new AbortController();
    controller.abort();
    const err = await failure(repo().fetchReference('v1', { signal: controller.signal }));
    expect(err.code).toBe(ErrorCode.Aborted);
    expect(requests).toBe(0);
  });

  it('ends every exchange in flight under a caller’s signal as an abort, never a timeout', async () => {
    const controller = new AbortController();
    const reason = new Error('given up');
    let started = 0;
    handle = (req, res) => {
      if (req.url?.endsWith('/done')) {
        res.writeHead(200, { 'content-type': MANIFEST, 'content-length': 0 });
        res.end();
        return;
      }
      trickle(res, MANIFEST);
      if (++started === 3) controller.abort(reason);
    };
    const r = new RemoteRepository({
      reference: `${host}/slow/repo`,
      client: new PlainClient({ dispatcher }),
      metadataTimeoutMs: 60_000,
    });
    // one exchange that ends before the abort
    await r.resolve('done', { signal: controller.signal }).catch(() => undefined);
    const errs = await Promise.all(
      ['a', 'b', 'c'].map((tag) =>
        r.fetchReference(tag, { signal: controller.signal }).then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    );
    // the contract of every operation's signal: an AbortedError, or the signal's reason itself
    // (which one depends on whether the answer's headers were in when the signal fired)
    for (const err of errs) {
      if (err !== reason) {
        expect(OrasError.is(err), String(err)).toBe(true);
        expect((err as OrasError).code).toBe(ErrorCode.Aborted);
      }
    }
    expect(errs).toHaveLength(3);
  });

  it('does not bound blob downloads, which resume instead', async () => {
    const data = Buffer.alloc(64 * 1024, 3);
    const desc = descOf('application/octet-stream', data);
    handle = (_req, res) => {
      // slower than the deadline in all, but never silent for long
      res.writeHead(200, { 'content-length': data.length });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(data.subarray(sent, sent + 16 * 1024));
        sent += 16 * 1024;
        if (sent >= data.length) {
          clearInterval(timer);
          res.end();
        }
      }, DEADLINE_MS / 2);
      timers.add(timer);
    };
    const chunks: Uint8Array[] = [];
    for await (const chunk of (await repo().fetch(desc)) as unknown as AsyncIterable<Uint8Array>)
      chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });
});
