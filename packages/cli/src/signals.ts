/**
 * What `oras` does on Ctrl-C (`SIGINT`) and `SIGTERM`: abort the work in flight (every registry
 * request of the run gets an abort signal; the library then cancels its open upload sessions with
 * `DELETE`), wait a moment for that, remove the temporary files of every file store and OCI layout
 * of the process, leave the terminal tidy, print one line and exit 130 (`SIGINT`) or 143
 * (`SIGTERM`), the codes a shell gives a process killed by those signals. A second signal
 * exits at once, still removing the temporary files.
 *
 * oras (Go) dies on the signal with the runtime's default handling; we stop cleanly instead, which
 * is what the signal asks for.
 */
import { setMaxListeners } from 'node:events';
import type { CliContext, OutputStream } from './context.js';

/** The exit code after `SIGINT`: 128 + 2. */
export const EXIT_SIGINT = 130;

/** The exit code after `SIGTERM`: 128 + 15. */
export const EXIT_SIGTERM = 143;

/** How long a run may take to wind down after the first signal (cancelling uploads) before exiting. */
export const DEFAULT_INTERRUPT_GRACE_MS = 2000;

/** The signals handled, with their exit codes and the line printed. */
const HANDLED = {
  SIGINT: { code: EXIT_SIGINT, line: 'Error: interrupted' },
  SIGTERM: { code: EXIT_SIGTERM, line: 'Error: terminated' },
} as const;

/** A signal {@link runInterruptible} handles. */
export type HandledSignal = keyof typeof HANDLED;

/** The reason of the run's abort signal after an interrupt. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  /** The signal received. */
  readonly signal: HandledSignal;

  constructor(signal: HandledSignal) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
  }
}

/** Where signals come from: the process, or an emitter in tests. */
export interface SignalSource {
  on(event: HandledSignal, listener: () => void): unknown;
  removeListener(event: HandledSignal, listener: () => void): unknown;
}

/** Options of {@link runInterruptible}. */
export interface InterruptibleOptions {
  /** The source of signals (default `process`). */
  readonly signals?: SignalSource;
  /** Ends the process with a code (default `process.exit`). */
  readonly exit?: (code: number) => void;
  /** How long to wait for the run to wind down after the first signal (default 2 s). */
  readonly graceMs?: number;
  /** Removes temporary files, synchronously (default: every file store and OCI layout's). */
  readonly cleanupSync?: () => void;
}

/**
 * A view of `stream` whose writes are dropped once `open()` says no, everything else (`isTTY`,
 * `columns`, `'resize'` events) read through: after an interrupt, what the run still prints as it
 * fails (its error, a last progress frame) would only bury the one line that says what happened.
 */
function gated(stream: OutputStream, open: () => boolean): OutputStream {
  return new Proxy(stream, {
    get(target, key) {
      if (key === 'write') {
        return (chunk: unknown, ...rest: unknown[]) => {
          if (open()) return (target.write as (...args: unknown[]) => boolean)(chunk, ...rest);
          const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
          callback?.();
          return true;
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The temporary-file cleanups of the content stores, loaded when the first signal arrives. */
let storeCleanups: (() => void)[] = [];

async function loadStoreCleanups(): Promise<void> {
  const [file, oci] = await Promise.all([import('@oras/content/file'), import('@oras/content/oci')]);
  storeCleanups = [file.cleanupFileStoresSync, oci.cleanupOciLayoutsSync];
}

function cleanupStoresSync(): void {
  for (const cleanup of storeCleanups) {
    try {
      cleanup();
    } catch {
      // the cleanups never throw; nothing may stop the exit
    }
  }
}

/**
 * Runs `run` with a context whose `signal` aborts on `SIGINT`/`SIGTERM`, and handles those signals
 * as the module comment says. Resolves to the run's exit code when no signal came.
 */
export async function runInterruptible(
  ctx: CliContext,
  run: (ctx: CliContext) => Promise<number>,
  options: InterruptibleOptions = {},
): Promise<number> {
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const cleanupSync = options.cleanupSync ?? cleanupStoresSync;
  const controller = new AbortController();
  // every request in flight listens to it: more than Node's default of 10 is no leak here
  setMaxListeners(0, controller.signal);
  let received: HandledSignal | undefined;
  let ended = false;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let loading: Promise<void> = Promise.resolve();
  const stderr = ctx.stderr;
  // the context's properties as they are defined: a getter (the process's stdin) stays lazy
  const runCtx = Object.defineProperties(
    {},
    {
      ...Object.getOwnPropertyDescriptors(ctx),
      stderr: { value: gated(stderr, () => received === undefined), enumerable: true },
      signal: { value: controller.signal, enumerable: true },
    },
  ) as CliContext;

  /** Cleans up, says what happened and exits; only once. */
  const end = (signal: HandledSignal): void => {
    if (ended) return;
    ended = true;
    if (graceTimer) clearTimeout(graceTimer);
    cleanupSync();
    // a progress frame ends its lines; this ends any half line and shows the cursor again
    const tidy = stderr.isTTY ? '\r\x1b[K\x1b[?25h' : '';
    stderr.write(`${tidy}${HANDLED[signal].line}\n`);
    exit(HANDLED[signal].code);
  };

  let wound: () => void = () => {};
  const windDown = new Promise<void>((resolve) => {
    wound = resolve;
  });
  const listeners = (Object.keys(HANDLED) as HandledSignal[]).map((signal) => {
    const listener = () => {
      if (received !== undefined) {
        // a second signal: no more waiting
        end(received);
        return;
      }
      received = signal;
      if (options.cleanupSync === undefined) loading = loadStoreCleanups().catch(() => {});
      controller.abort(new InterruptedError(signal));
      graceTimer = setTimeout(wound, options.graceMs ?? DEFAULT_INTERRUPT_GRACE_MS);
    };
    signals.on(signal, listener);
    return [signal, listener] as const;
  });
  try {
    const running = run(runCtx).catch(() => 1);
    const code = await Promise.race([running, windDown.then(() => 1)]);
    if (received === undefined) return code;
    await loading;
    end(received);
    return HANDLED[received].code;
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    for (const [signal, listener] of listeners) signals.removeListener(signal, listener);
  }
}
