import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import type { RegistryRequest } from '@oras/registry';
import { authClientFor, interruptibleClient, requestTimeoutMs, transportFor } from './targets.js';
import { captureContext } from './test-support/capture.js';

const remote = { insecure: false, resolve: [] } as unknown as Parameters<typeof transportFor>[1];

describe('ORAS_REQUEST_TIMEOUT', () => {
  it('is read in seconds, 60 s when unset, 0 for none', () => {
    expect(requestTimeoutMs({})).toBe(60_000);
    expect(requestTimeoutMs({ ORAS_REQUEST_TIMEOUT: '2.5' })).toBe(2500);
    expect(requestTimeoutMs({ ORAS_REQUEST_TIMEOUT: '0' })).toBe(0);
    expect(() => requestTimeoutMs({ ORAS_REQUEST_TIMEOUT: '-1' })).toThrow(
      /invalid ORAS_REQUEST_TIMEOUT "-1"/,
    );
  });

  it('fails a command with one line when the value is not a number', async () => {
    const ctx = captureContext({ env: { ORAS_REQUEST_TIMEOUT: 'soon' } });
    expect(await runCli(['resolve', 'localhost:5000/a:b'], ctx)).toBe(1);
    expect(ctx.err()).toBe(
      'Error: invalid ORAS_REQUEST_TIMEOUT "soon"\nuse a number of seconds, e.g. 60 (0 waits for ever)\n',
    );
  });
});

describe('transportFor', () => {
  it('shares one transport per registry and settings for the whole run', () => {
    const ctx = captureContext();
    const a = transportFor('a.test', remote, ctx);
    expect(transportFor('a.test', remote, ctx)).toBe(a);
    expect(transportFor('b.test', remote, ctx)).not.toBe(a);
    expect(transportFor('a.test', remote, captureContext({ env: { ORAS_REQUEST_TIMEOUT: '5' } }))).not.toBe(
      a,
    );
  });
});

describe('authClientFor', () => {
  const common = { debug: false } as unknown as Parameters<typeof authClientFor>[2];
  const side = (username: string) =>
    ({ ...remote, username, password: `${username}-pw`, registryConfig: [], headers: {} }) as Parameters<
      typeof authClientFor
    >[1];

  it('gives each side of a run its own client (and token cache) unless their flags are equal', async () => {
    const ctx = captureContext();
    const from = await authClientFor('r.test', side('alice'), common, ctx);
    const to = await authClientFor('r.test', side('bob'), common, ctx);
    expect(to).not.toBe(from);
    expect(to.cache).not.toBe(from.cache);
    expect(await authClientFor('r.test', side('alice'), common, ctx)).toBe(from);
    expect(await authClientFor('other.test', side('alice'), common, ctx)).not.toBe(from);
  });

  it('never shares a client between two runs', async () => {
    const a = await authClientFor('r.test', side('alice'), common, captureContext());
    expect(await authClientFor('r.test', side('alice'), common, captureContext())).not.toBe(a);
  });
});

describe('interruptibleClient', () => {
  it("adds the run's signal to every request but the DELETEs that cancel uploads", async () => {
    const seen: RegistryRequest[] = [];
    const inner = {
      request: async (req: RegistryRequest) => {
        seen.push(req);
        return {} as never;
      },
    };
    const run = new AbortController();
    const client = interruptibleClient(inner, run.signal);
    await client.request({ method: 'GET', url: 'http://r.test/v2/' });
    await client.request({ method: 'DELETE', url: 'http://r.test/v2/a/blobs/uploads/1' });
    const own = new AbortController();
    await client.request({ method: 'PUT', url: 'http://r.test/v2/a/blobs/uploads/1', signal: own.signal });
    expect(seen[0]?.signal).toBe(run.signal);
    expect(seen[1]?.signal).toBeUndefined();
    run.abort();
    expect(seen[2]?.signal?.aborted).toBe(true);
    expect(interruptibleClient(inner, undefined)).toBe(inner);
  });

  it("combines an operation's signal with the run's once, for all its requests, warning-free", async () => {
    const seen: RegistryRequest[] = [];
    const inner = {
      request: async (req: RegistryRequest) => {
        seen.push(req);
        // as undici does while a request is in flight
        req.signal?.addEventListener('abort', () => {});
        return {} as never;
      },
    };
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const run = new AbortController();
      const client = interruptibleClient(inner, run.signal);
      const copy = new AbortController();
      const other = new AbortController();
      for (let i = 0; i < 30; i++) {
        await client.request({ method: 'GET', url: `http://r.test/v2/a/blobs/${i}`, signal: copy.signal });
      }
      await client.request({ method: 'GET', url: 'http://r.test/v2/b', signal: other.signal });
      const shared = seen[0]?.signal;
      expect(seen.slice(0, 30).every((r) => r.signal === shared)).toBe(true);
      expect(seen[30]?.signal).not.toBe(shared);
      // the operation's own abort reaches its requests, and not the others
      copy.abort();
      expect(shared?.aborted).toBe(true);
      expect(seen[30]?.signal?.aborted).toBe(false);
      // the run's reaches every request
      run.abort();
      expect(seen[30]?.signal?.aborted).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
