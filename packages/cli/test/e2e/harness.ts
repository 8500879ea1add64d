/**
 * Runs the built `oras` as a child process, the way a user runs it, with a private
 * `DOCKER_CONFIG` so tests never touch ~/.docker, and small helpers to look at what landed in a
 * registry (through skopeo, an independent client) and on disk.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The built CLI. */
export const ORAS_BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** What a run printed and how it ended. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link oras}. */
export interface RunOptions {
  readonly cwd: string;
  /** Extra environment (DOCKER_CONFIG is always set to the sandbox's). */
  readonly env?: Record<string, string>;
  /** Text written to stdin (stdin is closed after it). */
  readonly input?: string;
}

/** A temporary working directory and Docker config for one test file. */
export interface Sandbox {
  readonly dir: string;
  readonly dockerConfig: string;
  /** Runs `oras` in the sandbox. */
  run(args: readonly string[], options?: Partial<RunOptions>): Promise<RunResult>;
  /** Runs `oras` and fails with its output unless it exits 0. */
  ok(args: readonly string[], options?: Partial<RunOptions>): Promise<RunResult>;
  remove(): Promise<void>;
}

/** Runs `node dist/bin.js ...args`. */
export function oras(
  args: readonly string[],
  options: RunOptions & { dockerConfig: string },
): Promise<RunResult> {
  if (!existsSync(ORAS_BIN))
    throw new Error(`${ORAS_BIN} is missing: run pnpm --filter @oras/cli... build first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ORAS_BIN, ...args], {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: options.cwd,
        DOCKER_CONFIG: options.dockerConfig,
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Makes a sandbox. */
export async function sandbox(prefix = 'oras-cli-e2e-'): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const dockerConfig = join(dir, '.docker');
  const run = (args: readonly string[], options: Partial<RunOptions> = {}) =>
    oras(args, { cwd: dir, dockerConfig, ...options });
  return {
    dir,
    dockerConfig,
    run,
    async ok(args, options) {
      const res = await run(args, options);
      if (res.code !== 0) {
        throw new Error(
          `oras ${args.join(' ')} exited ${res.code}\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`,
        );
      }
      return res;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

const execFileP = promisify(execFile);

/** Runs skopeo (an independent client) and returns its stdout. */
export async function skopeo(args: readonly string[]): Promise<string> {
  const { stdout } = await execFileP('skopeo', [...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** The sha256 digest of bytes. */
export function sha256(bytes: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The `Digest: ...` line of a text result. */
export function digestLine(stdout: string): string {
  const m = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(stdout);
  if (!m?.[1]) throw new Error(`no Digest line in:\n${stdout}`);
  return m[1];
}
