/**
 * An `AuthClient` given no dispatcher honours the proxy the environment names (read once, on
 * first use: this file runs in its own module scope, so the environment is set before that).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthClient } from './client.js';
import { defaultDispatcher } from './proxy.js';

const names = ['HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'REQUEST_METHOD'] as const;
const saved = names.map((name) => [name, process.env[name]] as const);
afterAll(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the default dispatcher', () => {
  it('sends requests through the proxy of the environment', async () => {
    const seen: (string | undefined)[] = [];
    const proxy = createServer((req, res) => {
      seen.push(req.url);
      res.end('through the proxy');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      for (const name of names) delete process.env[name];
      process.env.http_proxy = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const res = await new AuthClient().request({ method: 'GET', url: 'http://registry.test:5000/v2/' });
      expect(await res.body.text()).toBe('through the proxy');
      expect(seen).toEqual(['http://registry.test:5000/v2/']);
      expect(defaultDispatcher()).toBe(defaultDispatcher());
      await defaultDispatcher().close();
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
