#!/usr/bin/env node
// The README's main job: a real push and pull with the built `oras`, against Debian's
// docker-registry started on loopback for the occasion, and against a local OCI layout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDistribution } from '@oras-internal/test-registry/distribution';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'packages/cli/dist/bin.js');
const work = mkdtempSync(join(tmpdir(), 'oras-demo-'));

function oras(...args) {
  console.log(`\n$ oras ${args.join(' ')}`);
  const res = spawnSync('node', [bin, ...args], { cwd: work, stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) throw new Error(`oras ${args[0]} failed with exit code ${res.status}`);
}

function check(pulled, original) {
  const same = readFileSync(pulled).equals(readFileSync(original));
  console.log(`${same ? 'ok' : 'MISMATCH'}: ${pulled} ${same ? 'equals' : 'differs from'} ${original}`);
  if (!same) process.exitCode = 1;
}

const registry = await startDistribution({ mode: 'plain', logLevel: 'error' });
try {
  console.log(`docker-registry listening on ${registry.url}`);
  writeFileSync(join(work, 'hello.txt'), 'Hello from ORAS for TypeScript\n');
  writeFileSync(join(work, 'config.json'), '{"demo":true}\n');

  oras(
    'push',
    '--plain-http',
    `${registry.host}/demo/hello:v1,latest`,
    '--artifact-type',
    'application/vnd.example.demo',
    'hello.txt',
  );
  oras('resolve', '--plain-http', `${registry.host}/demo/hello:latest`);
  oras('pull', '--plain-http', `${registry.host}/demo/hello:v1`, '-o', 'pulled');
  check(join(work, 'pulled/hello.txt'), join(work, 'hello.txt'));

  oras('push', '--oci-layout', 'layout:v1', 'hello.txt');
  oras('pull', '--oci-layout', 'layout:v1', '-o', 'from-layout');
  check(join(work, 'from-layout/hello.txt'), join(work, 'hello.txt'));
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
