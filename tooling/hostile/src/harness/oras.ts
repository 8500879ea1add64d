/**
 * Runs the built `oras` (packages/cli/dist/bin.js) as a child process, the way a user or a CI job
 * does: its own HOME, DOCKER_CONFIG and TMPDIR inside the case's sandbox, a hard timeout (a hang
 * is a failure, never a stuck suite), stdout and stderr captured, and optionally its peak memory
 * (through `/usr/bin/time -f %M`) or a SIGKILL once a condition holds.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built CLI entry point; `ORAS_HOSTILE_BIN` names another build (a copy of an older `dist`,
 * to show that a case fails without the fix it tests).
 */
export const ORAS_BIN: string =
  process.env.ORAS_HOSTILE_BIN ??
  fileURLToPath(new URL('../../../../packages/cli/dist/bin.cjs', import.meta.url));

/** The GNU time binary used to measure peak memory. */
export const TIME_BIN = '/usr/bin/time';

/** How long one run may take before it counts as a hang (default 60 s). */
export const DEFAULT_RUN_TIMEOUT_MS = 60_000;

/** Options of {@link runOras}. */
export interface RunOrasOptions {
  /** The working directory (default: the sandbox's `work` folder when a sandbox is given). */
  readonly cwd: string;
  /** The environment on top of a minimal one (PATH, HOME, DOCKER_CONFIG, TMPDIR from `home`/`tmp`). */
  readonly env?: Readonly<Record<string, string>>;
  /** HOME and DOCKER_CONFIG (`<home>/.docker`) of the run. */
  readonly home: string;
  /** TMPDIR of the run. */
  readonly tmp: string;
  /** Bytes written to stdin (then closed); stdin is closed at once otherwise. */
  readonly stdin?: string;
  /** A run still going after this long is killed and reported as `timedOut` (default 60 s). */
  readonly timeoutMs?: number;
  /** Measure peak RSS with `/usr/bin/time -f %M` (not with `killWhen`). */
  readonly measureMemory?: boolean;
  /** Polled every 10 ms while the run goes; once it returns true the process gets `killSignal`. */
  readonly killWhen?: () => boolean | Promise<boolean>;
  /** The signal `killWhen` sends, once (default SIGKILL; SIGINT is a Ctrl-C). */
  readonly killSignal?: NodeJS.Signals;
  /**
   * Takes stdout chunk by chunk instead of keeping it (the run's `stdout` is then empty): for
   * runs that print more than a test should hold, checked by a running hash.
   */
  readonly onStdout?: (chunk: Buffer) => void;
}

/** What one run did. */
export interface OrasRun {
  readonly args: readonly string[];
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** It did not end within the timeout and was killed. */
  readonly timedOut: boolean;
  /** `killWhen` fired and the run was sent `killSignal` (SIGKILL by default). */
  readonly killed: boolean;
  /** Peak resident set size in KiB (with `measureMemory`). */
  readonly peakRssKiB?: number;
}

/** Runs `oras <args>` and resolves when it has ended (or been killed). */
export async function runOras(args: readonly string[], options: RunOrasOptions): Promise<OrasRun> {
  if (!existsSync(ORAS_BIN)) {
    throw new Error(`${ORAS_BIN}: not built; run pnpm --filter @oras/cli... build`);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.home,
    DOCKER_CONFIG: join(options.home, '.docker'),
    TMPDIR: options.tmp,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    ...options.env,
  };
  const memoryFile = join(options.tmp, `.peak-rss-${process.pid}-${Date.now()}`);
  const measure = options.measureMemory === true && options.killWhen === undefined;
  const [command, argv] = measure
    ? [TIME_BIN, ['-f', '%M', '-o', memoryFile, process.execPath, ORAS_BIN, ...args]]
    : [process.execPath, [ORAS_BIN, ...args]];
  // measured through `time`, the CLI is a grandchild: a process group of its own lets a timeout
  // kill both (killing `time` alone left the CLI running on)
  const child = spawn(command, argv, {
    cwd: options.cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: measure,
  });
  let stdout = '';
  let stderr = '';
  const onStdout = options.onStdout;
  if (onStdout) child.stdout.on('data', (chunk: Buffer) => onStdout(chunk));
  else
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  child.stdin.on('error', () => {});
  child.stdin.end(options.stdin ?? '');
  let timedOut = false;
  let killed = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (measure && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    } else child.kill('SIGKILL');
  }, options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS);
  let polling: NodeJS.Timeout | undefined;
  if (options.killWhen) {
    const check = options.killWhen;
    let busy = false;
    polling = setInterval(async () => {
      if (busy || killed || child.exitCode !== null) return;
      busy = true;
      try {
        if (await check()) {
          killed = true;
          child.kill(options.killSignal ?? 'SIGKILL');
        }
      } finally {
        busy = false;
      }
    }, 10);
  }
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  if (polling) clearInterval(polling);
  let peakRssKiB: number | undefined;
  if (measure) {
    const text = await readFile(memoryFile, 'utf8').catch(() => '');
    const last = text.trim().split('\n').pop() ?? '';
    if (/^\d+$/.test(last)) peakRssKiB = Number(last);
    await rm(memoryFile, { force: true });
  }
  return {
    args,
    code,
    signal,
    stdout,
    stderr,
    timedOut,
    killed,
    ...(peakRssKiB !== undefined ? { peakRssKiB } : {}),
  };
}
