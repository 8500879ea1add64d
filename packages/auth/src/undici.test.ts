import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import {
  Agent,
  Client,
  connectFunction,
  Pool,
  proxyAgentClass,
  RetryHandler,
  buildConnector,
  dispatchRequest,
  globalDispatcher,
} from './undici.js';

describe('undici parts', () => {
  it('are the very classes and functions undici exports from its root', () => {
    expect(Agent).toBe(undici.Agent);
    expect(buildConnector).toBe(undici.buildConnector);
    expect(RetryHandler).toBe(undici.RetryHandler);
    expect(globalDispatcher()).toBe(undici.getGlobalDispatcher());
    expect(Pool).toBe(undici.Pool);
    expect(Client).toBe(undici.Client);
    expect(proxyAgentClass()).toBe(undici.ProxyAgent);
    expect(connectFunction()).toBe(undici.Dispatcher.prototype.connect);
  });

  it('send a request through any dispatcher', async () => {
    const server = createServer((req, res) => res.end(`${req.method} ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent();
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await dispatchRequest(agent, { origin, path: '/v2/?n=1', method: 'GET' });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('GET /v2/?n=1');
    } finally {
      await agent.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
