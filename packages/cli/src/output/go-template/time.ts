/**
 * Go's `time` formatting for the sprig date functions: layouts written with the reference time
 * `Mon Jan 2 15:04:05 MST 2006`, `Time.String()`, `Duration.String()` and `time.ParseDuration`.
 * Zones come from the runtime's time zone data (`Local` is the process's `TZ`).
 */
import { GoDuration, GoTime } from './values.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Fields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1-366
  offset: number; // seconds east of UTC
  abbr: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone === 'Local' ? undefined : zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether the runtime knows a zone name (Go's `time.LoadLocation` succeeding). */
export function knownZone(zone: string): boolean {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return true;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Go's abbreviation for a zone Intl names `GMT+1` (Go prints `+01`). */
function goAbbr(name: string, offset: number): string {
  if (name === 'GMT' && offset === 0) return 'UTC';
  if (!/^GMT[+-]/.test(name) && !/^UTC[+-]/.test(name)) return name;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = String(Math.floor(abs / 3600)).padStart(2, '0');
  const m = Math.floor((abs % 3600) / 60);
  return `${sign}${h}${m ? String(m).padStart(2, '0') : ''}`;
}

function fieldsOf(t: GoTime): Fields {
  let offset = 0;
  let abbr = 'UTC';
  if (t.zone !== 'UTC' && t.zone !== '') {
    const parts = formatter(t.zone).formatToParts(new Date(t.ms));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const wall = utc(get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second'));
    offset = Math.round((wall - Math.floor(t.ms / 1000) * 1000) / 1000);
    abbr = goAbbr(parts.find((p) => p.type === 'timeZoneName')?.value ?? 'UTC', offset);
  }
  const d = new Date(t.ms + offset * 1000);
  const start = utc(d.getUTCFullYear(), 1, 1, 0, 0, 0);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
    yday:
      Math.floor((utc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, 0) - start) / 86400000) +
      1,
    offset,
    abbr,
  };
}

const TOKENS = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '-07:00:00',
  '-070000',
  '-07:00',
  '-0700',
  '-07',
  'Z07:00:00',
  'Z070000',
  'Z07:00',
  'Z0700',
  'Z07',
  '__2',
  '002',
  '_2',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];

/** Splits a layout into literal text and the tokens of Go's reference time. */
function tokenize(
  layout: string,
): { token?: string; text?: string; frac?: { digits: number; trim: boolean } }[] {
  const out: { token?: string; text?: string; frac?: { digits: number; trim: boolean } }[] = [];
  let i = 0;
  let text = '';
  const flush = () => {
    if (text) out.push({ text });
    text = '';
  };
  while (i < layout.length) {
    const rest = layout.slice(i);
    const frac = /^[.,](0+|9+)(?!\d)/.exec(rest);
    if (frac && /5$/.test(layout.slice(0, i))) {
      flush();
      const digits = (frac[1] as string).length;
      out.push({ frac: { digits, trim: (frac[1] as string)[0] === '9' } });
      i += frac[0].length;
      continue;
    }
    const tok = TOKENS.find((t) => rest.startsWith(t));
    if (tok) {
      // "Jan" must not be the start of "January" handled above; "Mon" not "Monday"; and
      // Go requires that "Jan"/"Mon" not be followed by a lower-case letter.
      if ((tok === 'Jan' || tok === 'Mon') && /^[a-z]/.test(rest.slice(3))) {
        text += rest[0];
        i++;
        continue;
      }
      flush();
      out.push({ token: tok });
      i += tok.length;
      continue;
    }
    text += rest[0];
    i++;
  }
  flush();
  return out;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function zoneText(offset: number, sep: boolean, secs: boolean, short: boolean, z: boolean): string {
  if (z && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = two(Math.floor(abs / 3600));
  const m = two(Math.floor((abs % 3600) / 60));
  const s = two(abs % 60);
  if (short) return `${sign}${h}`;
  return secs ? `${sign}${h}${sep ? ':' : ''}${m}${sep ? ':' : ''}${s}` : `${sign}${h}${sep ? ':' : ''}${m}`;
}

/** Go's `Time.Format(layout)`. */
export function formatTime(t: GoTime, layout: string): string {
  const f = fieldsOf(t);
  const nanos = (((t.ms % 1000) + 1000) % 1000) * 1_000_000 + t.nanos;
  let out = '';
  for (const part of tokenize(layout)) {
    if (part.text !== undefined) {
      out += part.text;
      continue;
    }
    if (part.frac) {
      let digits = String(nanos).padStart(9, '0').slice(0, part.frac.digits);
      if (part.frac.trim) {
        digits = digits.replace(/0+$/, '');
        if (digits) out += `.${digits}`;
      } else out += `.${digits}`;
      continue;
    }
    const h12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
    switch (part.token) {
      case 'January':
        out += MONTHS[f.month - 1];
        break;
      case 'Jan':
        out += (MONTHS[f.month - 1] as string).slice(0, 3);
        break;
      case 'Monday':
        out += DAYS[f.weekday];
        break;
      case 'Mon':
        out += (DAYS[f.weekday] as string).slice(0, 3);
        break;
      case 'MST':
        out += f.abbr;
        break;
      case '2006':
        out += String(f.year).padStart(4, '0');
        break;
      case '06':
        out += two(f.year % 100);
        break;
      case '01':
        out += two(f.month);
        break;
      case '1':
        out += String(f.month);
        break;
      case '02':
        out += two(f.day);
        break;
      case '_2':
        out += String(f.day).padStart(2, ' ');
        break;
      case '2':
        out += String(f.day);
        break;
      case '__2':
        out += String(f.yday).padStart(3, ' ');
        break;
      case '002':
        out += String(f.yday).padStart(3, '0');
        break;
      case '15':
        out += two(f.hour);
        break;
      case '03':
        out += two(h12);
        break;
      case '3':
        out += String(h12);
        break;
      case '04':
        out += two(f.minute);
        break;
      case '4':
        out += String(f.minute);
        break;
      case '05':
        out += two(f.second);
        break;
      case '5':
        out += String(f.second);
        break;
      case 'PM':
        out += f.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += f.hour >= 12 ? 'pm' : 'am';
        break;
      default: {
        const tok = part.token as string;
        const z = tok.startsWith('Z');
        const body = z ? tok.slice(1) : tok.slice(0);
        out += zoneText(
          f.offset,
          body.includes(':'),
          body.replace(/:/g, '').length === 7,
          body.replace(/:/g, '').length === 3,
          z,
        );
      }
    }
  }
  return out;
}

/** Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`. */
export function timeString(t: GoTime): string {
  return formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST');
}

/** The current time in the local zone. */
export function now(): GoTime {
  const ms = Date.now();
  return new GoTime(ms, 0, 'Local');
}

/** Go's `time.Unix(sec, 0)` in the local zone. */
export function fromUnix(sec: number): GoTime {
  return new GoTime(sec * 1000, 0, 'Local');
}

/** Go's `Time.Add(d)`. */
export function addDuration(t: GoTime, d: GoDuration): GoTime {
  const total = BigInt(t.ms) * 1_000_000n + BigInt(t.nanos) + d.ns;
  const ms = total / 1_000_000n - (total % 1_000_000n < 0n ? 1n : 0n);
  const nanos = Number(total - ms * 1_000_000n);
  return new GoTime(Number(ms), nanos, t.zone);
}

function fmtFrac(v: bigint, prec: number): { text: string; rest: bigint } {
  let text = '';
  let print = false;
  let rest = v;
  for (let i = 0; i < prec; i++) {
    const digit = rest % 10n;
    print = print || digit !== 0n;
    if (print) text = `${digit}${text}`;
    rest /= 10n;
  }
  return { text: print ? `.${text}` : '', rest };
}

/** Go's `Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`. */
export function durationString(d: GoDuration): string {
  let u = d.ns < 0n ? -d.ns : d.ns;
  const sign = d.ns < 0n ? '-' : '';
  if (u === 0n) return '0s';
  if (u < 1_000_000_000n) {
    if (u < 1000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) {
      const { text, rest } = fmtFrac(u, 3);
      return `${sign}${rest}${text}µs`;
    }
    const { text, rest } = fmtFrac(u, 6);
    return `${sign}${rest}${text}ms`;
  }
  const { text, rest } = fmtFrac(u, 9);
  u = rest;
  let out = `${u % 60n}${text}s`;
  u /= 60n;
  if (u > 0n) {
    out = `${u % 60n}m${out}`;
    u /= 60n;
    if (u > 0n) out = `${u}h${out}`;
  }
  return sign + out;
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's `time.ParseDuration`; throws on bad input with Go's message. */
export function parseDuration(s: string): GoDuration {
  const orig = s;
  const bad = () => new Error(`time: invalid duration ${JSON.stringify(orig)}`);
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return new GoDuration(0n);
  if (s === '') throw bad();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(s);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) throw bad();
    const unit = UNITS[m[3] as string];
    if (unit === undefined)
      throw new Error(`time: unknown unit ${JSON.stringify(m[3])} in duration ${JSON.stringify(orig)}`);
    const whole = BigInt(m[1] || '0') * unit;
    let frac = 0n;
    if (m[2]) {
      const scale = 10n ** BigInt(m[2].length);
      frac = (BigInt(m[2]) * unit) / scale;
    }
    total += whole + frac;
    s = s.slice(m[0].length);
  }
  return new GoDuration(neg ? -total : total);
}

/**
 * Go's `time.ParseInLocation(layout, value, Local)` for the numeric and named fields of a
 * layout; throws with Go's message when the value does not match.
 */
export function parseTime(layout: string, value: string): GoTime {
  let rest = value;
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  const fail = (): never => {
    throw new Error(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(layout)}`,
    );
  };
  const num = (min: number, max: number): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(rest);
    if (!m) return fail();
    rest = rest.slice(m[0].length);
    return Number(m[0]);
  };
  for (const part of tokenize(layout)) {
    if (part.text !== undefined) {
      if (!rest.startsWith(part.text)) fail();
      rest = rest.slice(part.text.length);
      continue;
    }
    if (part.frac) {
      const m = /^[.,](\d+)/.exec(rest);
      if (m) {
        nanos = Number((m[1] as string).slice(0, 9).padEnd(9, '0'));
        rest = rest.slice(m[0].length);
      } else if (!part.frac.trim) fail();
      continue;
    }
    switch (part.token) {
      case 'January':
      case 'Jan': {
        const names = part.token === 'Jan' ? MONTHS.map((n) => n.slice(0, 3)) : MONTHS;
        const idx = names.findIndex((n) => rest.toLowerCase().startsWith(n.toLowerCase()));
        if (idx === -1) fail();
        month = idx + 1;
        rest = rest.slice((names[idx] as string).length);
        break;
      }
      case 'Monday':
      case 'Mon': {
        const names = part.token === 'Mon' ? DAYS.map((n) => n.slice(0, 3)) : DAYS;
        const idx = names.findIndex((n) => rest.toLowerCase().startsWith(n.toLowerCase()));
        if (idx === -1) fail();
        rest = rest.slice((names[idx] as string).length);
        break;
      }
      case 'MST': {
        const m = /^[A-Z]{3,5}|^[+-]\d{2,4}/.exec(rest);
        if (!m) fail();
        if (m?.[0] === 'UTC' || m?.[0] === 'GMT') offset = 0;
        rest = rest.slice((m as RegExpExecArray)[0].length);
        break;
      }
      case '2006':
        year = num(4, 4);
        break;
      case '06':
        year = num(2, 2);
        year += year >= 69 ? 1900 : 2000;
        break;
      case '01':
        month = num(2, 2);
        break;
      case '1':
        month = num(1, 2);
        break;
      case '02':
        day = num(2, 2);
        break;
      case '_2':
        if (rest.startsWith(' ')) rest = rest.slice(1);
        day = num(1, 2);
        break;
      case '2':
        day = num(1, 2);
        break;
      case '__2':
      case '002':
        rest = rest.replace(/^ {1,2}/, '');
        num(1, 3);
        break;
      case '15':
        hour = num(2, 2);
        break;
      case '03':
        hour = num(2, 2);
        break;
      case '3':
        hour = num(1, 2);
        break;
      case '04':
        minute = num(2, 2);
        break;
      case '4':
        minute = num(1, 2);
        break;
      case '05':
        second = num(2, 2);
        break;
      case '5':
        second = num(1, 2);
        break;
      case 'PM':
      case 'pm': {
        const m = /^(AM|PM|am|pm)/.exec(rest);
        if (!m) fail();
        pm = (m as RegExpExecArray)[0].toLowerCase() === 'pm';
        rest = rest.slice(2);
        break;
      }
      default: {
        const tok = part.token as string;
        if (tok.startsWith('Z') && rest.startsWith('Z')) {
          offset = 0;
          rest = rest.slice(1);
          break;
        }
        const m = /^([+-])(\d{2}):?(\d{2})?:?(\d{2})?/.exec(rest);
        if (!m) fail();
        const [all, sign, h, mi, se] = m as RegExpExecArray;
        offset = (Number(h) * 3600 + Number(mi ?? 0) * 60 + Number(se ?? 0)) * (sign === '-' ? -1 : 1);
        rest = rest.slice(all.length);
      }
    }
  }
  if (rest !== '')
    throw new Error(`parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(rest)}`);
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (month < 1 || month > 12) throw new Error(`parsing time ${JSON.stringify(value)}: month out of range`);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    throw new Error(`parsing time ${JSON.stringify(value)}: day out of range`);
  const wall = utc(year, month, day, hour, minute, second);
  if (offset !== undefined)
    return new GoTime(wall - offset * 1000, nanos % 1_000_000, offset === 0 ? 'UTC' : 'Local');
  // a wall time in the local zone: correct by the zone's offset at that instant
  let ms = wall;
  for (let k = 0; k < 2; k++) ms = wall - fieldsOf(new GoTime(ms, 0, 'Local')).offset * 1000;
  return new GoTime(ms + Math.floor(nanos / 1_000_000), nanos % 1_000_000, 'Local');
}

/** Go's zero `time.Time` (January 1, year 1, UTC). */
export function zeroTime(): GoTime {
  return new GoTime(utc(1, 1, 1, 0, 0, 0), 0, 'UTC');
}

/** `Date.UTC` without its mapping of the years 0 to 99 onto 1900 to 1999. */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year);
  return d.getTime();
}
