/**
 * A real npm registry on loopback for the release check: verdaccio (from npm) on 127.0.0.1 with a
 * free port, a fresh storage folder and one user. `@oras/*` lives only here (never proxied, so
 * nothing we publish can be confused with, or leak to, a public package); every other package is
 * proxied from the registry npm is configured with, as a company's registry in front of npm is.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findFreePort, LOOPBACK } from '@oras-internal/test-registry';

/** How long verdaccio may take to answer `/-/ping` (it needs ~10 s on a busy 2-core machine). */
export const DEFAULT_VERDACCIO_START_TIMEOUT_MS = 90_000;
const MAX_LOG_CHARS = 64 * 1024;

/** Options of {@link startVerdaccio}. */
export interface VerdaccioOptions {
  /** The registry every package but `@oras/*` is proxied from (`npm config get registry`). */
  readonly uplink: string;
  /** A CA bundle for the uplink (npm's `cafile`), when the machine needs one. */
  readonly uplinkCaFile?: string;
  /** How long to wait for the registry (default {@link DEFAULT_VERDACCIO_START_TIMEOUT_MS}). */
  readonly startTimeoutMs?: number;
}

/** A running verdaccio. */
export interface Verdaccio {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** A token of the registry's one user, allowed to publish `@oras/*`. */
  readonly token: string;
  /** What verdaccio has logged so far (the last 64 KiB). */
  logs(): string;
  /** Stops verdaccio and removes its storage. */
  stop(): Promise<void>;
}

function configYaml(dir: string, uplink: string): string {
  return `# the release check's registry: made for one run, removed after it
storage: ${JSON.stringify(join(dir, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(dir, 'htpasswd'))}
    max_users: 1
uplinks:
  upstream:
    url: ${JSON.stringify(uplink)}
    timeout: 60s
packages:
  '@oras/*':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    proxy: upstream
web:
  enable: false
log: { type: stdout, format: json, level: warn }
`;
}

function verdaccioBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitUntilUp(url: string, child: ChildProcess, logs: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`verdaccio exited with ${child.exitCode}: ${logs().slice(-2000)}`);
    try {
      const res = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`verdaccio did not answer at ${url} within ${timeoutMs} ms: ${logs().slice(-2000)}`);
}

/** Creates the registry's user (what `npm adduser` does) and returns its token. */
async function addUser(url: string): Promise<string> {
  const name = 'release-check';
  const res = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: randomBytes(16).toString('hex') }),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || !body.token) throw new Error(`verdaccio: adding a user: ${res.status} ${body.error ?? ''}`);
  return body.token;
}

/**
 * Starts verdaccio on 127.0.0.1 with a free port and a fresh storage folder, waits until it
 * answers, and adds a user that may publish. The process exits with ours, even if ours is killed.
 */
export async function startVerdaccio(options: VerdaccioOptions): Promise<Verdaccio> {
  const dir = await mkdtemp(join(tmpdir(), 'oras-verdaccio-'));
  const config = join(dir, 'config.yaml');
  await writeFile(config, configYaml(dir, options.uplink));
  let output = '';
  const logs = () => output;
  let child: ChildProcess | undefined;
  try {
    const port = await findFreePort();
    const url = `http://${LOOPBACK}:${port}/`;
    child = spawn(
      process.execPath,
      [
        '--require',
        join(import.meta.dirname, 'exit-with-parent.cjs'),
        verdaccioBin(),
        '--config',
        config,
        '--listen',
        `${LOOPBACK}:${port}`,
      ],
      {
        cwd: dir,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          ...(options.uplinkCaFile ? { NODE_EXTRA_CA_CERTS: options.uplinkCaFile } : {}),
        },
      },
    );
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await waitUntilUp(url, child, logs, options.startTimeoutMs ?? DEFAULT_VERDACCIO_START_TIMEOUT_MS);
    const token = await addUser(url);
    const running = child;
    return {
      url,
      token,
      logs,
      async stop() {
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
        await exited(running);
        clearTimeout(timer);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child?.kill('SIGKILL');
    if (child) await exited(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
