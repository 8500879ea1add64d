/**
 * The one end-to-end harness: runs the built `oras` (`dist/bin.cjs`, the package's `bin`) as a
 * child process, the way a user runs it, with a private Docker config and no terminal; shell
 * pipelines around it (`$ORAS` in the script); sandboxes (a working directory with its own Docker config) for test files; and
 * small helpers to look at what landed in a registry (through skopeo, an independent client).
 * Build first: `pnpm --filter @oras/cli... build`.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The built entry point. */
export const ORAS_BIN = fileURLToPath(new URL('../../dist/bin.cjs', import.meta.url));

/** What a run printed and how it ended. */
export interface OrasRun {
  /** The exit code. */
  readonly code: number;
  /** Standard output as text. */
  readonly stdout: string;
  /** Standard output as bytes. */
  readonly stdoutBytes: Buffer;
  /** Standard error as text. */
  readonly stderr: string;
}

/** Options of {@link oras} and {@link sh}. */
export interface OrasRunOptions {
  /** Bytes on stdin, which is closed after them; `undefined` means no stdin at all (`/dev/null`). */
  readonly stdin?: string | Uint8Array | undefined;
  /** The working directory (default: a scratch home shared by the test file). */
  readonly cwd?: string | undefined;
  /** `HOME` (default: the scratch home). */
  readonly home?: string | undefined;
  /** `DOCKER_CONFIG` (default: the scratch home). */
  readonly dockerConfig?: string | undefined;
  /** Extra environment, applied last. */
  readonly env?: Readonly<Record<string, string>> | undefined;
}

/** A scratch folder, with a function that removes it. */
export function scratch(prefix = 'oras-cli-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const home = scratch('oras-cli-home-');
process.once('exit', () => home.remove());

function run(command: string, args: readonly string[], options: OrasRunOptions): Promise<OrasRun> {
  if (!existsSync(ORAS_BIN))
    throw new Error(`${ORAS_BIN} is missing: run pnpm --filter @oras/cli... build first`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? home.dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: options.home ?? home.dir,
        DOCKER_CONFIG: options.dockerConfig ?? home.dir,
        ORAS: `${process.execPath} ${ORAS_BIN}`,
        ...options.env,
      },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? -1,
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    if (options.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin);
    }
  });
}

/** Runs `oras <args>`. */
export function oras(args: readonly string[], options: OrasRunOptions = {}): Promise<OrasRun> {
  return run(process.execPath, [ORAS_BIN, ...args], options);
}

/** Runs a shell script where `$ORAS` runs the built `oras`. */
export function sh(script: string, options: OrasRunOptions = {}): Promise<OrasRun> {
  return run('sh', ['-c', script], options);
}

/** A temporary working directory and Docker config for one test file. */
export interface Sandbox {
  /** The working directory (also `HOME`). */
  readonly dir: string;
  /** The Docker config directory (`<dir>/.docker`). */
  readonly dockerConfig: string;
  /**
   * Runs `oras` in the sandbox: cwd `dir` unless given, `HOME` the cwd, `DOCKER_CONFIG` the
   * sandbox's, and an empty, closed stdin unless `stdin` is given.
   */
  run(args: readonly string[], options?: OrasRunOptions): Promise<OrasRun>;
  /** Runs `oras` and fails with its output unless it exits 0. */
  ok(args: readonly string[], options?: OrasRunOptions): Promise<OrasRun>;
  /** Removes the sandbox. */
  remove(): Promise<void>;
}

/** Makes a sandbox. */
export async function sandbox(prefix = 'oras-cli-e2e-'): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const dockerConfig = join(dir, '.docker');
  const runIn = (args: readonly string[], options: OrasRunOptions = {}) => {
    const cwd = options.cwd ?? dir;
    return oras(args, { home: cwd, dockerConfig, stdin: '', ...options, cwd });
  };
  return {
    dir,
    dockerConfig,
    run: runIn,
    async ok(args, options) {
      const res = await runIn(args, options);
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
