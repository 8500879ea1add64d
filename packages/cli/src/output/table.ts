/** A table of text columns, as oras prints `discover --format table`. */
import { printable } from './escape.js';
import { displayWidth, padEndToWidth } from './width.js';

/** Columns are this many spaces apart. */
const GAP = 3;

/**
 * Renders `header` and `rows` as left-aligned columns, each as wide as its widest cell (in
 * terminal columns, so CJK and emoji line up) plus a gap, every cell escaped ({@link printable}).
 * The last column is not padded. Each line ends with a newline.
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => printable(cell)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => displayWidth(row[i] ?? ''))) + GAP);
  return cells
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : padEndToWidth(cell, widths[i] ?? 0))).join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}
