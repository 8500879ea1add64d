// Runs a command and measures its wall time and peak memory (GNU time's maximum resident set size).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const GNU_TIME = '/usr/bin/time';

/** Whether GNU time is there (Debian's `time` package). */
export function canMeasureMemory() {
  return existsSync(GNU_TIME);
}

/**
 * Runs `argv` and returns { seconds, maxRssMiB }. Throws with the command's stderr when it fails.
 * @param {string[]} argv
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string }} [options]
 */
export function measure(argv, options = {}) {
  const marker = '__BENCH__';
  const full = canMeasureMemory() ? [GNU_TIME, '-f', `${marker} %e %M`, ...argv] : argv;
  const start = process.hrtime.bigint();
  const res = spawnSync(full[0], full.slice(1), {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (res.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (${res.status}): ${(res.stderr || '').slice(-2000)}`);
  }
  const line = (res.stderr || '').split('\n').find((l) => l.startsWith(marker));
  const maxRssMiB = line ? Number(line.split(' ')[2]) / 1024 : Number.NaN;
  return { seconds, maxRssMiB, stdout: res.stdout };
}

/** The median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
