import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { CALLER_RESUMES } from '@oras/auth';
import { Agent, type Dispatcher, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  HostGates,
  parseRetryAfter,
  REFUSED_RETRY_DELAY_MS,
  type RetryInfo,
  retryInterceptor,
} from './retry.js';
import { createTransport } from './transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const servers: Server[] = [];
const closers: { close(): Promise<void> }[] = [];

async function serve(handler: Handler): Promise<{ url: string; hits: () => number; bodies: string[] }> {
  let n = 0;
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      handler(req, res, n++);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => n, bodies };
}

afterEach(async () => {
  for (const c of closers.splice(0)) await c.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function transport(extra: Parameters<typeof retryInterceptor>[0] = {}, gates?: HostGates) {
  const agent = new Agent();
  closers.push(agent);
  return agent.compose(retryInterceptor({ baseDelayMs: 1, maxDelayMs: 2, ...extra }, gates));
}

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates', () => {
    const now = Date.parse('Sun, 29 Nov 2026 12:00:00 GMT');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles from the base, caps, and jitters by at most 10%', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0.5)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 100, 1000, () => 0.5)).toBe(1000);
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(90);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(110);
  });
});

describe('retryInterceptor', () => {
  it('retries a GET on 503 and 429 and returns the eventual answer', async () => {
    const s = await serve((_req, res, n) => {
      res.writeHead(n === 0 ? 503 : n === 1 ? 429 : 200);
      res.end(n === 2 ? 'ok' : 'busy');
    });
    const res = await request(`${s.url}/x`, { dispatcher: transport() });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
    expect(s.hits()).toBe(3);
  });

  it('retries a 503 that follows an informational answer (103 Early Hints), and passes on a 200 after one', async () => {
    const s = await serve((_req, res, n) => {
      if (n === 0 || n === 2) res.writeEarlyHints({ link: '</x>; rel=preload' });
      if (n === 0) {
        res.writeHead(503);
        res.end('busy');
        return;
      }
      res.end(`ok ${n}`);
    });
    const dispatcher = transport();
    const retried = await request(`${s.url}/x`, { dispatcher });
    expect(retried.statusCode).toBe(200);
    expect(await retried.body.text()).toBe('ok 1');
    const hinted = await request(`${s.url}/x`, { dispatcher });
    expect(hinted.statusCode).toBe(200);
    expect(await hinted.body.text()).toBe('ok 2');
    expect(s.hits()).toBe(3);
  });

  it('retries a bodiless HEAD answer without handing the caller half a response', async () => {
    const s = await serve((_req, res, n) => {
      res.writeHead(n === 0 ? 429 : 200, n === 0 ? { 'retry-after': '1', 'content-length': '20' } : {});
      res.end();
    });
    const res = await request(`${s.url}/x`, {
      method: 'HEAD',
      dispatcher: transport({ maxRetryAfterMs: 5 }),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(s.hits()).toBe(2);
  });

  it('retries a PUT with a byte body, re-sending the body', async () => {
    const s = await serve((_req, res, n) => {
      res.writeHead(n === 0 ? 502 : 201);
      res.end();
    });
    const res = await request(`${s.url}/x`, { method: 'PUT', body: 'payload', dispatcher: transport() });
    await res.body.dump();
    expect(res.statusCode).toBe(201);
    expect(s.bodies).toEqual(['payload', 'payload']);
  });

  it('retries a POST without a body (opening an upload) on 503', async () => {
    let hits = 0;
    const s = await serve((_req, res) => {
      hits++;
      res.writeHead(hits === 1 ? 503 : 202);
      res.end();
    });
    const res = await request(`${s.url}/x`, { method: 'POST', dispatcher: transport() });
    await res.body.dump();
    expect(res.statusCode).toBe(202);
    expect(s.hits()).toBe(2);
  });

  it('does not retry a POST with a body, or a PATCH', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    for (const method of ['POST', 'PATCH'] as const) {
      const res = await request(`${s.url}/x`, { method, body: 'b', dispatcher: transport() });
      await res.body.dump();
      expect(res.statusCode).toBe(503);
    }
    expect(s.hits()).toBe(2);
  });

  it('retries a POST with a body that says it is idempotent (a token request), body and all', async () => {
    const s = await serve((_req, res, n) => {
      res.writeHead(n === 0 ? 503 : 200);
      res.end();
    });
    const res = await request(`${s.url}/token`, {
      method: 'POST',
      body: 'grant_type=refresh_token',
      idempotent: true,
      dispatcher: transport(),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(s.bodies).toEqual(['grant_type=refresh_token', 'grant_type=refresh_token']);
  });

  it('does not retry a one-shot stream body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    async function* body() {
      yield Buffer.from('once');
    }
    const res = await request(`${s.url}/x`, {
      method: 'PUT',
      body: Readable.from(body()),
      dispatcher: transport(),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(503);
    expect(s.hits()).toBe(1);
  });

  it('does not retry 4xx other than 408 and 429', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const res = await request(`${s.url}/x`, { dispatcher: transport() });
    await res.body.dump();
    expect(res.statusCode).toBe(404);
    expect(s.hits()).toBe(1);
  });

  it('retries connection resets', async () => {
    const s = await serve((req, res, n) => {
      if (n < 2) {
        req.socket.destroy();
        return;
      }
      res.end('fine');
    });
    const res = await request(`${s.url}/x`, { dispatcher: transport() });
    expect(await res.body.text()).toBe('fine');
    expect(s.hits()).toBe(3);
  });

  it('retries a refused connection once, quickly, then gives up', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const retries: RetryInfo[] = [];
    // the default settings, as every RemoteRepository has them
    const dispatcher = createTransport({ retry: { onRetry: (info) => retries.push(info) } });
    closers.push(dispatcher);
    const err = await request(`http://127.0.0.1:${port}/v2/`, { dispatcher }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(retries.map((r) => [r.attempt, r.errorCode, r.delayMs])).toEqual([
      [1, 'ECONNREFUSED', REFUSED_RETRY_DELAY_MS],
    ]);
    expect(REFUSED_RETRY_DELAY_MS).toBeLessThan(250);
  });

  it('gives up after maxRetries and hands back the last answer', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500);
      res.end('down');
    });
    const res = await request(`${s.url}/x`, { dispatcher: transport({ maxRetries: 2 }) });
    expect(res.statusCode).toBe(500);
    expect(await res.body.text()).toBe('down');
    expect(s.hits()).toBe(3);
  });

  it('honours Retry-After up to maxRetryAfterMs and closes the gate for the whole host', async () => {
    const s = await serve((_req, res, n) => {
      res.writeHead(n === 0 ? 429 : 200, n === 0 ? { 'retry-after': '120' } : {});
      res.end();
    });
    const gates = new HostGates();
    const seen: { info: RetryInfo; gate: number }[] = [];
    const dispatcher = transport(
      { maxRetryAfterMs: 40, onRetry: (info) => seen.push({ info, gate: gates.remaining(info.origin) }) },
      gates,
    );
    const res = await request(`${s.url}/x`, { dispatcher });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.info.delayMs).toBe(40);
    expect(seen[0]?.info.statusCode).toBe(429);
    expect(seen[0]?.gate).toBeGreaterThan(0);
  });

  it('stops retrying when the overall deadline would pass', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': '10' });
      res.end();
    });
    const res = await request(`${s.url}/x`, {
      dispatcher: transport({ deadlineMs: 1000, maxRetryAfterMs: 60_000 }),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(503);
    expect(s.hits()).toBe(1);
  });

  it('is part of createTransport unless turned off', async () => {
    const s = await serve((_req, res, n) => {
      res.writeHead(n % 2 === 0 ? 503 : 200);
      res.end();
    });
    const on = createTransport({ retry: { baseDelayMs: 1 } });
    const off = createTransport({ retry: false });
    closers.push(on, off);
    const a = await request(`${s.url}/x`, { dispatcher: on });
    await a.body.dump();
    expect(a.statusCode).toBe(200);
    const b = await request(`${s.url}/x`, { dispatcher: off });
    await b.body.dump();
    expect(b.statusCode).toBe(503);
  });
});

describe('retryInterceptor, for a request whose caller resumes its body', () => {
  /** undici's `request` with the dispatch option the auth client sets for `callerResumes`. */
  function resumed(
    url: string,
    options: Omit<Parameters<typeof request>[1] & object, 'dispatcher'>,
    dispatcher: Dispatcher,
  ) {
    return request(url, { ...options, dispatcher, [CALLER_RESUMES]: true } as Parameters<typeof request>[1]);
  }

  it('retries a reset before any answer and a 503, counting each attempt once', async () => {
    const s = await serve((req, res, n) => {
      if (n === 0) {
        req.socket.destroy();
        return;
      }
      res.writeHead(n === 1 ? 503 : 200);
      res.end(n === 2 ? 'ok' : 'busy');
    });
    const seen: RetryInfo[] = [];
    const res = await resumed(`${s.url}/x`, {}, transport({ onRetry: (info) => seen.push(info) }));
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
    expect(s.hits()).toBe(3);
    expect(seen.map((i) => [i.attempt, i.statusCode ?? i.errorCode])).toEqual([
      [1, expect.any(String)],
      [2, 503],
    ]);
  });

  it('retries a bodiless HEAD answer of 429 without handing the caller half a response', async () => {
    const s = await serve((_req, res, n) => {
      res.writeHead(n === 0 ? 429 : 200, { 'content-length': '20' });
      res.end();
    });
    const res = await resumed(`${s.url}/x`, { method: 'HEAD' }, transport());
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(s.hits()).toBe(2);
  });

  it('gives up after maxRetries and hands back the last answer', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500);
      res.end('down');
    });
    const res = await resumed(`${s.url}/x`, {}, transport({ maxRetries: 2 }));
    expect(res.statusCode).toBe(500);
    expect(await res.body.text()).toBe('down');
    expect(s.hits()).toBe(3);
  });

  it('retries a reset that follows an informational answer (103 Early Hints), as before any answer', async () => {
    const s = await serve((req, res, n) => {
      if (n === 0) {
        res.writeEarlyHints({ link: '</x>; rel=preload' });
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      res.end('ok');
    });
    const res = await resumed(`${s.url}/x`, {}, transport());
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
    expect(s.hits()).toBe(2);
  });

  it('passes any other answer straight on', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(404);
      res.end('no such blob');
    });
    const res = await resumed(`${s.url}/x`, {}, transport());
    expect(res.statusCode).toBe(404);
    expect(await res.body.text()).toBe('no such blob');
    expect(s.hits()).toBe(1);
  });

  it('leaves a body that breaks mid-way to the caller, where another request is resumed with Range', async () => {
    const s = await serve((req, res) => {
      if (req.headers.range?.startsWith('bytes=5-')) {
        res.writeHead(206, { 'content-range': 'bytes 5-9/10', 'content-length': '5' });
        res.end('world');
        return;
      }
      res.writeHead(200, { 'content-length': '10' });
      res.write('hello');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const dispatcher = transport();
    const broken = await resumed(`${s.url}/x`, {}, dispatcher);
    await expect(broken.body.text()).rejects.toThrow();
    expect(s.hits()).toBe(1);
    // the same answer, without the option: the transport resumes it itself
    const whole = await request(`${s.url}/x`, { dispatcher });
    expect(await whole.body.text()).toBe('helloworld');
    expect(s.hits()).toBe(3);
  });

  it('lets the caller abort it, before and after the answer starts', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('hello');
    });
    const dispatcher = transport();
    const early = new AbortController();
    early.abort(new Error('stop early'));
    await expect(resumed(`${s.url}/x`, { signal: early.signal }, dispatcher)).rejects.toThrow('stop early');
    const late = new AbortController();
    const res = await resumed(`${s.url}/x`, { signal: late.signal }, dispatcher);
    const text = res.body.text();
    late.abort(new Error('stop late'));
    await expect(text).rejects.toThrow();
  });
});

describe('HostGates', () => {
  it('holds a host closed until its time passes, and keeps the later deadline', () => {
    const gates = new HostGates();
    gates.close('http://a', 100, 1000);
    gates.close('http://a', 50, 1000);
    expect(gates.remaining('http://a', 1000)).toBe(100);
    expect(gates.remaining('http://a', 1060)).toBe(40);
    expect(gates.remaining('http://a', 1100)).toBe(0);
    expect(gates.remaining('http://b', 1000)).toBe(0);
  });
});
