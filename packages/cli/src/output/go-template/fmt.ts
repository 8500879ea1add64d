/**
 * Go's `fmt` printing of template values: `%v` of maps (`map[a:1 b:2]`, keys sorted), lists
 * (`[a b]`), nil (`<nil>`), floats (`%g`, shortest), and `Sprint`, `Sprintln`, `Sprintf` with the
 * verbs, flags, widths and precisions of `fmt`, including its in-band errors (`%!d(string=x)`,
 * `%!d(MISSING)`, `%!(EXTRA int=2)`).
 */
import { durationString, timeString } from './time.js';
import { GoDuration, GoTime, goTypeName, isInt, isMap } from './values.js';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const NO_FLAGS: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false };

// ---------------------------------------------------------------------------------------------
// Numbers (strconv)

/** The digits and exponent of a `toExponential` text: `d.ddd × 10^exp`. */
function splitExponential(e: string): { digits: string; exp: number } {
  const [mant = '0', ex = '0'] = e.split('e');
  return { digits: mant.replace('.', ''), exp: Number(ex) };
}

/**
 * The decimal digits and exponent of a finite, non-negative number (`d.ddd × 10^exp`): the
 * shortest that read back as `n`, or `sig` significant digits rounded as Go rounds, to the
 * nearest and, on an exact tie, to even (JavaScript rounds ties up).
 */
function decimalDigits(n: number, sig?: number): { digits: string; exp: number } {
  if (sig === undefined) return splitExponential(n.toExponential());
  const keep = Math.max(1, sig);
  // the exact expansion (a double's is finite), or as much of it as toExponential gives
  const exact = splitExponential(n.toExponential(100));
  const head = exact.digits.slice(0, keep);
  const rest = exact.digits.slice(keep);
  if (!/^50*$/.test(rest)) return splitExponential(n.toExponential(keep - 1));
  // an exact tie: round half to even
  const last = Number(head[head.length - 1]);
  if (last % 2 === 0) return { digits: head, exp: exact.exp };
  return splitExponential(n.toExponential(keep - 1));
}

/** Digits of `n` rounded to `prec` places after the point, as Go rounds (ties to even). */
function fixedDigits(n: number, prec: number): { digits: string; exp: number } {
  if (n === 0) return { digits: '0', exp: 0 };
  const { exp } = splitExponential(n.toExponential());
  const sig = exp + 1 + prec;
  if (sig < 0) return { digits: '0', exp: 0 };
  if (sig === 0) {
    // n is below one unit of the last place: above half of it rounds up, a tie goes to even (0)
    const exact = splitExponential(n.toExponential(100)).digits;
    const above = Number(exact[0]) > 5 || (exact[0] === '5' && /[1-9]/.test(exact.slice(1)));
    return above ? { digits: '1', exp: -prec } : { digits: '0', exp: 0 };
  }
  return decimalDigits(n, sig);
}

function expSuffix(exp: number, upper: boolean): string {
  const abs = Math.abs(exp);
  return `${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
}

function fmtE(digits: string, exp: number, prec: number, upper: boolean): string {
  const frac = digits.slice(1).padEnd(prec, '0').slice(0, prec);
  return `${digits[0]}${prec > 0 ? `.${frac}` : ''}${expSuffix(exp, upper)}`;
}

function fmtF(digits: string, exp: number, prec: number): string {
  // digits d0 d1 ... with the decimal point after position exp + 1
  const point = exp + 1;
  let int: string;
  let frac: string;
  if (point <= 0) {
    int = '0';
    frac = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    int = digits + '0'.repeat(point - digits.length);
    frac = '';
  } else {
    int = digits.slice(0, point);
    frac = digits.slice(point);
  }
  frac = frac.padEnd(prec, '0').slice(0, prec);
  return prec > 0 ? `${int}.${frac}` : int;
}

/**
 * Go's `strconv.FormatFloat(n, verb, prec, 64)` for the verbs e, E, f, F, g, G (prec -1: the
 * shortest representation that reads back as the same number).
 */
export function formatFloat(n: number, verb: string, prec = -1): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const neg = n < 0 || Object.is(n, -0);
  const abs = Math.abs(n);
  const sign = neg ? '-' : '';
  const upper = verb === 'E' || verb === 'G';
  const shortest = prec < 0;
  switch (verb) {
    case 'e':
    case 'E': {
      const { digits, exp } = shortest ? decimalDigits(abs) : decimalDigits(abs, prec + 1);
      return sign + fmtE(digits, exp, shortest ? digits.length - 1 : prec, upper);
    }
    case 'f':
    case 'F': {
      if (shortest) {
        const { digits, exp } = decimalDigits(abs);
        return sign + fmtF(digits, exp, Math.max(digits.length - exp - 1, 0));
      }
      const { digits, exp } = fixedDigits(abs, prec);
      return sign + fmtF(digits, exp, prec);
    }
    default: {
      // g, G
      let p = prec;
      if (p === 0) p = 1;
      let { digits, exp } = shortest ? decimalDigits(abs) : decimalDigits(abs, p);
      digits = digits.replace(/0+$/, '') || '0';
      if (abs === 0) exp = 0;
      let eprec = p;
      if (eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
      if (shortest) eprec = 6;
      if (exp < -4 || exp >= eprec) {
        const ep = shortest || p > digits.length ? digits.length : p;
        return sign + fmtE(digits, exp, ep - 1, upper);
      }
      const fp = shortest || p > exp + 1 ? Math.max(digits.length - exp - 1, 0) : 0;
      return sign + fmtF(digits, exp, fp);
    }
  }
}

/** `%v` of a number: an `int` in decimal, a `float64` as `%g` with the shortest digits. */
export function formatNumber(n: number): string {
  if (Object.is(n, -0)) return '-0';
  return isInt(n) ? String(n) : formatFloat(n, 'g');
}

// ---------------------------------------------------------------------------------------------
// Strings (strconv.Quote)

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function isPrint(ch: string): boolean {
  return PRINTABLE.test(ch);
}

/** Go's `strconv.Quote` (or `QuoteToASCII`): a double-quoted Go string literal. */
export function goQuote(s: string, asciiOnly = false, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') {
      out += `\\${ch}`;
      continue;
    }
    if (cp < 0x80 ? cp >= 0x20 && cp !== 0x7f : !asciiOnly && isPrint(ch)) {
      out += ch;
      continue;
    }
    switch (ch) {
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\v':
        out += '\\v';
        break;
      default:
        if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
        else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
        else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
        else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return out + quote;
}

/** Whether Go's `strconv.CanBackquote` holds: the string fits in a raw `...` literal. */
function canBackquote(s: string): boolean {
  for (const ch of s) {
    if (ch === '`' || ch === '\ufeff') return false;
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 ? ch !== '\t' : cp === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Values

/** The `%v` text of a value inside a list or map: nil is `<nil>`. */
function plainValue(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatNumber(v);
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      if (Array.isArray(v)) return `[${v.map(plainValue).join(' ')}]`;
      if (v instanceof GoTime) return timeString(v);
      if (v instanceof GoDuration) return durationString(v);
      if (isMap(v)) {
        return `map[${Object.keys(v)
          .sort()
          .map((k) => `${k}:${plainValue(v[k])}`)
          .join(' ')}]`;
      }
      return String(v);
  }
}

/** Go's `fmt.Sprint` of one value (`%v`): maps with sorted keys, lists, nil as `<nil>`. */
export function sprintValue(v: unknown): string {
  return plainValue(v);
}

/** Go's `fmt.Sprint`: operands printed with `%v`, a space between two that are not strings. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += plainValue(arg);
    prevString = isString;
  });
  return out;
}

/** Go's `fmt.Sprintln`: operands printed with `%v`, spaces between all, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map(plainValue).join(' ')}\n`;
}

function pad(s: string, f: Flags, zeroOk = false): string {
  if (f.width === undefined) return s;
  const len = [...s].length;
  if (len >= f.width) return s;
  const fill = f.width - len;
  if (f.minus) return s + ' '.repeat(fill);
  if (f.zero && zeroOk) return '0'.repeat(fill) + s;
  return ' '.repeat(fill) + s;
}

/** Pads a signed number, putting zero padding after the sign. */
function padNumber(s: string, f: Flags): string {
  if (f.zero && !f.minus && f.width !== undefined && /^[-+ ]/.test(s) && s.length < f.width) {
    return s[0] + '0'.repeat(f.width - s.length) + s.slice(1);
  }
  return pad(s, f, true);
}

function badVerb(verb: string, v: unknown): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${plainValue(v)})`;
}

function fmtInteger(n: number | bigint, base: number, verb: string, f: Flags): string {
  const big = BigInt(n);
  const negative = big < 0n;
  let digits = (negative ? -big : big).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  if (f.prec !== undefined) {
    if (f.prec === 0 && big === 0n) return pad('', { ...f, zero: false });
    digits = digits.padStart(f.prec, '0');
  } else if (f.zero && !f.minus && f.width !== undefined) {
    const room =
      f.width - (negative || f.plus || f.space ? 1 : 0) - (f.sharp && base !== 10 ? (base === 8 ? 1 : 2) : 0);
    digits = digits.padStart(room, '0');
  }
  if (f.sharp) {
    if (base === 2) digits = `0b${digits}`;
    else if (base === 8 && !digits.startsWith('0')) digits = `0${digits}`;
    else if (base === 16) digits = `${verb === 'X' ? '0X' : '0x'}${digits}`;
  }
  if (verb === 'O') digits = `0o${digits}`;
  const sign = negative ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  return pad(sign + digits, { ...f, zero: false });
}

function quoteRune(cp: number, f: Flags): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  const ch = String.fromCodePoint(cp);
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  const q = goQuote(ch, f.plus, "'");
  return q;
}

function fmtIntVerb(n: number | bigint, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
    case 'd':
      return fmtInteger(n, 10, verb, f);
    case 'b':
      return fmtInteger(n, 2, verb, f);
    case 'o':
    case 'O':
      return fmtInteger(n, 8, verb, f);
    case 'x':
    case 'X':
      return fmtInteger(n, 16, verb, f);
    case 'c':
      return pad(String.fromCodePoint(Number(n) >= 0 && Number(n) <= 0x10ffff ? Number(n) : 0xfffd), f);
    case 'q':
      return pad(quoteRune(Number(n), f), f);
    case 'U': {
      const hex = Number(n)
        .toString(16)
        .toUpperCase()
        .padStart(f.prec ?? 4, '0');
      let s = `U+${hex}`;
      if (f.sharp && Number(n) >= 0 && Number(n) <= 0x10ffff) s += ` '${String.fromCodePoint(Number(n))}'`;
      return pad(s, f);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      // a whole float64 (`2.0`, `divf 4 2`) is a JS integer: format it as the float it was
      return fmtFloatVerb(Number(n), verb, f);
    default:
      return badVerb(verb, n);
  }
}

function fmtFloatVerb(n: number, verb: string, f: Flags): string {
  let v = verb;
  let prec = f.prec ?? -1;
  switch (verb) {
    case 'v':
      v = 'g';
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
      if (f.prec === undefined) prec = 6;
      break;
    case 'g':
    case 'G':
      break;
    default:
      return badVerb(verb, n);
  }
  let s = formatFloat(n, v, prec);
  if (!s.startsWith('-') && !s.startsWith('+')) s = (f.plus ? '+' : f.space ? ' ' : '') + s;
  else if (s === '+Inf' && !f.plus) s = f.space ? ' Inf' : '+Inf';
  if (/Inf|NaN/.test(s)) return pad(s, { ...f, zero: false });
  return padNumber(s, f);
}

function fmtString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
    case 's': {
      const t = f.prec !== undefined ? [...s].slice(0, f.prec).join('') : s;
      return pad(t, f);
    }
    case 'q':
      if (f.sharp && canBackquote(s)) return pad(`\`${s}\``, f);
      return pad(goQuote(f.prec !== undefined ? [...s].slice(0, f.prec).join('') : s, f.plus), f);
    case 'x':
    case 'X': {
      let bytes = Buffer.from(s, 'utf8');
      if (f.prec !== undefined) bytes = bytes.subarray(0, f.prec);
      const parts = [...bytes].map((b) => {
        const h = b.toString(16).padStart(2, '0');
        return verb === 'X' ? h.toUpperCase() : h;
      });
      const prefix = f.sharp ? (verb === 'X' ? '0X' : '0x') : '';
      const out = f.space ? parts.map((p) => prefix + p).join(' ') : prefix + parts.join('');
      return pad(out, f);
    }
    default:
      return badVerb(verb, s);
  }
}

/** Formats one operand with one verb, as Go's `printArg` does. */
function formatArg(v: unknown, verb: string, f: Flags, depth = 0): string {
  if (verb === 'T') return pad(goTypeName(v), f);
  if (v === undefined || v === null) {
    if (verb === 'v') return pad('<nil>', f);
    return badVerb(verb, v);
  }
  switch (typeof v) {
    case 'boolean':
      return verb === 'v' || verb === 't' ? pad(String(v), f) : badVerb(verb, v);
    case 'number':
      return isInt(v) ? fmtIntVerb(v, verb, f) : fmtFloatVerb(v, verb, f);
    case 'bigint':
      return fmtIntVerb(v, verb, f);
    case 'string':
      return fmtString(v, verb, f);
    default:
      break;
  }
  if (v instanceof GoTime)
    return verb === 'v' || verb === 's' ? fmtString(timeString(v), 's', f) : badVerb(verb, v);
  if (v instanceof GoDuration) {
    return verb === 'v' || verb === 's' ? fmtString(durationString(v), 's', f) : fmtIntVerb(v.ns, verb, f);
  }
  if (Array.isArray(v)) {
    if (f.sharp && verb === 'v') return `[]interface {}{${v.map((e) => goSyntax(e)).join(', ')}}`;
    return `[${v.map((e) => formatArg(e, verb, f, depth + 1)).join(' ')}]`;
  }
  if (isMap(v)) {
    if (f.sharp && verb === 'v') return goSyntax(v);
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${formatArg(k, verb, f, depth + 1)}:${formatArg(v[k], verb, f, depth + 1)}`).join(' ')}]`;
  }
  return badVerb(verb, v);
}

/** `%#v`: a Go-syntax representation. */
function goSyntax(v: unknown): string {
  if (v === undefined || v === null) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return isInt(v) ? String(v) : formatFloat(v, 'g');
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${goSyntax(v[k])}`).join(', ')}}`;
  }
  return plainValue(v);
}

/** Go's `fmt.Sprintf`. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const end = format.length;
  const intArg = (): number | undefined => {
    const a = args[argNum];
    if (argNum < args.length && typeof a === 'number' && isInt(a)) {
      argNum++;
      return a;
    }
    argNum++;
    return undefined;
  };
  // Parses an explicit argument index `[n]` at i.
  const argIndex = (): boolean => {
    if (format[i] !== '[') return false;
    reordered = true;
    const close = format.indexOf(']', i);
    const n = close === -1 ? Number.NaN : Number(format.slice(i + 1, close));
    if (close === -1 || !Number.isInteger(n) || n < 1 || format.slice(i + 1, close).trim() === '') {
      i = close === -1 ? end : close + 1;
      argNum = -1;
      return true;
    }
    argNum = n - 1;
    i = close + 1;
    return true;
  };
  while (i < end) {
    const pct = format.indexOf('%', i);
    if (pct === -1) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Flags = { ...NO_FLAGS };
    for (; i < end; i++) {
      const c = format[i];
      if (c === '#') f.sharp = true;
      else if (c === '0') f.zero = !f.minus;
      else if (c === '+') f.plus = true;
      else if (c === '-') {
        f.minus = true;
        f.zero = false;
      } else if (c === ' ') f.space = true;
      else break;
    }
    let afterIndex = argIndex();
    if (format[i] === '*') {
      i++;
      const w = intArg();
      if (w === undefined) out += '%!(BADWIDTH)';
      else if (w < 0) {
        f.minus = true;
        f.zero = false;
        f.width = -w;
      } else f.width = w;
      afterIndex = false;
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        if (afterIndex) out += '%!(BADWIDTH)';
        f.width = Number(m[0]);
        i += m[0].length;
      }
    }
    if (format[i] === '.') {
      i++;
      if (afterIndex) out += '%!(BADPREC)';
      afterIndex = argIndex();
      if (format[i] === '*') {
        i++;
        const p = intArg();
        if (p === undefined || p < 0) {
          if (p === undefined) out += '%!(BADPREC)';
        } else f.prec = p;
        afterIndex = false;
      } else {
        const m = /^\d+/.exec(format.slice(i));
        f.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (!afterIndex) afterIndex = argIndex();
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argNum < 0) {
      out += `%!${verb}(BADINDEX)`;
      argNum = 0;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++];
    if (verb === 'v' && (f.sharp || f.plus)) {
      out += f.sharp ? goSyntax(arg) : formatArg(arg, 'v', { ...f, plus: false });
      continue;
    }
    out += formatArg(arg, verb, f);
  }
  if (!reordered && argNum < args.length) {
    const extra = args
      .slice(argNum)
      .map((a) => (a === undefined || a === null ? '<nil>' : `${goTypeName(a)}=${plainValue(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}
