/**
 * Human-readable sizes, speeds and durations for the progress display, as oras prints them:
 * sizes in powers of 1024 with at most four significant digits (`1.5 MB`, `12.3 MB`, `136 MB`),
 * so a size or speed with its unit never takes more than 7 columns; durations the way Go prints
 * a `time.Duration` (`3s`, `250ms`, `1m5s`).
 */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;
const BASE = 1024;

/** A size scaled to its unit. */
export interface HumanBytes {
  /** The scaled size, with at most four significant digits ({@link roundTo}). */
  readonly size: number;
  /** The unit. */
  readonly unit: (typeof UNITS)[number];
}

/**
 * Rounds a scaled size to at most four significant digits: two decimals under 10, one under
 * 100, none above (`9.87`, `98.7`, `987`), as oras's `RoundTo` does.
 */
export function roundTo(quantity: number): number {
  if (quantity < 10) return Math.round(quantity * 100) / 100;
  if (quantity < 100) return Math.round(quantity * 10) / 10;
  return Math.round(quantity);
}

/** A scaled size with the decimals {@link roundTo} keeps, always written (`9.80`, `12.5`, `136`). */
export function fixedTo(quantity: number): string {
  if (quantity < 10) return quantity.toFixed(2);
  if (quantity < 100) return quantity.toFixed(1);
  return quantity.toFixed(0);
}

/** The exponent of the unit `bytes` is shown in. */
function exponentOf(bytes: number): number {
  if (bytes < BASE) return 0;
  return Math.min(Math.floor(Math.log(bytes) / Math.log(BASE)), UNITS.length - 1);
}

/** Scales a byte count to the largest unit under which it is at least 1. */
export function toBytes(bytes: number): HumanBytes {
  const e = exponentOf(Math.max(0, bytes));
  if (e === 0) return { size: Math.max(0, Math.round(bytes)), unit: 'B' };
  return { size: roundTo(bytes / BASE ** e), unit: UNITS[e] ?? 'TB' };
}

/** `bytes` scaled to the unit of `total` (`12.5` of `64 MB`), for `<done>/<total>` columns. */
export function inUnitOf(bytes: number, total: number): string {
  const e = exponentOf(Math.max(0, total));
  if (e === 0) return String(Math.max(0, Math.round(bytes)));
  return fixedTo(roundTo(bytes / BASE ** e));
}

/** `<size> <unit>` with the unit padded to two characters, as oras prints sizes (`12  B`). */
export function formatBytes(b: HumanBytes): string {
  return `${b.size} ${b.unit.padStart(2)}`;
}

/** A duration in milliseconds, the way Go's `time.Duration.String()` prints it after oras's rounding. */
export function formatDuration(ms: number): string {
  if (!(ms > 0)) return '0s';
  if (ms >= 999.5) {
    let s = Math.round(ms / 1000);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    if (h > 0) return `${h}h${m}m${s}s`;
    if (m > 0) return `${m}m${s}s`;
    return `${s}s`;
  }
  if (ms >= 0.9995) return `${Math.round(ms)}ms`;
  return `${Math.round(ms * 1000)}µs`;
}
