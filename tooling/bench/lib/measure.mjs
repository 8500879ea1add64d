// Runs a command and measures its wall time and peak memory (GNU time's maximum resident set size).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const GNU_TIME = '/usr/bin/time';

/** Whether GNU time is there (Debian's `time` package). */
export function canMeasureMemory() {
  return existsSync(GNU_TIME);
}

/**
 * Runs `argv` and resolves to { seconds, maxRssMiB, stdout }; rejects with the command's stderr
 * when it fails.
 *
 * Why asynchronous: the registries run as children of this process and write their logs into
 * pipes it reads. A synchronous spawn stops the event loop for the whole run, so the pipes fill
 * up (docker-registry logs every 404 at level `error`: 200 `HEAD`s of absent blobs are enough)
 * and the registry blocks in `write`, hanging the tool under test.
 * @param {string[]} argv
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string }} [options]
 */
export async function measure(argv, options = {}) {
  const marker = '__BENCH__';
  const full = canMeasureMemory() ? [GNU_TIME, '-f', `${marker} %e %M`, ...argv] : argv;
  const start = process.hrtime.bigint();
  const child = spawn(full[0], full.slice(1), {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text) => {
    stderr = (stderr + text).slice(-64 * 1024);
  });
  const status = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (status !== 0) {
    throw new Error(`${argv.join(' ')} failed (${status}): ${stderr.slice(-2000)}`);
  }
  const line = stderr.split('\n').find((l) => l.startsWith(marker));
  const maxRssMiB = line ? Number(line.split(' ')[2]) / 1024 : Number.NaN;
  return { seconds, maxRssMiB, stdout };
}

/** The median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
