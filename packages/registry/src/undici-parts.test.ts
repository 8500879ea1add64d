import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { Agent, RetryHandler, buildConnector, dispatchRequest, globalDispatcher } from './undici.js';

describe('undici parts', () => {
  it('are the very classes and functions undici exports from its root', () => {
    expect(Agent).toBe(undici.Agent);
    expect(buildConnector).toBe(undici.buildConnector);
    expect(RetryHandler).toBe(undici.RetryHandler);
    expect(globalDispatcher()).toBe(undici.getGlobalDispatcher());
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

  it('leave undici’s root module unloaded when the package is imported', () => {
    const script = `
      await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const { createRequire } = await import('node:module');
      const root = createRequire(${JSON.stringify(import.meta.url)}).resolve('undici');
      const { default: Module } = await import('node:module');
      console.log(Object.keys(Module._cache).includes(root) ? 'root loaded' : 'root not loaded');
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('root not loaded');
  });
});
