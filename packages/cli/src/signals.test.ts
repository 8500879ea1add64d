import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { CliContext } from './context.js';
import { EXIT_SIGINT, EXIT_SIGTERM, InterruptedError, runInterruptible } from './signals.js';
import { captureContext } from './test-support/capture.js';

/** A signal source, an exit recorder and a cleanup counter for one run. */
function harness() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  let cleanups = 0;
  return {
    signals,
    exits,
    cleanups: () => cleanups,
    options: (graceMs = 5_000) => ({
      signals,
      exit: (code: number) => {
        exits.push(code);
      },
      cleanupSync: () => {
        cleanups++;
      },
      graceMs,
    }),
  };
}

/** A run that waits for its abort signal, then fails after writing what a failing run writes. */
function abortableRun(onAbort: (ctx: CliContext) => Promise<number> | number) {
  let started!: () => void;
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  const run = (ctx: CliContext) =>
    new Promise<number>((resolve) => {
      ctx.signal?.addEventListener('abort', () => resolve(onAbort(ctx)));
      started();
    });
  return { run, ready };
}

describe('runInterruptible', () => {
  it('returns the exit code of a run no signal interrupts, and stops listening', async () => {
    const h = harness();
    const ctx = captureContext();
    expect(await runInterruptible(ctx, async () => 3, h.options())).toBe(3);
    expect(h.signals.listenerCount('SIGINT')).toBe(0);
    expect(h.signals.listenerCount('SIGTERM')).toBe(0);
    expect(h.exits).toEqual([]);
  });

  it('on SIGINT aborts the run, lets it wind down, cleans up, prints one line and exits 130', async () => {
    const h = harness();
    const ctx = captureContext();
    let reason: unknown;
    const { run, ready } = abortableRun(async (c) => {
      reason = c.signal?.reason;
      // what the run prints as it fails is not shown: the one line says what happened
      c.stderr.write('Error: GET 127.0.0.1:5000/a: aborted\n');
      return 1;
    });
    const done = runInterruptible(ctx, run, h.options());
    await ready;
    h.signals.emit('SIGINT');
    expect(await done).toBe(EXIT_SIGINT);
    expect(reason).toBeInstanceOf(InterruptedError);
    expect(ctx.err()).toBe('Error: interrupted\n');
    expect(h.cleanups()).toBe(1);
    expect(h.exits).toEqual([130]);
  });

  it('on SIGTERM exits 143 with its own line', async () => {
    const h = harness();
    const ctx = captureContext();
    const { run, ready } = abortableRun(() => 1);
    const done = runInterruptible(ctx, run, h.options());
    await ready;
    h.signals.emit('SIGTERM');
    expect(await done).toBe(EXIT_SIGTERM);
    expect(ctx.err()).toBe('Error: terminated\n');
    expect(h.exits).toEqual([143]);
  });

  it('exits at once on a second signal, still cleaning up, while the run hangs', async () => {
    const h = harness();
    const ctx = captureContext();
    const { run, ready } = abortableRun(() => new Promise<number>(() => {}));
    void runInterruptible(ctx, run, h.options(60_000));
    await ready;
    h.signals.emit('SIGINT');
    expect(h.exits).toEqual([]);
    h.signals.emit('SIGINT');
    expect(h.exits).toEqual([130]);
    expect(h.cleanups()).toBe(1);
    expect(ctx.err()).toBe('Error: interrupted\n');
  });

  it('exits after the grace period when the run does not wind down', async () => {
    const h = harness();
    const ctx = captureContext();
    const { run, ready } = abortableRun(() => new Promise<number>(() => {}));
    const done = runInterruptible(ctx, run, h.options(20));
    await ready;
    h.signals.emit('SIGINT');
    expect(await done).toBe(EXIT_SIGINT);
    expect(h.exits).toEqual([130]);
  });

  it('shows the cursor and ends a half line on a terminal', async () => {
    const h = harness();
    const ctx = captureContext({ tty: true });
    const { run, ready } = abortableRun(() => 1);
    const done = runInterruptible(ctx, run, h.options());
    await ready;
    h.signals.emit('SIGINT');
    await done;
    expect(ctx.err()).toBe('\r\x1b[K\x1b[?25hError: interrupted\n');
  });

  it('passes the run a context that reads through to the streams until the signal', async () => {
    const h = harness();
    const ctx = captureContext({ tty: true });
    await runInterruptible(
      ctx,
      async (c) => {
        expect(c.stderr.isTTY).toBe(true);
        expect(c.stderr.columns).toBe(100);
        expect(c.signal?.aborted).toBe(false);
        c.stderr.write('progress\n');
        return 0;
      },
      h.options(),
    );
    expect(ctx.err()).toBe('progress\n');
  });

  it('lets every request in flight listen to the abort signal without a MaxListenersExceededWarning', async () => {
    const h = harness();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      await runInterruptible(
        captureContext(),
        async (c) => {
          for (let i = 0; i < 40; i++) c.signal?.addEventListener('abort', () => {});
          await new Promise((resolve) => setImmediate(resolve));
          return 0;
        },
        h.options(),
      );
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
});
