/** A tree printed with box-drawing branches, as oras prints `discover` results. */
import { printable } from './escape.js';

/** A node of a printed tree. */
export interface TreeNode {
  /** The node's text. */
  readonly label: string;
  /** Its children, in order. */
  readonly children: TreeNode[];
}

/**
 * Renders a tree: the root's label, then each child on `├── ` / `└── ` branches, labels with
 * their control characters escaped. Walks with an explicit stack, so a deep tree cannot overflow
 * the call stack.
 */
export function renderTree(root: TreeNode): string {
  const parts: string[] = [];
  renderTreeTo(root, (text) => parts.push(text));
  return parts.join('');
}

/**
 * Renders a tree as {@link renderTree} does, handing `write` the text in pieces of about
 * `chunkBytes` (each ending with a line), so a big tree is never one string in memory.
 */
export function renderTreeTo(root: TreeNode, write: (text: string) => void, chunkBytes = 64 * 1024): void {
  let chunk = `${printable(root.label)}\n`;
  const stack: { node: TreeNode; prefix: string; next: number }[] = [{ node: root, prefix: '', next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const i = top.next++;
    const child = top.node.children[i];
    if (child === undefined) {
      stack.pop();
      continue;
    }
    const last = i === top.node.children.length - 1;
    chunk += `${top.prefix}${last ? '└── ' : '├── '}${printable(child.label)}\n`;
    if (chunk.length >= chunkBytes) {
      write(chunk);
      chunk = '';
    }
    stack.push({ node: child, prefix: `${top.prefix}${last ? '    ' : '│   '}`, next: 0 });
  }
  if (chunk !== '') write(chunk);
}

// ---------------------------------------------------------------------------------------------
// Annotations as YAML (oras prints each one as `yaml.Marshal(map[string]string{k: v})`)

/** The words YAML reads as null, booleans, infinities and NaN, which a string must quote. */
const NON_STRINGS = new Set([
  '~',
  'null',
  'Null',
  'NULL',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '.nan',
  '.NaN',
  '.NAN',
  // YAML 1.1 booleans, which yaml.v3 still quotes
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'off',
  'Off',
  'OFF',
]);

const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?)$/;

/** Whether YAML reads `s` as a timestamp (the four layouts yaml.v3 tries, with valid fields). */
function isTimestamp(s: string): boolean {
  const m = DATE.exec(s) ?? DATE_TIME.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, sec] = [m[4] ?? m[7] ?? '0', m[5] ?? m[8] ?? '0', m[6] ?? m[9] ?? '0'].map(Number) as [
    number,
    number,
    number,
  ];
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const leap = month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  return month >= 1 && month <= 12 && day >= 1 && day <= days && !leap && h < 24 && mi < 60 && sec < 60;
}

/** Whether YAML would read the plain scalar `s` as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (s === '' || NON_STRINGS.has(s) || BASE60_FLOAT.test(s)) return true;
  if (!/^[-+.0-9]/.test(s)) return false;
  if (/^[-+0-9]/.test(s) && isTimestamp(s)) return true;
  const plain = s.replace(/_/g, '');
  return GO_INT.test(plain) || /^-0b[01]+$/.test(plain) || YAML_FLOAT.test(plain);
}

const isBreak = (c: string) => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlank = (c: string | undefined) =>
  c === undefined || c === ' ' || c === '\t' || isBreak(c) || c === '\0';

/** YAML's printable characters (libyaml's is_printable). */
function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0) as number;
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    cp >= 0x10000
  );
}

/** What libyaml's scalar analysis allows for `s` in block context (flow indicators do not matter there). */
function analyze(s: string): { plain: boolean; single: boolean } {
  const chars = [...s];
  let blockIndicators = false;
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (s.startsWith('---') || s.startsWith('...')) blockIndicators = true;
  let precededByWhitespace = true;
  chars.forEach((c, i) => {
    const first = i === 0;
    const last = i === chars.length - 1;
    const followedByWhitespace = isBlank(chars[i + 1]);
    if (first) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) {
        blockIndicators = true;
      }
      if ((c === '?' || c === ':') && followedByWhitespace) blockIndicators = true;
      if (c === '-' && followedByWhitespace) {
        blockIndicators = true;
      }
    } else {
      if (c === ':' && followedByWhitespace) blockIndicators = true;
      if (c === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c) || c === '\ufeff') special = true;
    if (c === ' ') {
      if (first) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (first) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c);
  });
  let plain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak);
  let single = true;
  if (breakSpace) {
    plain = false;
    single = false;
  }
  if (spaceBreak || special) {
    plain = false;
    single = false;
  }
  if (lineBreaks) {
    plain = false;
    // a line break inside single quotes folds across lines: keep the value on one line instead
    single = false;
  }
  if (blockIndicators) plain = false;
  return { plain, single };
}

const DOUBLE_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '0',
  '\u0007': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\u001b': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u2028': 'L',
  '\u2029': 'P',
};

function doubleQuoted(s: string): string {
  let out = '"';
  for (const c of s) {
    if (!isPrintable(c) || c === '\ufeff' || isBreak(c) || c === '"' || c === '\\') {
      const named = DOUBLE_ESCAPES[c];
      if (named !== undefined) out += `\\${named}`;
      else {
        const cp = c.codePointAt(0) as number;
        const hex = cp.toString(16).toUpperCase();
        out +=
          cp <= 0xff
            ? `\\x${hex.padStart(2, '0')}`
            : cp <= 0xffff
              ? `\\u${hex.padStart(4, '0')}`
              : `\\U${hex.padStart(8, '0')}`;
      }
    } else out += c;
  }
  return `${out}"`;
}

/**
 * A string as YAML writes it (gopkg.in/yaml.v3's choice of style): plain where YAML reads it
 * back as the same string, single-quoted where plain text would be misread (`'a: b'`, `'#x'`),
 * double-quoted where it would read as another type (`"2024-01-01T00:00:00Z"`, `"true"`,
 * `"1.0"`, `""`) or holds control characters.
 *
 * Differs from yaml.v3 in one case: a value with line breaks is double-quoted on one line
 * (`"a\nb"`), where yaml.v3 writes a literal block whose lines would break the printed tree.
 */
export function yamlScalar(s: string): string {
  if (resolvesToNonString(s)) return doubleQuoted(s);
  const { plain, single } = analyze(s);
  if (plain) return s;
  if (single) return `'${s.replaceAll("'", "''")}'`;
  return doubleQuoted(s);
}

/** One annotation as oras prints it in a tree: `key: value`, each written as YAML writes it. */
export function annotationLabel(key: string, value: string): string {
  return `${yamlScalar(key)}: ${yamlScalar(value)}`;
}

/**
 * The `[annotations]` node oras puts under a referrer in `discover`'s tree: one child per
 * annotation, in key order, written as YAML. Undefined when there are none, or when `verbose`
 * is false (oras's `--verbose=false` hides them).
 */
export function annotationsNode(
  annotations: Readonly<Record<string, string>> | undefined,
  verbose = true,
): TreeNode | undefined {
  if (!verbose || annotations === undefined) return undefined;
  const keys = Object.keys(annotations).sort();
  if (keys.length === 0) return undefined;
  return {
    label: '[annotations]',
    children: keys.map((k) => ({ label: annotationLabel(k, annotations[k] as string), children: [] })),
  };
}
