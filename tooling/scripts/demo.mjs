#!/usr/bin/env node
// The README's main job: a real push and pull with the built `oras`, against Debian's
// docker-registry started on loopback for the occasion, and against a local OCI layout; then how
// to run `oras` yourself.
//
//   pnpm demo               the registry and the demo folder are removed at the end
//   pnpm demo -- --keep     both stay, to try `oras` on them; the end says how to stop the registry
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { startDistribution } from '@oras-internal/test-registry/distribution';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'packages/cli/dist/bin.js');
const registryScript = join(root, 'tooling/scripts/registry.mjs');
// `pnpm demo -- --keep` hands the script `-- --keep`, `pnpm demo --keep` just `--keep`.
const keep = process.argv.slice(2).includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'oras-demo-'));

function oras(...args) {
  console.log(`\n$ oras ${args.join(' ')}`);
  const res = spawnSync(process.execPath, [bin, ...args], {
    cwd: work,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`oras ${args[0]} failed with exit code ${res.status}`);
}

function check(pulled, original) {
  const same = readFileSync(pulled).equals(readFileSync(original));
  console.log(`${same ? 'ok' : 'MISMATCH'}: ${pulled} ${same ? 'equals' : 'differs from'} ${original}`);
  if (!same) process.exitCode = 1;
}

/**
 * The registry: in this process (stopped at the end), or with --keep a background one started by
 * registry.mjs, which `registry.mjs stop <pid>` ends.
 */
async function startRegistry() {
  if (!keep) {
    const registry = await startDistribution({ mode: 'plain', logLevel: 'error' });
    return { port: registry.url.split(':').pop(), stop: () => registry.stop() };
  }
  const res = spawnSync(
    process.execPath,
    [registryScript, 'start', '--mode', 'plain', '--detach', '--log-level', 'error'],
    { encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`could not start the registry: ${res.stderr.trim()}`);
  const info = JSON.parse(res.stdout);
  return { port: info.url.split(':').pop(), pid: info.pid, stop: async () => undefined };
}

const registry = await startRegistry();
// `localhost` is reached over plain HTTP without a flag, so the commands are what a user types.
const host = `localhost:${registry.port}`;
let failed = false;
try {
  console.log(`docker-registry listening on ${host}, working in ${work}`);
  writeFileSync(join(work, 'hello.txt'), 'Hello from ORAS for TypeScript\n');

  oras(
    'push',
    `${host}/demo/hello:v1,latest`,
    '--artifact-type',
    'application/vnd.example.demo',
    'hello.txt',
  );
  oras('resolve', `${host}/demo/hello:latest`);
  oras('pull', `${host}/demo/hello:v1`, '-o', 'pulled');
  check(join(work, 'pulled/hello.txt'), join(work, 'hello.txt'));

  oras('push', '--oci-layout', 'layout:v1', 'hello.txt');
  oras('pull', '--oci-layout', 'layout:v1', '-o', 'from-layout');
  check(join(work, 'from-layout/hello.txt'), join(work, 'hello.txt'));
} catch (error) {
  failed = true;
  throw error;
} finally {
  if (!keep) {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const here = relative(process.cwd(), root);
  const inRoot = here === '' ? '' : `cd ${here} && `;
  const ways = [
    [`${inRoot}pnpm oras version`, "the checkout's oras (`pnpm -w oras ...` from any folder in it)"],
    [`cd ${join(here, 'packages/cli')} && npm link`, "puts the checkout's oras on your PATH"],
    ['npm install -g @oras/cli', 'the published oras (or `npx @oras/cli version`)'],
  ];
  const width = Math.max(...ways.map(([command]) => command.length)) + 3;
  const lines = [
    '',
    'Run oras yourself:',
    ...ways.map(([command, what]) => `  ${command.padEnd(width)}${what}`),
  ];
  if (keep) {
    lines.push(
      '',
      `The registry is still running at ${host}, and the demo folder is ${work}:`,
      `  cd ${work}`,
      `  pnpm -C ${root} oras repo tags ${host}/demo/hello`,
      `  pnpm -C ${root} oras pull ${host}/demo/hello:v1 -o again`,
      `Stop the registry and remove the folder: node ${registryScript} stop ${registry.pid} && rm -r ${work}`,
    );
  } else if (!failed) {
    lines.push(
      '',
      'The registry and the demo folder are gone; `pnpm demo -- --keep` leaves them running to try.',
    );
  }
  console.log(lines.join('\n'));
}
