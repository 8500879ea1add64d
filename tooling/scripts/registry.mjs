#!/usr/bin/env node
// Starts Debian's docker-registry (CNCF distribution v2.8) for demos, benchmarks and manual tests,
// the same way the test suites do (tooling/test-registry/src/distribution.js):
//
//   node tooling/scripts/registry.mjs start --mode plain|basic-tls|token [--detach]
//        [--expires-in <seconds>] [--anonymous-pull] [--log-level error|warn|info|debug]
//   node tooling/scripts/registry.mjs stop <pid>
//
// `start` prints one line of JSON ({mode, url, host, pid, registryPid, dir, caFile?, users?,
// tokenIssuer?}) once /v2/ answers. Without --detach it keeps running until SIGINT/SIGTERM; with
// --detach it returns at once and leaves a background process whose `pid` `stop` ends. Either
// way, stopping removes the registry's temporary folder.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DISTRIBUTION_MODES, startDistribution } from '@oras-internal/test-registry/distribution';

const USAGE = `usage: registry.mjs start --mode ${DISTRIBUTION_MODES.join('|')} [--detach] [--expires-in <s>] [--anonymous-pull] [--log-level <level>]
       registry.mjs stop <pid>`;

function fail(message) {
  process.stderr.write(`registry: ${message}\n`);
  process.exit(1);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    mode: { type: 'string', default: 'plain' },
    detach: { type: 'boolean', default: false },
    'expires-in': { type: 'string' },
    'anonymous-pull': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const [command, ...rest] = positionals;

if (values.help || !command) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 1);
}

if (command === 'stop') {
  const pid = Number(rest[0]);
  if (!Number.isInteger(pid) || pid <= 0) fail(`stop: expected a pid\n${USAGE}`);
  await stop(pid);
} else if (command === 'start') {
  if (!DISTRIBUTION_MODES.includes(values.mode)) fail(`start: unknown mode ${values.mode}\n${USAGE}`);
  if (values.detach) await detach();
  else await serve();
} else {
  fail(`unknown command ${command}\n${USAGE}`);
}

/** Starts the registry in this process and keeps it until a signal. */
async function serve() {
  const token = {};
  if (values['expires-in'] !== undefined) token.expiresIn = Number(values['expires-in']);
  if (values['anonymous-pull']) token.anonymousPull = true;
  let registry;
  try {
    registry = await startDistribution({ mode: values.mode, token, logLevel: values['log-level'] });
  } catch (error) {
    fail(error.message);
  }
  const issuer = registry.tokenIssuer;
  const info = {
    mode: registry.mode,
    url: registry.url,
    host: registry.host,
    pid: process.pid,
    registryPid: registry.pid,
    dir: registry.dir,
    ...(registry.caFile ? { caFile: registry.caFile } : {}),
    ...(registry.users ? { users: registry.users } : {}),
    ...(issuer
      ? {
          tokenIssuer: {
            url: issuer.url,
            realm: issuer.realm,
            service: issuer.service,
            expiresIn: issuer.expiresIn,
          },
        }
      : {}),
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await registry.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
  // Keep the event loop alive: the registry is a child process and the token issuer may be absent.
  setInterval(() => {}, 1 << 30);
}

/** Starts a background copy of this script without --detach and relays its first line. */
async function detach() {
  const args = process.argv.slice(2).filter((a) => a !== '--detach');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  const line = await new Promise((resolve) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', () => resolve(undefined));
  });
  if (line === undefined) fail(err.trim().replace(/^registry: /, '') || 'background registry exited');
  process.stdout.write(`${line}\n`);
  child.stdout.destroy();
  child.stderr.destroy();
  child.unref();
  process.exit(0);
}

/** Sends SIGTERM to a `start` process and waits for it to clean up and exit. */
async function stop(pid) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (error) {
    fail(`stop ${pid}: ${error.code === 'ESRCH' ? 'no such process' : error.message}`);
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  fail(`stop ${pid}: still running after 10 s`);
}
