#!/usr/bin/env node
/**
 * Startup benchmark of the built `oras`: N rounds, each running `node -e 0`, `oras version`,
 * `oras --help` and `oras resolve` of a tag on a loopback `docker-registry` once (alternating,
 * so machine noise hits all alike), then the median wall time of each and the ratios to bare
 * Node. The budgets are 1.5x `node -e 0` for version and help, 2.0x for resolve (issue 18).
 *
 *   node scripts/bench-startup.mjs [rounds=30] [--no-registry]
 *
 * Exits 1 when a ratio is over its budget and BENCH_ENFORCE=1 is set.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 30);
const withRegistry = !process.argv.includes('--no-registry');
// the package's `oras`; its code cache (written by the warm-up run) in a folder of this run's
const bin = fileURLToPath(new URL('../dist/bin.cjs', import.meta.url));
const cacheHome = mkdtempSync(join(tmpdir(), 'oras-bench-startup-'));
const env = { ...process.env, XDG_CACHE_HOME: cacheHome };
const cases = [
  ['node -e 0', ['-e', '0'], undefined],
  ['oras version', [bin, 'version'], 1.5],
  ['oras --help', [bin, '--help'], 1.5],
];

function runOnce(args) {
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

let registry;
try {
  if (withRegistry) {
    const { startDistribution } = await import('@oras-internal/test-registry/distribution');
    registry = await startDistribution({ mode: 'plain', logLevel: 'error' });
    const ref = `${registry.host}/startup:v1`;
    const file = join(registry.dir, 'hello.txt');
    writeFileSync(file, 'hello\n');
    spawnSync(process.execPath, [bin, 'push', '--plain-http', ref, 'hello.txt'], { cwd: registry.dir, env });
    cases.push(['oras resolve', [bin, 'resolve', '--plain-http', ref], 2.0]);
  }

  for (const [, args] of cases) runOnce(args); // warm the file cache
  const samples = cases.map(() => []);
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 ? [...cases.keys()].reverse() : [...cases.keys()];
    for (const j of order) samples[j].push(runOnce(cases[j][1]));
  }
  const base = median(samples[0]);
  let over = false;
  for (const [j, [name, , budget]] of cases.entries()) {
    const med = median(samples[j]);
    const ratio = med / base;
    if (budget !== undefined && ratio > budget) over = true;
    const limit = budget === undefined ? '' : `  budget ${budget.toFixed(1)}x`;
    console.log(
      `${name.padEnd(14)} median ${med.toFixed(1).padStart(7)} ms  min ${Math.min(...samples[j])
        .toFixed(1)
        .padStart(7)} ms  ratio ${ratio.toFixed(2)}x${limit}`,
    );
  }
  console.log(`${rounds} rounds${over ? ' - OVER BUDGET' : ''}`);
  if (over && process.env.BENCH_ENFORCE === '1') process.exitCode = 1;
} finally {
  await registry?.stop();
  rmSync(cacheHome, { recursive: true, force: true });
}
