import { once } from 'node:events';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
