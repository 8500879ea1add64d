/**
 * Runs the built `oras` (`dist/bin.js`) as a child process, the way a user runs it, with a clean
 * Docker config and no terminal; and shell pipelines around it (`$ORAS` in the script). Build
 * first: `pnpm --filter @oras/cli... build`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built entry point. */
export const ORAS_BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

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
  /** Bytes on stdin; `undefined` means no stdin at all (`/dev/null`, no terminal). */
  readonly stdin?: string | Uint8Array;
  /** The working directory. */
  readonly cwd?: string;
  /** Extra environment. */
  readonly env?: Readonly<Record<string, string>>;
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
        HOME: home.dir,
        DOCKER_CONFIG: home.dir,
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
