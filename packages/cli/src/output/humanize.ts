/**
 * Human-readable sizes, speeds and durations for the progress display, as oras prints them:
 * sizes in powers of 1024 rounded to two decimals (`1.5 MB`), durations the way Go prints a
 * `time.Duration` (`1.234s`, `250ms`, `1m5s`).
 */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;
const BASE = 1024;

/** A size scaled to its unit. */
export interface HumanBytes {
  /** The scaled size, rounded to two decimals. */
  readonly size: number;
  /** The unit. */
  readonly unit: (typeof UNITS)[number];
}

/** Rounds to two decimals. */
export function roundTo(quantity: number): number {
  return Math.round(quantity * 100) / 100;
}

/** Scales a byte count to the largest unit under which it is at least 1. */
export function toBytes(bytes: number): HumanBytes {
  if (bytes < BASE) return { size: bytes, unit: 'B' };
  const exponent = Math.min(Math.floor(Math.log(bytes) / Math.log(BASE)), UNITS.length - 1);
  return { size: roundTo(bytes / BASE ** exponent), unit: UNITS[exponent] ?? 'TB' };
}

/** `<size> <unit>` with the unit padded to two characters, as oras prints sizes. */
export function formatBytes(b: HumanBytes): string {
  return `${b.size} ${b.unit.padStart(2)}`;
}

/** A duration in milliseconds, the way Go's `time.Duration.String()` prints it after oras's rounding. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms > 1000) {
    let s = Math.round(ms / 1000);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    if (h > 0) return `${h}h${m}m${s}s`;
    if (m > 0) return `${m}m${s}s`;
    return `${s}s`;
  }
  if (ms > 1) return `${Math.round(ms)}ms`;
  return `${Math.round(ms * 1000)}µs`;
}
