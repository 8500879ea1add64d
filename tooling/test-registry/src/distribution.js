// Plain ESM JavaScript (typed by distribution.d.ts) so that node runs it without a build step:
// tooling/scripts/registry.mjs starts the same registries from a shell.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSigningCertificate, createTlsCertificates } from './certificates.js';
import { LOOPBACK, findFreePort } from './free-port.js';
import { startTokenIssuer } from './token-issuer.js';

const run = promisify(execFile);

export const DISTRIBUTION_MODES = Object.freeze(['plain', 'basic-tls', 'token']);
export const DEFAULT_DISTRIBUTION_BINARY = 'docker-registry';
export const DEFAULT_START_TIMEOUT_MS = 20_000;
export const DEFAULT_USERS = Object.freeze({ oras: 'oras-test-password', reader: 'reader-test-password' });
/** @type {readonly import('./token-issuer.d.ts').AccessRule[]} */
export const DEFAULT_TOKEN_ACCESS = Object.freeze([
  { account: 'oras', type: 'repository', name: '*', actions: ['*'] },
  { account: 'oras', type: 'registry', name: 'catalog', actions: ['*'] },
  { account: 'reader', type: 'repository', name: '*', actions: ['pull'] },
]);
/** distribution v2.8 accepts a token up to 60 s after its `exp` (and before its `nbf`). */
export const DISTRIBUTION_TOKEN_LEEWAY_SECONDS = 60;
const MAX_LOG_CHARS = 64 * 1024;
const STOP_GRACE_MS = 3_000;

/**
 * The supervisor that runs the registry: it starts it, forwards SIGTERM/SIGINT to it, and stops it
 * and removes its folder within a second of our process disappearing (even by SIGKILL), so a
 * crashed or killed test run never leaves a registry behind. $0 is the binary, $1 the config,
 * $2 our pid, $3 the folder. Only the registry writes to our pipes: a shell message ("Terminated")
 * into a pipe whose reader died would kill the shell with SIGPIPE before it cleans up.
 */
const SUPERVISOR = `
"$0" serve "$1" &
child=$!
exec >/dev/null 2>&1
trap 'kill -TERM $child 2>/dev/null; wait $child; exit $?' TERM INT HUP
while kill -0 $child 2>/dev/null && kill -0 "$2" 2>/dev/null; do
  sleep 1 & wait $!
done
if ! kill -0 "$2" 2>/dev/null; then
  kill -TERM $child 2>/dev/null; wait $child; rm -rf "$3"; exit 0
fi
wait $child
`;

/** @type {Map<import('node:child_process').ChildProcess, string>} running supervisors -> folder */
const running = new Map();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // When the test process exits without calling stop(): never leave a registry or a folder behind.
  process.on('exit', () => {
    for (const [child, dir] of running) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** @param {Record<string, string>} users */
async function writeHtpasswd(file, users) {
  const lines = [];
  for (const [user, password] of Object.entries(users)) {
    try {
      const { stdout } = await run('htpasswd', ['-Bbn', user, password], { timeout: 30_000 });
      lines.push(stdout.trim());
    } catch (error) {
      const e = /** @type {{ code?: string, message: string }} */ (error);
      const why =
        e.code === 'ENOENT' ? 'htpasswd is not installed (apt-get install apache2-utils)' : e.message;
      throw new Error(`basic-tls registry: ${why}`, { cause: error });
    }
  }
  await writeFile(file, `${lines.join('\n')}\n`);
}

/**
 * @param {string} url
 * @param {string | undefined} ca
 * @returns {Promise<number>}
 */
function probe(url, ca) {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { method: 'GET', ca, timeout: 2_000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {import('./distribution.d.ts').DistributionOptions} options
 * @returns {Promise<import('./distribution.d.ts').Distribution>}
 */
export async function startDistribution(options) {
  const mode = options.mode;
  if (!DISTRIBUTION_MODES.includes(mode)) throw new Error(`distribution: unknown mode ${mode}`);
  const binary = options.binary ?? process.env.ORAS_DOCKER_REGISTRY ?? DEFAULT_DISTRIBUTION_BINARY;
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const dir = await mkdtemp(join(tmpdir(), `oras-distribution-${mode}-`));
  /** @type {import('./token-issuer.d.ts').TokenIssuer | undefined} */
  let tokenIssuer;
  try {
    const dataDir = join(dir, 'data');
    await mkdir(dataDir);
    /** @type {Record<string, unknown>} */
    const http = { secret: randomBytes(16).toString('hex') };
    /** @type {Record<string, unknown>} */
    const config = {
      version: '0.1',
      log: { level: options.logLevel ?? 'info', accesslog: { disabled: true }, formatter: 'text' },
      storage: {
        filesystem: { rootdirectory: dataDir },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      http,
    };
    const users = { ...(options.users ?? DEFAULT_USERS) };
    /** @type {Partial<import('./distribution.d.ts').Distribution>} */
    const extra = {};
    if (mode === 'basic-tls') {
      const certs = await createTlsCertificates(dir);
      const htpasswd = join(dir, 'htpasswd');
      await writeHtpasswd(htpasswd, users);
      http.tls = { certificate: certs.certFile, key: certs.keyFile };
      config.auth = { htpasswd: { realm: 'oras-test-registry', path: htpasswd } };
      Object.assign(extra, { caPem: certs.caPem, caFile: certs.caFile, users });
    } else if (mode === 'token') {
      const signing = await createSigningCertificate(dir);
      tokenIssuer = await startTokenIssuer({
        users,
        access: DEFAULT_TOKEN_ACCESS,
        registryLeewaySeconds: DISTRIBUTION_TOKEN_LEEWAY_SECONDS,
        ...options.token,
        signing,
      });
      config.auth = {
        token: {
          realm: tokenIssuer.realm,
          service: tokenIssuer.service,
          issuer: tokenIssuer.issuer,
          rootcertbundle: signing.certFile,
        },
      };
      Object.assign(extra, { users: tokenIssuer.users, tokenIssuer });
    }
    const scheme = mode === 'basic-tls' ? 'https' : 'http';
    const configFile = join(dir, 'config.yml');
    let lastError;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await findFreePort();
      http.addr = `${LOOPBACK}:${port}`;
      // JSON is YAML: no quoting surprises in paths.
      await writeFile(configFile, JSON.stringify(config, null, 2));
      try {
        const started = await launch(
          binary,
          configFile,
          dir,
          `${scheme}://${LOOPBACK}:${port}`,
          extra.caPem,
          timeoutMs,
          mode,
        );
        const url = `${scheme}://${LOOPBACK}:${port}`;
        return {
          mode,
          url,
          host: `${LOOPBACK}:${port}`,
          port,
          pid: started.pid,
          dir,
          ...extra,
          logs: started.logs,
          async stop() {
            await started.stop();
            if (tokenIssuer) await tokenIssuer.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (error) {
        lastError = error;
        if (!/address already in use/i.test(String(error))) break;
      }
    }
    throw lastError;
  } catch (error) {
    if (tokenIssuer) await tokenIssuer.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Spawns the registry and waits until `/v2/` answers 200 or 401.
 * @param {string} binary
 * @param {string} configFile
 * @param {string} dir
 * @param {string} base
 * @param {string | undefined} ca
 * @param {number} timeoutMs
 * @param {string} mode
 */
async function launch(binary, configFile, dir, base, ca, timeoutMs, mode) {
  installExitHook();
  // Its own process group (detached), so that a SIGKILL to the group ends supervisor and registry.
  const child = spawn('/bin/sh', ['-c', SUPERVISOR, binary, configFile, String(process.pid), dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.set(child, dir);
  let output = '';
  const collect = (/** @type {Buffer} */ chunk) => {
    output = (output + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  /** @type {Error | undefined} */
  let spawnError;
  /** @type {{ code: number | null, signal: string | null } | undefined} */
  let exited;
  const exitedPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve(undefined);
    });
  });
  child.once('error', (error) => {
    spawnError = error;
    running.delete(child);
  });

  const tail = () => output.trim().split('\n').slice(-15).join('\n');
  const stop = async () => {
    if (exited || spawnError) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, STOP_GRACE_MS);
    await exitedPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`${mode} registry: ${spawnError.message}`, { cause: spawnError });
    // 127 and 126: the shell could not find or run the binary.
    if (exited && (exited.code === 127 || exited.code === 126)) {
      throw new Error(
        `${mode} registry: ${binary} is not installed (apt-get install docker-registry, or run tooling/scripts/bootstrap.sh): ${tail()}`,
      );
    }
    if (exited) {
      throw new Error(
        `${mode} registry: ${binary} exited (code ${exited.code}, signal ${exited.signal}) before ${base}/v2/ answered:\n${tail()}`,
      );
    }
    try {
      const status = await probe(`${base}/v2/`, ca);
      if (status === 200 || status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${mode} registry: ${base}/v2/ did not answer within ${timeoutMs} ms:\n${tail()}`);
    }
    await sleep(50);
  }
  return { pid: /** @type {number} */ (child.pid), logs: () => output, stop };
}
