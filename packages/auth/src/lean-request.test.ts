import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getEventListeners } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { takeBody } from './lean-request.js';
import { Agent, dispatchRequest } from './undici.js';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback server answering by path; counts its connections and those closed. */
async function serve(routes: Record<string, Route>) {
  const sockets: Socket[] = [];
  const server: Server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent({ connections: 1 });
  const stop = async () => {
    await agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { origin, agent, sockets, stop };
}

const bytes = (n: number, seed = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 251));

/** Promises 10,000 bytes, sends 100, then drops the connection. */
const brokenAfter100: Route = (_req, res) => {
  res.writeHead(200, { 'content-length': '10000' });
  res.write(bytes(100), () => setTimeout(() => res.socket?.destroy(), 20));
};

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops) await stop();
  stops = [];
});

async function server(routes: Record<string, Route>) {
  const s = await serve(routes);
  stops.push(s.stop);
  return s;
}

describe('dispatchRequest bodies', () => {
  it('are taken whole without their stream, and the connection serves the next request', async () => {
    const { origin, agent, sockets } = await server({
      '/a': (_req, res) => res.end(bytes(4096)),
      '/b': (_req, res) => res.end('second'),
    });
    const a = await dispatchRequest(agent, { origin, path: '/a', method: 'GET' });
    const taken = await takeBody(a.body, 1 << 20);
    expect(taken?.error).toBeUndefined();
    expect(taken?.over).toBeUndefined();
    expect(Buffer.concat(taken?.chunks ?? [])).toEqual(bytes(4096));
    expect(taken?.size).toBe(4096);
    const b = await dispatchRequest(agent, { origin, path: '/b', method: 'GET' });
    expect(await b.body.text()).toBe('second');
    expect(sockets).toHaveLength(1);
  });

  it('are read as streams in order after waiting past their high-water mark', async () => {
    const big = bytes(1 << 20, 3);
    const { origin, agent } = await server({ '/big': (_req, res) => res.end(big) });
    const res = await dispatchRequest(agent, { origin, path: '/big', method: 'GET' });
    await sleep(50); // the answer waits, its connection paused at 64 KiB
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
  });

  it('keep what undici bodies offer: text, json, dump', async () => {
    const { origin, agent } = await server({
      '/t': (_req, res) => res.end('plain'),
      '/j': (_req, res) => res.end('{"a":[1,2]}'),
      '/d': (_req, res) => res.end(bytes(10_000)),
    });
    expect(await (await dispatchRequest(agent, { origin, path: '/t', method: 'GET' })).body.text()).toBe(
      'plain',
    );
    expect(await (await dispatchRequest(agent, { origin, path: '/j', method: 'GET' })).body.json()).toEqual({
      a: [1, 2],
    });
    const d = await dispatchRequest(agent, { origin, path: '/d', method: 'GET' });
    await d.body.dump();
    expect(d.body.destroyed || d.body.readableEnded).toBe(true);
  });

  it('stop at the limit when taken: the chunks before it, and the connection closed', async () => {
    const { origin, agent, sockets } = await server({
      '/endless': (_req, res) => {
        res.writeHead(200);
        const timer = setInterval(() => res.write(bytes(16_384)), 5);
        res.on('close', () => clearInterval(timer));
      },
    });
    const res = await dispatchRequest(agent, { origin, path: '/endless', method: 'GET' });
    const taken = await takeBody(res.body, 100_000);
    expect(taken?.over).toBe(true);
    expect(taken?.size).toBeLessThanOrEqual(100_000);
    expect(Buffer.concat(taken?.chunks ?? []).length).toBe(taken?.size);
    await expect.poll(() => sockets[0]?.destroyed).toBe(true);
  });

  it('stop at the limit when what waited already crosses it', async () => {
    const { origin, agent } = await server({ '/a': (_req, res) => res.end(bytes(5000)) });
    const res = await dispatchRequest(agent, { origin, path: '/a', method: 'GET' });
    await sleep(20);
    const taken = await takeBody(res.body, 4999);
    expect(taken?.over).toBe(true);
    expect(taken?.size).toBeLessThan(5000);
  });

  it('give the bytes before a broken connection, with its error', async () => {
    const { origin, agent } = await server({ '/broken': brokenAfter100 });
    const res = await dispatchRequest(agent, { origin, path: '/broken', method: 'GET' });
    const taken = await takeBody(res.body, 1 << 20);
    expect(taken?.error).toBeInstanceOf(Error);
    expect(Buffer.concat(taken?.chunks ?? [])).toEqual(bytes(100));
  });

  it('fail their stream when the connection broke before anyone read them, and never crash unread', async () => {
    const { origin, agent } = await server({ '/broken': brokenAfter100 });
    const unread = await dispatchRequest(agent, { origin, path: '/broken', method: 'GET' });
    const read = await dispatchRequest(agent, { origin, path: '/broken', method: 'GET' });
    await sleep(100);
    expect(unread.statusCode).toBe(200);
    const chunks: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of read.body) chunks.push(chunk as Buffer);
      })(),
    ).rejects.toThrow();
    expect(Buffer.concat(chunks)).toEqual(bytes(100));
  });

  it('are not taken once read as a stream or destroyed', async () => {
    const { origin, agent } = await server({ '/a': (_req, res) => res.end('x') });
    const read = await dispatchRequest(agent, { origin, path: '/a', method: 'GET' });
    read.body.on('data', () => {});
    expect(takeBody(read.body, 10)).toBeUndefined();
    const destroyed = await dispatchRequest(agent, { origin, path: '/a', method: 'GET' });
    destroyed.body.on('error', () => {});
    destroyed.body.destroy();
    expect(takeBody(destroyed.body, 10)).toBeUndefined();
    const taken = await dispatchRequest(agent, { origin, path: '/a', method: 'GET' });
    expect(await takeBody(taken.body, 10)).toMatchObject({ size: 1 });
    expect(takeBody(taken.body, 10)).toBeUndefined();
  });

  it('of a HEAD are empty', async () => {
    const { origin, agent } = await server({
      '/h': (_req, res) => res.writeHead(200, { 'content-length': '5' }).end(),
    });
    const res = await dispatchRequest(agent, { origin, path: '/h', method: 'HEAD' });
    expect(res.headers['content-length']).toBe('5');
    expect(await takeBody(res.body, 0)).toMatchObject({ size: 0, chunks: [] });
  });

  it('end with the reason of an abort: before the answer, while taken, and unread', async () => {
    const { origin, agent } = await server({
      '/slow': (_req, res) => {
        setTimeout(() => res.end('late'), 5000).unref();
      },
      '/trickle': (_req, res) => {
        res.writeHead(200);
        res.write('a');
        const timer = setInterval(() => res.write('b'), 10);
        res.on('close', () => clearInterval(timer));
      },
    });
    const first = new AbortController();
    const pending = dispatchRequest(agent, { origin, path: '/slow', method: 'GET', signal: first.signal });
    await sleep(20);
    const reason = new Error('stopped by the caller');
    first.abort(reason);
    await expect(pending).rejects.toBe(reason);

    const trickle = (signal: AbortSignal) =>
      dispatchRequest(agent, { origin, path: '/trickle', method: 'GET', signal });
    const second = new AbortController();
    const taking = await trickle(second.signal);
    const taken = takeBody(taking.body, 1 << 20);
    await sleep(30);
    second.abort(reason);
    expect((await taken)?.error).toBe(reason);

    const third = new AbortController();
    const unread = await trickle(third.signal);
    third.abort(reason);
    await expect(
      (async () => {
        for await (const _ of unread.body) {
          // reads until the abort's error
        }
      })(),
    ).rejects.toBe(reason);
  });

  it('share one abort listener per signal, and an abort ends every request of it', async () => {
    const { origin, agent } = await server({
      '/quick': (_req, res) => res.end('ok'),
      '/slow': (_req, res) => {
        setTimeout(() => res.end('late'), 5000).unref();
      },
    });
    const controller = new AbortController();
    const { signal } = controller;
    for (let n = 0; n < 5; n++) {
      const res = await dispatchRequest(agent, { origin, path: '/quick', method: 'GET', signal });
      expect(Buffer.concat((await takeBody(res.body, 10))?.chunks ?? []).toString()).toBe('ok');
    }
    const slow = Array.from({ length: 3 }, () =>
      dispatchRequest(agent, { origin, path: '/slow', method: 'GET', signal }),
    );
    await sleep(20);
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    const reason = new Error('all of them');
    controller.abort(reason);
    for (const request of slow) await expect(request).rejects.toBe(reason);
  });

  it('send a request body given as a stream', async () => {
    const { origin, agent } = await server({
      '/echo': (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => res.end(Buffer.concat(chunks)));
      },
    });
    const { Readable } = await import('node:stream');
    const res = await dispatchRequest(agent, {
      origin,
      path: '/echo',
      method: 'PUT',
      body: Readable.from([Buffer.from('one '), Buffer.from('two')]),
    });
    expect(Buffer.concat((await takeBody(res.body, 100))?.chunks ?? []).toString()).toBe('one two');
  });
});
