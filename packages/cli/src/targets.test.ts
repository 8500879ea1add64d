import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { requestTimeoutMs, transportFor } from './targets.js';
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
