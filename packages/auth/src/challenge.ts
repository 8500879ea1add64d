/**
 * `WWW-Authenticate` parsing per RFC 7235 section 4.1: one header may carry several challenges,
 * each a scheme followed by `name=value` parameters, where a value is a token or a quoted string
 * with backslash escapes (so a `scope` may hold commas and spaces).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7235#section-4.1
 */

/** One challenge: the scheme in lower case (`basic`, `bearer`) and its parameters. */
export interface Challenge {
  /** The auth scheme, lower-cased. */
  readonly scheme: string;
  /** Parameters by lower-cased name (`realm`, `service`, `scope`, `error`). */
  readonly params: Readonly<Record<string, string>>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /[A-Za-z0-9\-._~+/]/;

/**
 * Parses a `WWW-Authenticate` value (or several header lines) into challenges. Malformed parts are
 * skipped rather than failing the whole header, because registries in the wild send sloppy ones
 * (unquoted realms with `:` and `/`, spaces around `=`).
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (typeof header !== 'string') return header.flatMap((h) => parseChallenges(h));
  const p = new Parser(header);
  const out: Challenge[] = [];
  let current: { scheme: string; params: Record<string, string> } | undefined;
  while (!p.done()) {
    p.skipSpaceAndCommas();
    if (p.done()) break;
    const start = p.pos;
    const name = p.token();
    if (name === '') {
      p.skipTo(',');
      continue;
    }
    p.skipSpace();
    if (p.peek() === '=' && current) {
      // A parameter of the current challenge ... unless it is a token68 ending in '='.
      p.pos++;
      p.skipSpace();
      const value = p.peek() === '"' ? p.quoted() : p.value();
      if (!(name.toLowerCase() in current.params)) current.params[name.toLowerCase()] = value;
      continue;
    }
    if (p.peek() === '=' && !current) {
      // A parameter with no scheme before it: ignore it.
      p.pos = start;
      p.skipTo(',');
      continue;
    }
    // A new scheme.
    current = { scheme: name.toLowerCase(), params: Object.create(null) as Record<string, string> };
    out.push(current);
    // A token68 form (`Negotiate abc==`) carries no parameters we use: skip it.
    const save = p.pos;
    const t68 = p.token68();
    if (t68 !== '') {
      p.skipSpace();
      if (p.done() || p.peek() === ',') continue;
    }
    p.pos = save;
  }
  return out.map((c) => ({ scheme: c.scheme, params: { ...c.params } }));
}

class Parser {
  pos = 0;
  constructor(readonly s: string) {}
  done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  skipSpaceAndCommas(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }
  skipTo(c: string): void {
    while (!this.done() && this.peek() !== c) this.pos++;
  }
  token(): string {
    const start = this.pos;
    while (!this.done() && TCHAR.test(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }
  token68(): string {
    const start = this.pos;
    while (!this.done() && TOKEN68.test(this.peek())) this.pos++;
    if (this.pos === start) return '';
    while (this.peek() === '=') this.pos++;
    return this.s.slice(start, this.pos);
  }
  /** An unquoted value: up to the next comma or space (lenient: allows `:` and `/` for realms). */
  value(): string {
    const start = this.pos;
    while (!this.done() && this.peek() !== ',' && this.peek() !== ' ' && this.peek() !== '\t') this.pos++;
    return this.s.slice(start, this.pos);
  }
  quoted(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done()) {
      const c = this.peek();
      this.pos++;
      if (c === '"') return out;
      if (c === '\\' && !this.done()) {
        out += this.peek();
        this.pos++;
        continue;
      }
      out += c;
    }
    return out;
  }
}
