/**
 * The process around one run of `oras`: streams, environment and working directory. Commands take
 * it as a parameter instead of reaching for `process`, so tests can run them in-process.
 */
import type { Readable, Writable } from 'node:stream';

/** A writable stream that may be a terminal. */
export type OutputStream = Writable & { readonly isTTY?: boolean; readonly columns?: number };

/** The process around a run: streams, environment and working directory, injectable for tests. */
export interface CliContext {
  /** Where results go (status lines in plain mode, `Pushed ...`, JSON, templates). */
  readonly stdout: OutputStream;
  /** Where diagnostics go (progress on a terminal, warnings, errors, debug traces). */
  readonly stderr: OutputStream;
  /** Where `--password-stdin` and prompts read from. */
  readonly stdin: Readable & { readonly isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** The environment (`DOCKER_CONFIG`, `ORAS_CACHE`, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working directory relative paths resolve against. */
  readonly cwd: string;
  /**
   * Aborts the run's work in flight: `SIGINT`/`SIGTERM` (see `./signals.ts`). Every registry
   * request of the run gets it.
   */
  readonly signal?: AbortSignal;
}

/**
 * The context of the running process. `stdin` is read from `process` on first use: Node builds
 * the stream (and loads the file-stream code behind it) only then, and most commands never read
 * stdin.
 */
export function processContext(): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}
