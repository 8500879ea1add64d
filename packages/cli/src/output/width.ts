/**
 * How many terminal columns text takes, and text cut to a number of columns. A CJK character or
 * an emoji takes two columns, a combining mark none, so `string.length` (UTF-16 units) is wrong
 * both ways: a line measured by it wraps, or stops short.
 *
 * Terminals disagree on a few characters (an emoji made from a text symbol with U+FE0F, a keycap
 * sequence). Where they do, the wider answer is taken: a line one column short looks the same,
 * a line one column too long wraps and breaks a redrawn display.
 */

/** SGR sequences (colours), which take no columns. */
const SGR = /\x1b\[[0-9;]*m/g;

/** Ranges of East Asian Wide and Fullwidth code points (Unicode's EastAsianWidth W and F). */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f2ff],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

// (built on first use, not when the module loads: a `\p{...}` class costs ~0.3 ms to build, and
// most runs measure only ASCII text, which `displayWidth` counts without them)
let emojiPresentation: RegExp | undefined;
let zeroWidth: RegExp | undefined;

function isWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = WIDE_RANGES[mid] as readonly [number, number];
    if (cp < start) hi = mid - 1;
    else if (cp > end) lo = mid + 1;
    else return true;
  }
  return false;
}

let segmenter: Intl.Segmenter | undefined;

/** The user-perceived characters of `text` (an emoji with its modifiers is one). */
function graphemes(text: string): Iterable<string> {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** The columns one user-perceived character takes: 0, 1 or 2. */
function graphemeWidth(g: string): number {
  const cp = g.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  emojiPresentation ??= /\p{Emoji_Presentation}|\p{Emoji}\uFE0F|\p{Regional_Indicator}/u;
  if (isWide(cp) || emojiPresentation.test(g)) return 2;
  // a ZWJ sequence some terminals draw as one wide emoji
  if (g.includes('\u200d') && /\p{Extended_Pictographic}/u.test(g)) return 2;
  zeroWidth ??= /^[\p{Mn}\p{Me}\p{Cf}]/u;
  if (zeroWidth.test(g)) return 0;
  return 1;
}

/** The columns `text` takes on a terminal; SGR colour sequences count as none. */
export function displayWidth(text: string): number {
  const plain = text.replace(SGR, '');
  // the common case: printable ASCII is one column a character
  if (/^[\x20-\x7e]*$/.test(plain)) return plain.length;
  let width = 0;
  for (const g of graphemes(plain)) width += graphemeWidth(g);
  return width;
}

/**
 * `text` (without SGR sequences) cut to at most `columns` columns, never through a character.
 * A cut text ends with `ellipsis` when `columns` leaves room for it and a character besides.
 */
export function truncateToWidth(text: string, columns: number, ellipsis = '...'): string {
  if (columns <= 0) return '';
  if (displayWidth(text) <= columns) return text;
  const room = columns - ellipsis.length > 0 ? columns - ellipsis.length : columns;
  const tail = room === columns ? '' : ellipsis;
  let out = '';
  let width = 0;
  for (const g of graphemes(text)) {
    const w = graphemeWidth(g);
    if (width + w > room) break;
    out += g;
    width += w;
  }
  return out + tail;
}

/** `text` padded with spaces on the right to `columns` columns (unchanged when wider). */
export function padEndToWidth(text: string, columns: number): string {
  const width = displayWidth(text);
  return width >= columns ? text : text + ' '.repeat(columns - width);
}
