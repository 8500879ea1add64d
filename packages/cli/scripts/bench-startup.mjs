#!/usr/bin/env node
/**
 * Startup benchmark of the built `oras`: N rounds, each running `node -e 0`, `oras version` and
 * `oras --help` once (alternating, so machine noise hits all three alike), then the median wall
 * time of each and the ratios to bare Node. The budget is 1.5x `node -e 0`.
 *
 *   node scripts/bench-startup.mjs [rounds=30]
 *
 * Exits 1 when a ratio is over the budget and BENCH_ENFORCE=1 is set.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 30);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cases = [
  ['node -e 0', ['-e', '0']],
  ['oras version', [bin, 'version']],
  ['oras --help', [bin, '--help']],
];
const BUDGET = 1.5;

function timeOnce(args) {
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}: ${res.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

for (const [, args] of cases) timeOnce(args); // warm the file cache
const samples = cases.map(() => []);
for (let i = 0; i < rounds; i++) cases.forEach(([, args], j) => samples[j].push(timeOnce(args)));
const base = median(samples[0]);
let over = false;
for (const [j, [name]] of cases.entries()) {
  const med = median(samples[j]);
  const ratio = med / base;
  if (j > 0 && ratio > BUDGET) over = true;
  console.log(`${name.padEnd(14)} median ${med.toFixed(1).padStart(7)} ms  min ${Math.min(...samples[j]).toFixed(1).padStart(7)} ms  ratio ${ratio.toFixed(2)}x`);
}
console.log(`budget: ${BUDGET}x node -e 0 (${rounds} rounds)${over ? ' - OVER BUDGET' : ''}`);
if (over && process.env.BENCH_ENFORCE === '1') process.exitCode = 1;
