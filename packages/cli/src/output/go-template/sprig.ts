/**
 * The sprig (v3) template functions that oras registers with `sprig.FuncMap()`: strings, lists,
 * dicts, defaults, math, conversions, encodings, hashes, regular expressions, paths, URLs, dates,
 * reflection and flow control, each with sprig's argument order (`"foo" | contains "f"`), its
 * quirks (`split` gives a dict of `_0`, `_1` ...; `add` works on int64s) and its error texts.
 *
 * Not provided, each failing with a clear error when called: certificate and key generation,
 * `bcrypt`/`htpasswd`, `derivePassword`, `semver`/`semverCompare` and `getHostByName` (a DNS
 * lookup from an output format is out of place in a registry client).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  randomInt,
  randomUUID,
} from 'node:crypto';
import { printableJson } from '../escape.js';
import { sprintf, sprintValue } from './fmt.js';
import type { GoFunc, Param } from './exec.js';
import { parseGoInt } from './parse.js';
import {
  addDuration,
  durationString,
  formatTime,
  fromUnix,
  knownZone,
  now,
  parseDuration,
  parseTime,
  zeroTime,
} from './time.js';
import { GoDuration, GoTime, goKindName, goTypeName, isInt, isMap } from './values.js';

type Fn = (...args: never[]) => unknown;
const f = (params: readonly Param[], fn: Fn, variadic?: Param): GoFunc =>
  variadic === undefined ? { params, fn } : { params, fn, variadic };

// ---------------------------------------------------------------------------------------------
// Conversions (sprig's strval, spf13/cast)

/** sprig's `strval`: strings as they are, everything else as `%v` prints it. */
function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  return sprintValue(v === undefined ? null : v);
}

function trimZeroDecimal(s: string): string {
  const m = /^(.*?)\.0+$/.exec(s);
  return m && m[1] !== '' ? (m[1] as string) : s;
}

/** cast.ToInt64: numbers truncated, strings parsed as Go integer literals, else 0. */
function toInt64(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = parseGoInt(trimZeroDecimal(v));
    return n === undefined || Number.isNaN(n) ? 0 : n;
  }
  if (v instanceof GoDuration) return Number(v.ns);
  return 0;
}

/** cast.ToFloat64: numbers, strings parsed as floats, booleans as 1 or 0, else 0. */
function toFloat64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim() === v ? v.replace(/_/g, '') : '';
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
    if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (/^nan$/i.test(s)) return Number.NaN;
    const n = parseGoInt(s);
    return n === undefined || Number.isNaN(n) ? 0 : n;
  }
  if (v instanceof GoDuration) return Number(v.ns);
  return 0;
}

/** sprig's `empty`: nil, false, 0, and empty strings, lists and maps. */
function empty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  switch (typeof v) {
    case 'string':
      return v.length === 0;
    case 'boolean':
      return !v;
    case 'number':
      return v === 0;
    case 'bigint':
      return v === 0n;
    default:
      if (Array.isArray(v)) return v.length === 0;
      if (v instanceof GoDuration) return v.ns === 0n;
      if (v instanceof GoTime) return false;
      return Object.keys(v as object).length === 0;
  }
}

/** Go's reflect.DeepEqual over template values. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  if (a instanceof GoTime && b instanceof GoTime)
    return a.ms === b.ms && a.nanos === b.nanos && a.zone === b.zone;
  if (a instanceof GoDuration && b instanceof GoDuration) return a.ns === b.ns;
  return false;
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopy(x)]));
  return v;
}

/** sprig's `strslice`: a list's non-nil items as strings, or a one-item list. */
function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

// ---------------------------------------------------------------------------------------------
// Go-style panics of sprig's list functions

function kindOf(v: unknown): string {
  return goKindName(v);
}

/** The list in `v`, or a throw with sprig's message (a nil list is Go's nil dereference). */
function listOf(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined)
    throw new Error('runtime error: invalid memory address or nil pointer dereference');
  throw new Error(`${what} ${kindOf(v)}`);
}

// ---------------------------------------------------------------------------------------------
// Strings

/** Go's `strings.Trim(s, cutset)`. */
function trimCutset(s: string, cutset: string): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a] as string)) a++;
  while (b > a && set.has(chars[b - 1] as string)) b--;
  return chars.slice(a, b).join('');
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

function sliceBytes(s: string, start: number, end?: number): string {
  const b = utf8(s);
  const e = end ?? b.length;
  if (e > b.length)
    throw new Error(`runtime error: slice bounds out of range [:${e}] with length ${b.length}`);
  if (start < 0 || start > e) throw new Error(`runtime error: slice bounds out of range [${start}:${e}]`);
  return b.subarray(start, e).toString('utf8');
}

function abbreviateFull(str: string, offset: number, maxWidth: number): string {
  const len = utf8(str).length;
  if (str === '') return '';
  if (maxWidth < 4) throw new Error('stringutils illegal argument: Minimum abbreviation width is 4');
  if (len <= maxWidth) return str;
  let off = Math.min(offset, len);
  if (len - off < maxWidth - 3) off = len - (maxWidth - 3);
  if (off <= 4) return `${sliceBytes(str, 0, maxWidth - 3)}...`;
  if (maxWidth < 7)
    throw new Error('stringutils illegal argument: Minimum abbreviation width with offset is 7');
  if (off + maxWidth - 3 < len) return `...${abbreviateFull(sliceBytes(str, off), 0, maxWidth - 3)}`;
  return `...${sliceBytes(str, len - (maxWidth - 3))}`;
}

function wrapCustom(str: string, wrapLength: number, newLine: string, wrapLong: boolean): string {
  if (str === '') return '';
  const nl = newLine === '' ? '\n' : newLine;
  const width = Math.max(1, wrapLength);
  let out = '';
  let offset = 0;
  while (str.length - offset > width) {
    if (str[offset] === ' ') {
      offset++;
      continue;
    }
    const space = str.slice(offset, width + offset + 1).lastIndexOf(' ');
    if (space >= 0) {
      out += str.slice(offset, offset + space) + nl;
      offset += space + 1;
    } else if (wrapLong) {
      out += str.slice(offset, offset + width) + nl;
      offset += width;
    } else {
      const idx = str.indexOf(' ', width + offset);
      if (idx === -1) {
        out += str.slice(offset);
        offset = str.length;
      } else {
        out += str.slice(offset, idx) + nl;
        offset = idx + 1;
      }
    }
  }
  return out + str.slice(offset);
}

const isSpaceRune = (c: string) => /\s/u.test(c) || c === '\u0085';

/** Go's `strings.Title` (deprecated in Go, but what sprig's `title` calls). */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    const sep = /[\x00-\x7f]/.test(prev)
      ? !/[0-9A-Za-z_]/.test(prev)
      : !/[\p{L}\p{Nd}]/u.test(prev) && isSpaceRune(prev);
    out += sep ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

/** goutils SwapCase: upper case to lower, lower case to upper (title case after a space). */
function swapCase(s: string): string {
  let out = '';
  for (const ch of s) {
    const upper = ch.toUpperCase();
    const lower = ch.toLowerCase();
    if (ch !== lower && ch === upper) out += lower;
    else if (ch !== upper && ch === lower) out += upper;
    else out += ch;
  }
  return out;
}

const isConnector = (c: string) => c === '-' || c === '_' || isSpaceRune(c);

/** huandu/xstrings ToCamelCase: `some_words` gives `SomeWords`. */
function camelCase(s: string): string {
  const runes = [...s];
  let out = '';
  let i = 0;
  while (i < runes.length && isConnector(runes[i] as string)) out += runes[i++];
  if (i >= runes.length) return out;
  let r0 = (runes[i++] as string).toUpperCase();
  for (; i < runes.length; i++) {
    const r1 = r0;
    r0 = runes[i] as string;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) r0 = r0.toUpperCase();
    else {
      r0 = r0.toLowerCase();
      out += r1;
    }
  }
  return out + r0;
}

/** huandu/xstrings ToSnakeCase / ToKebabCase: words of a camel-cased or spaced string, joined. */
function lowerWords(s: string, connector: string): string {
  const re = /\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+|[^\p{L}\p{N}\s_-]+/gu;
  let last = 0;
  let out = '';
  for (const m of s.matchAll(re)) {
    const gap = s.slice(last, m.index);
    const isPunct = /^[^\p{L}\p{N}]/u.test(m[0]);
    if (isPunct) {
      out += m[0];
    } else {
      if (out !== '' && !/[^\p{L}\p{N}\s_-]$/u.test(out)) out += connector;
      else if (out !== '' && gap !== '') out += connector;
      out += m[0].toLowerCase();
    }
    last = (m.index ?? 0) + m[0].length;
  }
  return out;
}

function quoteAll(args: unknown[]): string {
  return args
    .filter((a) => a !== null && a !== undefined)
    .map((a) => sprintf('%q', [strval(a)]))
    .join(' ');
}

// ---------------------------------------------------------------------------------------------
// Encodings and hashes

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function b64dec(s: string): string {
  if (s.length % 4 !== 0 || !B64.test(s)) {
    let bad = [...s].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
    if (bad === -1)
      bad =
        s.indexOf('=') !== -1 && s.indexOf('=') < s.length - 2
          ? s.indexOf('=')
          : Math.floor(s.length / 4) * 4;
    return `illegal base64 data at input byte ${bad}`;
  }
  return Buffer.from(s, 'base64').toString('utf8');
}

const B32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function b32enc(s: string): string {
  const bytes = utf8(s);
  let out = '';
  for (let i = 0; i < bytes.length; i += 5) {
    const chunk = bytes.subarray(i, i + 5);
    let bits = 0n;
    for (let k = 0; k < 5; k++) bits = (bits << 8n) | BigInt(chunk[k] ?? 0);
    const chars = Math.ceil((chunk.length * 8) / 5);
    for (let k = 0; k < 8; k++) {
      out += k < chars ? B32_ALPHABET[Number((bits >> BigInt(35 - k * 5)) & 31n)] : '=';
    }
  }
  return out;
}

function b32dec(s: string): string {
  if (s.length % 8 !== 0) return `illegal base32 data at input byte ${Math.floor(s.length / 8) * 8}`;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i += 8) {
    const block = s.slice(i, i + 8);
    const data = block.replace(/=+$/, '');
    const bad = [...data].findIndex((c) => !B32_ALPHABET.includes(c));
    if (bad !== -1) return `illegal base32 data at input byte ${i + bad}`;
    let bits = 0n;
    for (let k = 0; k < 8; k++)
      bits = (bits << 5n) | BigInt(k < data.length ? B32_ALPHABET.indexOf(data[k] as string) : 0);
    const n = Math.floor((data.length * 5) / 8);
    for (let k = 0; k < n; k++) bytes.push(Number((bits >> BigInt(32 - k * 8)) & 255n));
  }
  return Buffer.from(bytes).toString('utf8');
}

function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of utf8(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return b * 65536 + a;
}

function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  utf8(password).copy(key, 0, 0, 32);
  return key;
}

function encryptAES(password: string, plaintext: string): string {
  if (plaintext === '') return '';
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', aesKey(password), iv);
  return Buffer.concat([iv, cipher.update(utf8(plaintext)), cipher.final()]).toString('base64');
}

function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === '') return '';
  const crypt = Buffer.from(crypt64, 'base64');
  if (crypt.length < 16 || crypt.length % 16 !== 0) throw new Error('crypto/cipher: input not full blocks');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(password), crypt.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(crypt.subarray(16)), decipher.final()]);
  const pad = plain[plain.length - 1] ?? 0;
  return plain.subarray(0, Math.max(0, plain.length - pad)).toString('utf8');
}

function randomString(count: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < count; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

// ---------------------------------------------------------------------------------------------
// Math

/** A decimal as an integer mantissa and a power of ten: what shopspring/decimal computes with. */
interface Dec {
  m: bigint;
  e: number;
}

function toDec(n: number): Dec {
  if (!Number.isFinite(n)) throw new Error(`Cannot create a Decimal from ${formatFloatPlain(n)}`);
  const [mant = '0', exp = '0'] = n.toExponential().split('e');
  const digits = mant.replace('.', '').replace('-', '');
  const frac = (mant.split('.')[1] ?? '').length;
  return { m: BigInt(digits) * (n < 0 ? -1n : 1n), e: Number(exp) - frac };
}

function formatFloatPlain(n: number): string {
  return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e), e];
}

function decToNumber(d: Dec): number {
  return Number(`${d.m}e${d.e}`);
}

function decimalOp(first: unknown, rest: unknown[], op: 'add' | 'sub' | 'mul' | 'div'): number {
  let acc = toDec(toFloat64(first));
  for (const x of rest) {
    const d = toDec(toFloat64(x));
    if (op === 'mul') acc = { m: acc.m * d.m, e: acc.e + d.e };
    else if (op === 'div') {
      if (d.m === 0n) throw new Error('decimal division by 0');
      // shopspring's Div: 16 digits after the point, rounded half away from zero
      const scale = 17;
      const [a, b] = align(acc, d);
      const num = a * 10n ** BigInt(scale);
      let q = num / b;
      const r = num % b;
      if (r * 2n >= (b < 0n ? -b : b) * (r < 0n ? -1n : 1n) && r !== 0n) q += num < 0n !== b < 0n ? -1n : 1n;
      acc = { m: q, e: -scale };
      // round to 16 places
      const last = acc.m % 10n;
      acc = { m: acc.m / 10n + (last >= 5n ? 1n : last <= -5n ? -1n : 0n), e: -16 };
    } else {
      const [a, b, e] = align(acc, d);
      acc = { m: op === 'add' ? a + b : a - b, e };
    }
  }
  return decToNumber(acc);
}

function round(v: unknown, places: number, roundOn?: number): number {
  const on = roundOn ?? 0.5;
  const val = toFloat64(v);
  const pow = 10 ** places;
  const digit = pow * val;
  const frac = digit - Math.trunc(digit);
  return (frac >= on ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/** The longest list `until`, `untilStep` and `seq` make: Go would run out of memory instead. */
const MAX_SEQUENCE = 10_000_000;

function untilStep(start: number, stop: number, step: number): number[] {
  const v: number[] = [];
  if (step !== 0 && Math.abs((stop - start) / step) > MAX_SEQUENCE) {
    throw new Error(`a sequence of more than ${MAX_SEQUENCE} numbers`);
  }
  if (stop < start) {
    if (step >= 0) return v;
    for (let i = start; i > stop; i += step) v.push(i);
    return v;
  }
  if (step <= 0) return v;
  for (let i = start; i < stop; i += step) v.push(i);
  return v;
}

function seq(...params: number[]): string {
  const join = (l: number[]) => l.join(' ');
  switch (params.length) {
    case 1: {
      const end = params[0] as number;
      const inc = end < 1 ? -1 : 1;
      return join(untilStep(1, end + inc, inc));
    }
    case 2: {
      const [start, end] = params as [number, number];
      const step = end < start ? -1 : 1;
      return join(untilStep(start, end + step, step));
    }
    case 3: {
      const [start, step, end] = params as [number, number, number];
      let inc = 1;
      if (end < start) {
        inc = -1;
        if (step > 0) return '';
      }
      return join(untilStep(start, end + inc, step));
    }
    default:
      return '';
  }
}

function intDiv(a: number, b: number, op: 'div' | 'mod'): number {
  if (b === 0) throw new Error('runtime error: integer divide by zero');
  return op === 'div' ? Math.trunc(a / b) : a % b;
}

// ---------------------------------------------------------------------------------------------
// Dicts

function dictOf(v: unknown): Record<string, unknown> {
  return isMap(v) ? v : {};
}

/** mergo.Merge: fills keys that `dst` lacks or has empty, recursing into maps. */
function mergeInto(dst: Record<string, unknown>, src: Record<string, unknown>, overwrite: boolean): void {
  for (const [k, v] of Object.entries(src)) {
    const cur = dst[k];
    if (isMap(cur) && isMap(v)) mergeInto(cur, v, overwrite);
    else if (!Object.hasOwn(dst, k) || empty(cur) || (overwrite && !empty(v))) dst[k] = deepCopy(v);
  }
}

function dig(...ps: unknown[]): unknown {
  if (ps.length < 3) throw new Error('dig needs at least three arguments');
  let dict = ps[ps.length - 1];
  const def = ps[ps.length - 2];
  const keys = ps.slice(0, -2);
  for (const [i, k] of keys.entries()) {
    if (typeof k !== 'string')
      throw new Error(`interface conversion: interface {} is ${goTypeName(k)}, not string`);
    if (!isMap(dict))
      throw new Error(
        `interface conversion: interface {} is ${goTypeName(dict)}, not map[string]interface {}`,
      );
    if (!Object.hasOwn(dict, k)) return def;
    if (i === keys.length - 1) return dict[k];
    dict = dict[k];
  }
  return def;
}

// ---------------------------------------------------------------------------------------------
// Regular expressions (Go's RE2 syntax, run by the JS engine)

const regexCache = new Map<string, RegExp>();

/** RE2's words for the syntax errors JavaScript reports. */
const RE2_ERRORS: Record<string, string> = {
  'Unterminated group': 'missing closing )',
  "Unmatched ')'": 'unexpected )',
  'Nothing to repeat': 'missing argument to repetition operator',
  'Unterminated character class': 'missing closing ]',
  'Invalid escape': 'invalid escape sequence',
  'Invalid group': 'invalid or unsupported Perl syntax',
  'Lone quantifier brackets': 'missing argument to repetition operator',
  'numbers out of order in {} quantifier': 'invalid repeat count',
  'Range out of order in character class': 'invalid character class range',
};

/** Go's quoting of a regular expression in its errors: backquoted where it can be. */
function regexQuote(s: string): string {
  return /^[^`\x00-\x08\x0a-\x1f\x7f\ufeff]*$/.test(s) ? `\`${s}\`` : sprintf('%q', [s]);
}

/** Compiles a Go regular expression; throws Go's `error parsing regexp: ...` text. */
function goRegex(expr: string): RegExp {
  let re = regexCache.get(expr);
  if (re) return re;
  let src = expr;
  let flags = 'g';
  const inline = /^\(\?([imsU]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const c of inline[1] as string) if (c !== 'U' && !flags.includes(c)) flags += c;
  }
  src = src
    .replace(/\(\?P</g, '(?<')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\\A/g, '^(?<![\\s\\S])');
  try {
    re = new RegExp(src, `${flags}u`);
  } catch {
    try {
      re = new RegExp(src, flags);
    } catch (error) {
      const why = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
      throw new Error(`error parsing regexp: ${RE2_ERRORS[why] ?? why.toLowerCase()}: \`${expr}\``);
    }
  }
  regexCache.set(expr, re);
  return re;
}

function mustCompile(expr: string): RegExp {
  try {
    return goRegex(expr);
  } catch (error) {
    throw new Error(`regexp: Compile(${regexQuote(expr)}): ${(error as Error).message}`);
  }
}

/** Go's FindAll: successive non-overlapping matches; an empty match right after a match is skipped. */
function findAll(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  if (n === 0) return out;
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && (n < 0 || out.length < n)) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      if (m.index !== prevEnd) out.push(m);
      const cp = s.codePointAt(m.index);
      pos = m.index + (cp !== undefined && cp > 0xffff ? 2 : 1);
    } else {
      out.push(m);
      pos = end;
    }
    prevEnd = end;
  }
  return out;
}

/** Go's Regexp.Expand template: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
    (_all, what: string, braced?: string, bare?: string) => {
      if (what === '$') return '$';
      const name = braced ?? bare ?? '';
      if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
      return m.groups?.[name] ?? '';
    },
  );
}

function replaceAll(re: RegExp, s: string, repl: (m: RegExpExecArray) => string): string {
  let out = '';
  let last = 0;
  for (const m of findAll(re, s, -1)) {
    out += s.slice(last, m.index) + repl(m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

function regexSplit(re: RegExp, s: string, n: number): string[] {
  if (n === 0) return [];
  if (re.source !== '(?:)' && s === '') return [''];
  const matches = findAll(re, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

const quoteMeta = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

// ---------------------------------------------------------------------------------------------
// Paths (Go's path package)

function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

function basePath(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function dirPath(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf('/') + 1));
}

function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

// ---------------------------------------------------------------------------------------------
// URLs

function unescapeUrl(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function urlParse(v: string): Record<string, unknown> {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(v);
  if (!m) throw new Error(`unable to parse url: parse ${sprintf('%q', [v])}: invalid URL`);
  const [, scheme = '', authority, rest = '', query = '', fragment = ''] = m;
  let opaque = '';
  let path = rest;
  if (scheme !== '' && authority === undefined && !rest.startsWith('/') && rest !== '') {
    opaque = rest;
    path = '';
  }
  let userinfo = '';
  let host = authority ?? '';
  const at = host.lastIndexOf('@');
  if (at !== -1) {
    userinfo = host.slice(0, at);
    host = host.slice(at + 1);
  }
  const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  return {
    scheme: scheme.toLowerCase(),
    host,
    hostname,
    path: unescapeUrl(path),
    query,
    opaque,
    fragment: unescapeUrl(fragment),
    userinfo,
  };
}

function dictString(d: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(d, key)) return '';
  const v = d[key];
  if (typeof v !== 'string')
    throw new Error(`unable to parse ${key} key, must be of type string, but ${kindOf(v)} found`);
  return v;
}

function urlJoin(d: Record<string, unknown>): string {
  const scheme = dictString(d, 'scheme');
  const host = dictString(d, 'host');
  const path = dictString(d, 'path');
  const query = dictString(d, 'query');
  const opaque = dictString(d, 'opaque');
  const fragment = dictString(d, 'fragment');
  const userinfo = dictString(d, 'userinfo');
  let out = '';
  if (scheme) out += `${scheme}:`;
  if (opaque) out += opaque;
  else {
    if (scheme || host || userinfo) {
      if (host || path || userinfo) out += '//';
      if (userinfo) out += `${userinfo}@`;
      out += host;
    }
    const escaped = encodeURI(path)
      .replace(/%5B/g, '[')
      .replace(/%5D/g, ']')
      .replace(/\?/g, '%3F')
      .replace(/#/g, '%23');
    if (escaped && !escaped.startsWith('/') && host) out += '/';
    out += escaped;
  }
  if (query) out += `?${query}`;
  if (fragment) out += `#${encodeURI(fragment).replace(/#/g, '%23')}`;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dates

function timeOf(date: unknown, withInt32 = true): GoTime {
  void withInt32;
  if (date instanceof GoTime) return date;
  if (typeof date === 'number' && isInt(date)) return fromUnix(date);
  return now();
}

function dateInZone(layout: string, date: unknown, zone: string): string {
  const t = timeOf(date);
  const z = zone === '' || !knownZone(zone) ? 'UTC' : zone;
  return formatTime(new GoTime(t.ms, t.nanos, z), layout);
}

function since(t: GoTime): GoDuration {
  const diff = BigInt(Date.now() - t.ms) * 1_000_000n - BigInt(t.nanos);
  return new GoDuration(diff);
}

function roundDuration(d: GoDuration, unit: bigint): GoDuration {
  const r = d.ns % unit;
  const abs = r < 0n ? -r : r;
  let ns = d.ns - r;
  if (abs + abs >= unit) ns += d.ns < 0n ? -unit : unit;
  return new GoDuration(ns);
}

function durationRound(v: unknown): string {
  let d = 0n;
  if (typeof v === 'string') {
    try {
      d = parseDuration(v).ns;
    } catch {
      d = 0n;
    }
  } else if (typeof v === 'number' && isInt(v)) d = BigInt(v);
  else if (v instanceof GoDuration) d = v.ns;
  else if (v instanceof GoTime) d = since(v).ns;
  const u = d < 0n ? -d : d;
  const second = 1_000_000_000n;
  const minute = 60n * second;
  const hour = 60n * minute;
  const day = 24n * hour;
  const units: [bigint, string][] = [
    [365n * day, 'y'],
    [30n * day, 'mo'],
    [day, 'd'],
    [hour, 'h'],
    [minute, 'm'],
    [second, 's'],
  ];
  for (const [size, suffix] of units) if (u > size) return `${u / size}${suffix}`;
  return '0s';
}

function unsupported(name: string): GoFunc {
  return {
    params: [],
    variadic: 'any',
    fn: () => {
      throw new Error(`${name} is not supported by this oras`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The map

const listFn = (what: string, fn: (l: unknown[]) => unknown, must = false): GoFunc =>
  f(['any'], (v: unknown) => {
    void must;
    return fn(listOf(v, what));
  });

const first = (l: unknown[]) => (l.length === 0 ? null : l[0]);
const last = (l: unknown[]) => (l.length === 0 ? null : l[l.length - 1]);
const rest = (l: unknown[]) => (l.length === 0 ? [] : l.slice(1));
const initial = (l: unknown[]) => (l.length === 0 ? [] : l.slice(0, -1));
const reverse = (l: unknown[]) => [...l].reverse();
const compact = (l: unknown[]) => l.filter((x) => !empty(x));
const uniq = (l: unknown[]) => {
  const out: unknown[] = [];
  for (const x of l) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return out;
};

function sliceList(list: unknown, ...indices: unknown[]): unknown {
  if (!Array.isArray(list)) {
    if (list === null || list === undefined)
      throw new Error('runtime error: invalid memory address or nil pointer dereference');
    throw new Error(`list should be type of slice or array but ${kindOf(list)}`);
  }
  if (list.length === 0) return null;
  const start = indices.length > 0 ? toInt64(indices[0]) : 0;
  const end = indices.length < 2 ? list.length : toInt64(indices[1]);
  if (start < 0 || end > list.length || start > end) {
    throw new Error('reflect.Value.Slice: slice index out of bounds');
  }
  return list.slice(start, end);
}

function chunk(size: number, list: unknown): unknown[][] {
  const l = listOf(list, 'Cannot chunk type');
  if (size <= 0) throw new Error('runtime error: integer divide by zero');
  const out: unknown[][] = [];
  for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
  return out;
}

function concat(...lists: unknown[]): unknown {
  const out: unknown[] = [];
  for (const l of lists) {
    if (!Array.isArray(l)) {
      if (l === null || l === undefined)
        throw new Error('runtime error: invalid memory address or nil pointer dereference');
      throw new Error(`Cannot concat type ${kindOf(l)} as list`);
    }
    out.push(...l);
  }
  return out;
}

function has(needle: unknown, haystack: unknown): boolean {
  if (haystack === null || haystack === undefined) return false;
  return listOf(haystack, 'Cannot find has on type').some((x) => deepEqual(needle, x));
}

function dateMod(layout: string, date: GoTime): GoTime {
  try {
    return addDuration(date, parseDuration(layout));
  } catch {
    return date;
  }
}

/** Every sprig function, by name, as oras's `sprig.FuncMap()` provides them. */
export const SPRIG: Readonly<Record<string, GoFunc>> = {
  hello: f([], () => 'Hello!'),

  // dates
  ago: f(['any'], (d: unknown) => durationString(roundDuration(since(timeOf(d)), 1_000_000_000n))),
  date: f(['string', 'any'], (layout: string, d: unknown) => dateInZone(layout, d, 'Local')),
  date_in_zone: f(['string', 'any', 'string'], dateInZone),
  date_modify: f(['string', 'time'], dateMod),
  dateInZone: f(['string', 'any', 'string'], dateInZone),
  dateModify: f(['string', 'time'], dateMod),
  duration: f(['any'], (sec: unknown) => {
    let n = 0n;
    if (typeof sec === 'string') n = /^[+-]?\d+$/.test(sec) ? BigInt(sec) : 0n;
    else if (typeof sec === 'number' && isInt(sec)) n = BigInt(sec);
    return durationString(new GoDuration(n * 1_000_000_000n));
  }),
  durationRound: f(['any'], durationRound),
  htmlDate: f(['any'], (d: unknown) => dateInZone('2006-01-02', d, 'Local')),
  htmlDateInZone: f(['any', 'string'], (d: unknown, z: string) => dateInZone('2006-01-02', d, z)),
  must_date_modify: f(['string', 'time'], (l: string, d: GoTime) => addDuration(d, parseDuration(l))),
  mustDateModify: f(['string', 'time'], (l: string, d: GoTime) => addDuration(d, parseDuration(l))),
  mustToDate: f(['string', 'string'], (l: string, s: string) => parseTime(l, s)),
  now: f([], now),
  toDate: f(['string', 'string'], (l: string, s: string) => {
    try {
      return parseTime(l, s);
    } catch {
      return zeroTime();
    }
  }),
  unixEpoch: f(['time'], (t: GoTime) => String(Math.floor(t.ms / 1000))),

  // strings
  abbrev: f(['int', 'string'], (w: number, s: string) => (w < 4 ? s : abbreviateFull(s, 0, w))),
  abbrevboth: f(['int', 'int', 'string'], (l: number, r: number, s: string) =>
    r < 4 || (l > 0 && r < 7) ? s : abbreviateFull(s, l, r),
  ),
  trunc: f(['int', 'string'], (c: number, s: string) => {
    const len = utf8(s).length;
    if (c < 0 && len + c > 0) return sliceBytes(s, len + c);
    if (c >= 0 && len > c) return sliceBytes(s, 0, c);
    return s;
  }),
  trim: f(['string'], (s: string) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '')),
  upper: f(['string'], (s: string) => s.toUpperCase()),
  lower: f(['string'], (s: string) => s.toLowerCase()),
  title: f(['string'], title),
  untitle: f(['string'], (s: string) => {
    let out = '';
    let next = true;
    for (const c of s) {
      if (isSpaceRune(c)) next = true;
      else if (next) {
        out += c.toLowerCase();
        next = false;
        continue;
      }
      out += c;
    }
    return out;
  }),
  substr: f(['int', 'int', 'string'], (start: number, end: number, s: string) => {
    if (start < 0) return sliceBytes(s, 0, end);
    if (end < 0 || end > utf8(s).length) return sliceBytes(s, start);
    return sliceBytes(s, start, end);
  }),
  repeat: f(['int', 'string'], (count: number, s: string) => {
    if (count < 0) throw new Error('strings: negative Repeat count');
    return s.repeat(count);
  }),
  trimall: f(['string', 'string'], (a: string, b: string) => trimCutset(b, a)),
  trimAll: f(['string', 'string'], (a: string, b: string) => trimCutset(b, a)),
  trimSuffix: f(['string', 'string'], (a: string, b: string) =>
    a !== '' && b.endsWith(a) ? b.slice(0, -a.length) : b,
  ),
  trimPrefix: f(['string', 'string'], (a: string, b: string) => (b.startsWith(a) ? b.slice(a.length) : b)),
  nospace: f(['string'], (s: string) => [...s].filter((c) => !isSpaceRune(c)).join('')),
  initials: f(['string'], (s: string) => {
    let out = '';
    let gap = true;
    for (const c of s) {
      if (isSpaceRune(c)) gap = true;
      else if (gap) {
        out += c;
        gap = false;
      }
    }
    return out;
  }),
  randAlphaNum: f(['int'], (n: number) => randomString(n, LETTERS + DIGITS)),
  randAlpha: f(['int'], (n: number) => randomString(n, LETTERS)),
  randAscii: f(['int'], (n: number) => randomString(n, ASCII)),
  randNumeric: f(['int'], (n: number) => randomString(n, DIGITS)),
  swapcase: f(['string'], swapCase),
  shuffle: f(['string'], (s: string) => {
    const r = [...s];
    for (let i = r.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [r[i], r[j]] = [r[j] as string, r[i] as string];
    }
    return r.join('');
  }),
  snakecase: f(['string'], (s: string) => lowerWords(s, '_')),
  camelcase: f(['string'], camelCase),
  kebabcase: f(['string'], (s: string) => lowerWords(s, '-')),
  wrap: f(['int', 'string'], (l: number, s: string) => wrapCustom(s, l, '', false)),
  wrapWith: f(['int', 'string', 'string'], (l: number, sep: string, s: string) =>
    wrapCustom(s, l, sep, true),
  ),
  contains: f(['string', 'string'], (sub: string, s: string) => s.includes(sub)),
  hasPrefix: f(['string', 'string'], (sub: string, s: string) => s.startsWith(sub)),
  hasSuffix: f(['string', 'string'], (sub: string, s: string) => s.endsWith(sub)),
  quote: f([], (...args: unknown[]) => quoteAll(args), 'any'),
  squote: f(
    [],
    (...args: unknown[]) =>
      args
        .filter((a) => a !== null && a !== undefined)
        .map((a) => `'${sprintValue(a)}'`)
        .join(' '),
    'any',
  ),
  cat: f(
    [],
    (...args: unknown[]) =>
      args
        .filter((a) => a !== null && a !== undefined)
        .map((a) => sprintValue(a))
        .join(' '),
    'any',
  ),
  indent: f(['int', 'string'], (n: number, s: string) => {
    const pad = ' '.repeat(Math.max(0, n));
    return pad + s.replaceAll('\n', `\n${pad}`);
  }),
  nindent: f(['int', 'string'], (n: number, s: string) => {
    const pad = ' '.repeat(Math.max(0, n));
    return `\n${pad}${s.replaceAll('\n', `\n${pad}`)}`;
  }),
  replace: f(['string', 'string', 'string'], (old: string, neu: string, src: string) =>
    old === '' ? [...src].reduce((acc, c) => acc + c + neu, neu) : src.replaceAll(old, neu),
  ),
  plural: f(['string', 'string', 'int'], (one: string, many: string, n: number) => (n === 1 ? one : many)),
  sha1sum: f(['string'], (s: string) => createHash('sha1').update(s, 'utf8').digest('hex')),
  sha256sum: f(['string'], (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')),
  adler32sum: f(['string'], (s: string) => String(adler32(s))),
  toString: f(['any'], strval),

  // conversions and math
  atoi: f(['string'], (s: string) =>
    /^[+-]?\d+$/.test(s) && Math.abs(Number(s)) <= Number.MAX_SAFE_INTEGER ? Number(s) : 0,
  ),
  int64: f(['any'], toInt64),
  int: f(['any'], toInt64),
  float64: f(['any'], toFloat64),
  seq: f([], seq, 'int'),
  toDecimal: f(['any'], (v: unknown) => {
    const s = strval(v);
    return /^[+-]?[0-7]+$/.test(s) ? Number.parseInt(s, 8) : 0;
  }),
  split: f(['string', 'string'], (sep: string, s: string) =>
    Object.fromEntries(goSplit(s, sep).map((p, i) => [`_${i}`, p])),
  ),
  splitList: f(['string', 'string'], (sep: string, s: string) => goSplit(s, sep)),
  splitn: f(['string', 'int', 'string'], (sep: string, n: number, s: string) =>
    Object.fromEntries(goSplit(s, sep, n).map((p, i) => [`_${i}`, p])),
  ),
  toStrings: f(['any'], strslice),
  until: f(['int'], (n: number) => untilStep(0, n, n < 0 ? -1 : 1)),
  untilStep: f(['int', 'int', 'int'], untilStep),
  add1: f(['any'], (i: unknown) => toInt64(i) + 1),
  add: f([], (...xs: unknown[]) => xs.reduce<number>((a, b) => a + toInt64(b), 0), 'any'),
  sub: f(['any', 'any'], (a: unknown, b: unknown) => toInt64(a) - toInt64(b)),
  div: f(['any', 'any'], (a: unknown, b: unknown) => intDiv(toInt64(a), toInt64(b), 'div')),
  mod: f(['any', 'any'], (a: unknown, b: unknown) => intDiv(toInt64(a), toInt64(b), 'mod')),
  mul: f(
    ['any'],
    (a: unknown, ...xs: unknown[]) => xs.reduce<number>((acc, b) => acc * toInt64(b), toInt64(a)),
    'any',
  ),
  randInt: f(['int', 'int'], (min: number, max: number) => {
    if (max - min <= 0) throw new Error('invalid argument to Intn');
    return min + randomInt(max - min);
  }),
  add1f: f(['any'], (i: unknown) => decimalOp(i, [1], 'add')),
  addf: f([], (...xs: unknown[]) => decimalOp(0, xs, 'add'), 'any'),
  subf: f(['any'], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, 'sub'), 'any'),
  divf: f(['any'], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, 'div'), 'any'),
  mulf: f(['any'], (a: unknown, ...xs: unknown[]) => decimalOp(a, xs, 'mul'), 'any'),
  biggest: f(['any'], (a: unknown, ...xs: unknown[]) => Math.max(toInt64(a), ...xs.map(toInt64)), 'any'),
  max: f(['any'], (a: unknown, ...xs: unknown[]) => Math.max(toInt64(a), ...xs.map(toInt64)), 'any'),
  min: f(['any'], (a: unknown, ...xs: unknown[]) => Math.min(toInt64(a), ...xs.map(toInt64)), 'any'),
  maxf: f(['any'], (a: unknown, ...xs: unknown[]) => Math.max(toFloat64(a), ...xs.map(toFloat64)), 'any'),
  minf: f(['any'], (a: unknown, ...xs: unknown[]) => Math.min(toFloat64(a), ...xs.map(toFloat64)), 'any'),
  ceil: f(['any'], (a: unknown) => Math.ceil(toFloat64(a))),
  floor: f(['any'], (a: unknown) => Math.floor(toFloat64(a))),
  round: f(['any', 'int'], (a: unknown, p: number, ...on: number[]) => round(a, p, on[0]), 'float'),

  // string lists
  join: f(['string', 'any'], (sep: string, v: unknown) => strslice(v).join(sep)),
  sortAlpha: f(['any'], (v: unknown) =>
    Array.isArray(v) ? strslice(v).sort((a, b) => Buffer.compare(utf8(a), utf8(b))) : [strval(v)],
  ),

  // defaults
  default: f(
    ['any'],
    (d: unknown, ...given: unknown[]) => (given.length === 0 || empty(given[0]) ? d : given[0]),
    'any',
  ),
  empty: f(['any'], empty),
  coalesce: f([], (...xs: unknown[]) => xs.find((x) => !empty(x)) ?? null, 'any'),
  all: f([], (...xs: unknown[]) => xs.every((x) => !empty(x)), 'any'),
  any: f([], (...xs: unknown[]) => xs.some((x) => !empty(x)), 'any'),
  compact: listFn('Cannot compact on type', compact),
  mustCompact: listFn('Cannot compact on type', compact, true),
  fromJson: f(['string'], (s: string) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      return null;
    }
  }),
  toJson: f(['any'], (v: unknown) => goJson(v, true)),
  toPrettyJson: f(['any'], (v: unknown) => goJson(v, true, '  ')),
  toRawJson: f(['any'], (v: unknown) => goJson(v, false)),
  mustFromJson: f(['string'], (s: string) => {
    try {
      return JSON.parse(s) as unknown;
    } catch (error) {
      throw new Error(jsonError(s, error as Error));
    }
  }),
  mustToJson: f(['any'], (v: unknown) => goJson(v, true)),
  mustToPrettyJson: f(['any'], (v: unknown) => goJson(v, true, '  ')),
  mustToRawJson: f(['any'], (v: unknown) => goJson(v, false)),
  ternary: f(['any', 'any', 'bool'], (vt: unknown, vf: unknown, c: boolean) => (c ? vt : vf)),
  deepCopy: f(['any'], deepCopy),
  mustDeepCopy: f(['any'], deepCopy),

  // reflection
  typeOf: f(['any'], (v: unknown) => goTypeName(v)),
  typeIs: f(['string', 'any'], (t: string, v: unknown) => t === goTypeName(v)),
  typeIsLike: f(
    ['string', 'any'],
    (t: string, v: unknown) => t === goTypeName(v) || `*${t}` === goTypeName(v),
  ),
  kindOf: f(['any'], (v: unknown) => goKindName(v)),
  kindIs: f(['string', 'any'], (t: string, v: unknown) => t === goKindName(v)),
  deepEqual: f(['any', 'any'], deepEqual),

  // the environment
  env: f(['string'], (name: string) => process.env[name] ?? ''),
  expandenv: f(['string'], (s: string) =>
    s.replace(
      /\$(\{([^}]*)\}|([A-Za-z0-9_]+)|([*#$@!?\-0-9]))/g,
      (_m, _w, braced?: string, bare?: string, special?: string) => {
        const name = braced ?? bare ?? special ?? '';
        return process.env[name] ?? '';
      },
    ),
  ),
  getHostByName: unsupported('getHostByName'),

  // paths
  base: f(['string'], basePath),
  dir: f(['string'], dirPath),
  clean: f(['string'], cleanPath),
  ext: f(['string'], extPath),
  isAbs: f(['string'], (p: string) => p.startsWith('/')),
  osBase: f(['string'], basePath),
  osClean: f(['string'], cleanPath),
  osDir: f(['string'], dirPath),
  osExt: f(['string'], extPath),
  osIsAbs: f(['string'], (p: string) => p.startsWith('/')),

  // encodings
  b64enc: f(['string'], (s: string) => utf8(s).toString('base64')),
  b64dec: f(['string'], b64dec),
  b32enc: f(['string'], b32enc),
  b32dec: f(['string'], b32dec),

  // lists and dicts
  tuple: f([], (...xs: unknown[]) => xs, 'any'),
  list: f([], (...xs: unknown[]) => xs, 'any'),
  dict: f(
    [],
    (...xs: unknown[]) => {
      const d: Record<string, unknown> = {};
      for (let i = 0; i < xs.length; i += 2) d[strval(xs[i])] = i + 1 < xs.length ? xs[i + 1] : '';
      return d;
    },
    'any',
  ),
  get: f(['map', 'string'], (d: unknown, k: string) => (isMap(d) && Object.hasOwn(d, k) ? d[k] : '')),
  set: f(['map', 'string', 'any'], (d: unknown, k: string, v: unknown) => {
    if (!isMap(d)) throw new Error('assignment to entry in nil map');
    d[k] = v;
    return d;
  }),
  unset: f(['map', 'string'], (d: unknown, k: string) => {
    if (isMap(d)) delete d[k];
    return d ?? {};
  }),
  hasKey: f(['map', 'string'], (d: unknown, k: string) => isMap(d) && Object.hasOwn(d, k)),
  pluck: f(
    ['string'],
    (k: string, ...ds: unknown[]) =>
      ds.filter((d) => isMap(d) && Object.hasOwn(d, k)).map((d) => dictOf(d)[k]),
    'map',
  ),
  keys: f([], (...ds: unknown[]) => ds.flatMap((d) => Object.keys(dictOf(d))), 'map'),
  pick: f(
    ['map'],
    (d: unknown, ...ks: string[]) => {
      const src = dictOf(d);
      return Object.fromEntries(ks.filter((k) => Object.hasOwn(src, k)).map((k) => [k, src[k]]));
    },
    'string',
  ),
  omit: f(
    ['map'],
    (d: unknown, ...ks: string[]) =>
      Object.fromEntries(Object.entries(dictOf(d)).filter(([k]) => !ks.includes(k))),
    'string',
  ),
  merge: f(['map'], mergeFn(false), 'map'),
  mergeOverwrite: f(['map'], mergeFn(true), 'map'),
  mustMerge: f(['map'], mergeFn(false), 'map'),
  mustMergeOverwrite: f(['map'], mergeFn(true), 'map'),
  values: f(['map'], (d: unknown) => Object.values(dictOf(d))),
  append: f(['any', 'any'], (l: unknown, v: unknown) => [...listOf(l, 'Cannot push on type'), v]),
  push: f(['any', 'any'], (l: unknown, v: unknown) => [...listOf(l, 'Cannot push on type'), v]),
  mustAppend: f(['any', 'any'], (l: unknown, v: unknown) => [...listOf(l, 'Cannot push on type'), v]),
  mustPush: f(['any', 'any'], (l: unknown, v: unknown) => [...listOf(l, 'Cannot push on type'), v]),
  prepend: f(['any', 'any'], (l: unknown, v: unknown) => [v, ...listOf(l, 'Cannot prepend on type')]),
  mustPrepend: f(['any', 'any'], (l: unknown, v: unknown) => [v, ...listOf(l, 'Cannot prepend on type')]),
  first: listFn('Cannot find first on type', first),
  mustFirst: listFn('Cannot find first on type', first, true),
  rest: listFn('Cannot find rest on type', rest),
  mustRest: listFn('Cannot find rest on type', rest, true),
  last: listFn('Cannot find last on type', last),
  mustLast: listFn('Cannot find last on type', last, true),
  initial: listFn('Cannot find initial on type', initial),
  mustInitial: listFn('Cannot find initial on type', initial, true),
  reverse: listFn('Cannot find reverse on type', reverse),
  mustReverse: listFn('Cannot find reverse on type', reverse, true),
  uniq: listFn('Cannot find uniq on type', uniq),
  mustUniq: listFn('Cannot find uniq on type', uniq, true),
  without: f(
    ['any'],
    (l: unknown, ...omit: unknown[]) =>
      listOf(l, 'Cannot find without on type').filter((x) => !omit.some((o) => deepEqual(o, x))),
    'any',
  ),
  mustWithout: f(
    ['any'],
    (l: unknown, ...omit: unknown[]) =>
      listOf(l, 'Cannot find without on type').filter((x) => !omit.some((o) => deepEqual(o, x))),
    'any',
  ),
  has: f(['any', 'any'], has),
  mustHas: f(['any', 'any'], has),
  slice: f(['any'], sliceList, 'any'),
  mustSlice: f(['any'], sliceList, 'any'),
  concat: f([], concat, 'any'),
  dig: f([], dig, 'any'),
  chunk: f(['int', 'any'], chunk),
  mustChunk: f(['int', 'any'], chunk),

  // crypto
  bcrypt: unsupported('bcrypt'),
  htpasswd: unsupported('htpasswd'),
  genPrivateKey: unsupported('genPrivateKey'),
  derivePassword: unsupported('derivePassword'),
  buildCustomCert: unsupported('buildCustomCert'),
  genCA: unsupported('genCA'),
  genCAWithKey: unsupported('genCAWithKey'),
  genSelfSignedCert: unsupported('genSelfSignedCert'),
  genSelfSignedCertWithKey: unsupported('genSelfSignedCertWithKey'),
  genSignedCert: unsupported('genSignedCert'),
  genSignedCertWithKey: unsupported('genSignedCertWithKey'),
  encryptAES: f(['string', 'string'], encryptAES),
  decryptAES: f(['string', 'string'], decryptAES),
  randBytes: f(['int'], (n: number) => randomBytes(n).toString('base64')),
  uuidv4: f([], () => randomUUID()),
  semver: unsupported('semver'),
  semverCompare: unsupported('semverCompare'),

  // flow control
  fail: f(['string'], (msg: string) => {
    throw new Error(msg);
  }),

  // regular expressions
  regexMatch: f(['string', 'string'], (re: string, s: string) => {
    try {
      const r = goRegex(re);
      r.lastIndex = 0;
      return r.test(s);
    } catch {
      return false;
    }
  }),
  mustRegexMatch: f(['string', 'string'], (re: string, s: string) => {
    const r = goRegex(re);
    r.lastIndex = 0;
    return r.test(s);
  }),
  regexFindAll: f(['string', 'string', 'int'], (re: string, s: string, n: number) =>
    findAll(mustCompile(re), s, n).map((m) => m[0]),
  ),
  mustRegexFindAll: f(['string', 'string', 'int'], (re: string, s: string, n: number) =>
    findAll(goRegex(re), s, n).map((m) => m[0]),
  ),
  regexFind: f(['string', 'string'], (re: string, s: string) => findAll(mustCompile(re), s, 1)[0]?.[0] ?? ''),
  mustRegexFind: f(['string', 'string'], (re: string, s: string) => findAll(goRegex(re), s, 1)[0]?.[0] ?? ''),
  regexReplaceAll: f(['string', 'string', 'string'], (re: string, s: string, repl: string) =>
    replaceAll(mustCompile(re), s, (m) => expand(repl, m)),
  ),
  mustRegexReplaceAll: f(['string', 'string', 'string'], (re: string, s: string, repl: string) =>
    replaceAll(goRegex(re), s, (m) => expand(repl, m)),
  ),
  regexReplaceAllLiteral: f(['string', 'string', 'string'], (re: string, s: string, repl: string) =>
    replaceAll(mustCompile(re), s, () => repl),
  ),
  mustRegexReplaceAllLiteral: f(['string', 'string', 'string'], (re: string, s: string, repl: string) =>
    replaceAll(goRegex(re), s, () => repl),
  ),
  regexSplit: f(['string', 'string', 'int'], (re: string, s: string, n: number) =>
    regexSplit(mustCompile(re), s, n),
  ),
  mustRegexSplit: f(['string', 'string', 'int'], (re: string, s: string, n: number) =>
    regexSplit(goRegex(re), s, n),
  ),
  regexQuoteMeta: f(['string'], quoteMeta),

  // URLs
  urlParse: f(['string'], urlParse),
  urlJoin: f(['map'], (d: unknown) => urlJoin(dictOf(d))),
};

function mergeFn(overwrite: boolean) {
  return (dst: unknown, ...srcs: unknown[]) => {
    if (!isMap(dst)) throw new Error('src and dst must be of same type');
    for (const src of srcs) if (isMap(src)) mergeInto(dst, src, overwrite);
    return dst;
  };
}

/** Go's `strings.Split` / `strings.SplitN`. */
function goSplit(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = [...s];
    if (n > 0 && chars.length > n) return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
    return chars;
  }
  const parts = s.split(sep);
  if (n > 0 && parts.length > n) return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
  return parts;
}

/** Go's `encoding/json` of a template value: sorted keys, `<>&` escaped unless raw. */
export function goJson(v: unknown, escapeHtml: boolean, indent?: string): string {
  const prepare = (x: unknown): unknown => {
    if (x === undefined || x === null) return null;
    if (Array.isArray(x)) return x.map(prepare);
    if (x instanceof GoTime) return formatTime(x, '2006-01-02T15:04:05.999999999Z07:00');
    if (x instanceof GoDuration) return Number(x.ns);
    if (isMap(x)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) out[k] = prepare(x[k]);
      return out;
    }
    if (typeof x === 'number' && !Number.isFinite(x))
      throw new Error(`json: unsupported value: ${sprintValue(x)}`);
    return x;
  };
  let prepared: unknown;
  try {
    prepared = prepare(v);
  } catch {
    return '';
  }
  const text = JSON.stringify(prepared, null, indent) ?? 'null';
  const escaped = text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  // The characters a terminal acts on are escaped too (printableJson): the same value once decoded.
  return printableJson(
    escapeHtml ? escaped.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : escaped,
  );
}

function jsonError(s: string, error: Error): string {
  if (s.trim() === '') return 'unexpected end of JSON input';
  return error.message;
}
