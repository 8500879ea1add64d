import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import {
  type AddressInfo,
  type Socket,
  connect as connectTo,
  createServer as createNetServer,
} from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './index.js';

const BODY = Buffer.alloc(256 * 1024, 7);
let upstream: Server;
let proxy: FaultProxy;

async function get(port: number): Promise<{ bytes: number; error?: string }> {
  let bytes = 0;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/blob`);
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) bytes += chunk.length;
    return { bytes };
  } catch (err) {
    return { bytes, error: String((err as Error).cause ?? err) };
  }
}

beforeEach(async () => {
  upstream = createServer((_req, res) => {
    res.setHeader('content-length', BODY.length);
    res.end(BODY);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  proxy = await startFaultProxy({
    upstream: { host: '127.0.0.1', port: (upstream.address() as AddressInfo).port },
  });
});

afterEach(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('fault proxy', () => {
  it('forwards a whole response when no fault is planned', async () => {
    expect(await get(proxy.port)).toEqual({ bytes: BODY.length });
    expect(proxy.connections).toBe(1);
    expect(proxy.faulted).toBe(0);
  });

  it('cuts a connection after N bytes, for the planned number of connections only', async () => {
    proxy.setFaults({ cutAfterBytes: 64 * 1024, times: 1 });
    const cut = await get(proxy.port);
    expect(cut.error).toBeDefined();
    expect(cut.bytes).toBeLessThan(BODY.length);
    expect(await get(proxy.port)).toEqual({ bytes: BODY.length });
    expect(proxy.faulted).toBe(1);
  });

  it('refuses connections while told to', async () => {
    proxy.setFaults({ refuse: true, times: 2 });
    expect((await get(proxy.port)).error).toBeDefined();
    expect((await get(proxy.port)).error).toBeDefined();
    expect(await get(proxy.port)).toEqual({ bytes: BODY.length });
  });

  it('stalls after N bytes and then goes on', async () => {
    proxy.setFaults({ stallAfterBytes: 1000, stallMs: 200, times: 1 });
    expect(await get(proxy.port)).toEqual({ bytes: BODY.length });
    expect(proxy.faulted).toBe(1);
  });

  it('stalls for good when no end is given, so a client timeout must fire', async () => {
    proxy.setFaults({ stallAfterBytes: 1000, times: 1 });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 300);
    let bytes = 0;
    await expect(
      (async () => {
        const res = await fetch(`http://127.0.0.1:${proxy.port}/blob`, { signal: controller.signal });
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) bytes += chunk.length;
      })(),
    ).rejects.toThrow();
    clearTimeout(timer);
    expect(bytes).toBeLessThan(BODY.length);
  });
});

describe('fault proxy, upstream closing while a stall holds', () => {
  it('keeps the stalled client waiting after the upstream has closed its side', async () => {
    const closing = createServer((_req, res) => {
      res.setHeader('connection', 'close');
      res.end('short answer');
    });
    closing.listen(0, '127.0.0.1');
    await once(closing, 'listening');
    const stalling = await startFaultProxy({
      upstream: { host: '127.0.0.1', port: (closing.address() as AddressInfo).port },
    });
    try {
      stalling.setFaults({ stallAfterBytes: 1, times: 1 });
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 500);
      const outcome = await fetch(`http://127.0.0.1:${stalling.port}/`, { signal: controller.signal }).then(
        () => 'answered',
        (err: Error) => err.name,
      );
      clearTimeout(timer);
      // only the client's own timeout ended it: the proxy did not pass the upstream's close on
      expect(outcome).toBe('AbortError');
    } finally {
      await stalling.close();
      await new Promise((resolve) => closing.close(resolve));
    }
  });
});

/** An upstream that only reads, and records how many bytes each connection brought once it closes. */
async function startSink(): Promise<{ port: number; received: number[]; close(): Promise<void> }> {
  const received: number[] = [];
  const sockets = new Set<Socket>();
  const sink = createNetServer((socket) => {
    sockets.add(socket);
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      received.push(bytes);
    });
  });
  sink.listen(0, '127.0.0.1');
  await once(sink, 'listening');
  return {
    port: (sink.address() as AddressInfo).port,
    received,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => sink.close(resolve));
    },
  };
}

/** A client connection, and how it ends: `clean`, or the code of its socket error. */
function open(port: number): { socket: Socket; connected: Promise<unknown>; outcome: Promise<string> } {
  const socket = connectTo(port, '127.0.0.1');
  const connected = once(socket, 'connect');
  const outcome = new Promise<string>((resolve) => {
    let code = 'clean';
    socket.on('error', (err: NodeJS.ErrnoException) => {
      code = err.code ?? String(err);
    });
    socket.on('close', () => resolve(code));
    socket.resume();
  });
  return { socket, connected, outcome };
}

/** A client that sends `bytes` bytes and half-closes. */
function send(port: number, bytes: number): ReturnType<typeof open> {
  const client = open(port);
  client.socket.end(Buffer.alloc(bytes, 3));
  return client;
}

/** Waits until the sink has seen `count` connections close. */
async function closedConnections(sink: { received: number[] }, count: number): Promise<number[]> {
  while (sink.received.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
  return [...sink.received].sort((a, b) => a - b);
}

describe('fault proxy, cutting uploads', () => {
  // not a multiple of a socket read (64 KiB), so the cut falls inside a chunk
  const CUT = 100_000;
  const BIG = 1024 * 1024;
  /** A reset shows up as ECONNRESET on a read, or EPIPE when the client was still writing. */
  const RESET = /^(ECONNRESET|EPIPE)$/;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let cutting: FaultProxy;

  beforeEach(async () => {
    sink = await startSink();
    cutting = await startFaultProxy({ upstream: { host: '127.0.0.1', port: sink.port } });
  });

  afterEach(async () => {
    await cutting.close();
    await sink.close();
  });

  it('forwards and counts uploads when no cut is planned', async () => {
    expect(await send(cutting.port, BIG).outcome).toBe('clean');
    expect(await closedConnections(sink, 1)).toEqual([BIG]);
    expect(cutting.uploadedBytes).toBe(BIG);
    expect(cutting.uploadCuts).toBe(0);
  });

  it('resets the client once it has sent N bytes, the upstream getting exactly N', async () => {
    cutting.setFaults({ cutUploadAfterBytes: CUT, times: 1 });
    expect(await send(cutting.port, BIG).outcome).toMatch(RESET);
    expect(await closedConnections(sink, 1)).toEqual([CUT]);
    expect(cutting.uploadCuts).toBe(1);
    expect(cutting.faulted).toBe(1);
    expect(cutting.uploadedBytes).toBe(CUT);
  });

  it('with times: 1, cuts exactly one of two concurrent uploads, then forwards the next untouched', async () => {
    cutting.setFaults({ cutUploadAfterBytes: CUT, times: 1 });
    const outcomes = await Promise.all([send(cutting.port, BIG).outcome, send(cutting.port, BIG).outcome]);
    expect(outcomes.filter((o) => RESET.test(o))).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'clean')).toHaveLength(1);
    expect(await closedConnections(sink, 2)).toEqual([CUT, BIG]);
    expect(await send(cutting.port, BIG).outcome).toBe('clean');
    expect(await closedConnections(sink, 3)).toEqual([CUT, BIG, BIG]);
    expect(cutting.uploadCuts).toBe(1);
    expect(cutting.faulted).toBe(1);
    expect(cutting.connections).toBe(3);
    expect(cutting.uploadedBytes).toBe(CUT + 2 * BIG);
  });

  it('spends times on a cut, not on a connection that never sends N bytes', async () => {
    cutting.setFaults({ cutUploadAfterBytes: CUT, times: 1 });
    // a short request opens first and stays open while the upload goes through another connection
    const short = open(cutting.port);
    await short.connected;
    short.socket.write(Buffer.alloc(100));
    expect(await send(cutting.port, BIG).outcome).toMatch(RESET);
    expect(await closedConnections(sink, 1)).toEqual([CUT]);
    short.socket.end();
    expect(await short.outcome).toBe('clean');
    expect(await closedConnections(sink, 2)).toEqual([100, CUT]);
    expect(cutting.uploadCuts).toBe(1);
  });

  it('charges a cut to the plan its connection was accepted under, after setFaults too', async () => {
    cutting.setFaults({ cutUploadAfterBytes: CUT, times: 1 });
    const early = open(cutting.port);
    await early.connected;
    // a fresh budget for new connections; the open one still holds a cut of the first plan
    cutting.setFaults({ cutUploadAfterBytes: CUT, times: 1 });
    expect(await send(cutting.port, BIG).outcome).toMatch(RESET);
    early.socket.end(Buffer.alloc(BIG));
    expect(await early.outcome).toMatch(RESET);
    expect(await send(cutting.port, BIG).outcome).toBe('clean');
    expect(await closedConnections(sink, 3)).toEqual([CUT, CUT, BIG]);
    expect(cutting.uploadCuts).toBe(2);
  });

  it('refuses a plan that mixes upload cuts with connection faults', () => {
    expect(() => cutting.setFaults({ cutUploadAfterBytes: CUT, cutAfterBytes: CUT })).toThrow(TypeError);
    expect(() => cutting.setFaults({ cutUploadAfterBytes: CUT, refuse: true })).toThrow(TypeError);
  });
});

describe('fault proxy, dropping Range', () => {
  let seen: { range?: string; renamed?: string }[];
  let server: Server;
  const open: FaultProxy[] = [];

  beforeEach(async () => {
    seen = [];
    server = createServer((req, res) => {
      seen.push({ range: req.headers.range, renamed: req.headers['x-rng'] as string | undefined });
      res.setHeader('content-length', BODY.length);
      res.end(BODY);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
    server.close();
  });

  const proxyTo = async (dropRange: boolean) => {
    const p = await startFaultProxy({
      upstream: { host: '127.0.0.1', port: (server.address() as AddressInfo).port },
      dropRange,
    });
    open.push(p);
    return p;
  };
  const ask = async (port: number, range: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/blob`, { headers: { Range: range } });
    return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
  };

  it('renames the Range header of each request, so the upstream answers with the whole body', async () => {
    const p = await proxyTo(true);
    expect(await ask(p.port, 'bytes=100-')).toEqual({ status: 200, bytes: BODY.length });
    expect(await ask(p.port, 'bytes=5-9')).toEqual({ status: 200, bytes: BODY.length });
    expect(seen).toEqual([
      { range: undefined, renamed: 'bytes=100-' },
      { range: undefined, renamed: 'bytes=5-9' },
    ]);
    expect(p.rangeRequests).toBe(2);
  });

  it('forwards Range untouched unless told to drop it', async () => {
    const p = await proxyTo(false);
    await ask(p.port, 'bytes=100-');
    expect(seen).toEqual([{ range: 'bytes=100-', renamed: undefined }]);
    expect(p.rangeRequests).toBe(1);
    await fetch(`http://127.0.0.1:${p.port}/blob`).then((res) => res.arrayBuffer());
    expect(p.rangeRequests).toBe(1);
  });
});
