/**
 * The lexer and parser of Go's text/template: actions between `{{` and `}}`, trim markers
 * (`{{- ` and ` -}}`), comments, pipelines, variables, `if`/`else if`/`with`/`else with`/`range`/
 * `break`/`continue`, `define`/`template`/`block`, and literals with Go's syntax (strings with Go
 * escapes, raw strings, character constants, numbers in every base). Errors carry Go's text.
 */

/** A parse error; its message is Go's (`NAME:LINE: unexpected EOF`), without `template: `. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
}

// ---------------------------------------------------------------------------------------------
// Nodes

/** An operand of a command. */
export type Arg =
  | { readonly type: 'field'; readonly pos: number; readonly ident: readonly string[] }
  | { readonly type: 'variable'; readonly pos: number; readonly ident: readonly string[] }
  | { readonly type: 'chain'; readonly pos: number; readonly node: Arg; readonly field: readonly string[] }
  | { readonly type: 'identifier'; readonly pos: number; readonly name: string }
  | { readonly type: 'dot'; readonly pos: number }
  | { readonly type: 'nil'; readonly pos: number }
  | { readonly type: 'bool'; readonly pos: number; readonly value: boolean }
  | {
      readonly type: 'number';
      readonly pos: number;
      readonly text: string;
      readonly isInt: boolean;
      readonly isFloat: boolean;
      readonly value: number;
      readonly isRune: boolean;
    }
  | { readonly type: 'string'; readonly pos: number; readonly quoted: string; readonly text: string }
  | { readonly type: 'pipe'; readonly pos: number; readonly pipe: Pipe };

/** A command: a function or value and its arguments. */
export interface Command {
  readonly pos: number;
  readonly args: Arg[];
}

/** A pipeline, with the variables it declares or assigns. */
export interface Pipe {
  readonly pos: number;
  readonly line: number;
  isAssign: boolean;
  readonly decl: { readonly pos: number; readonly name: string }[];
  readonly cmds: Command[];
}

/** A node of a template's tree. */
export type Node =
  | { readonly type: 'text'; readonly pos: number; readonly text: string }
  | { readonly type: 'action'; readonly pos: number; readonly line: number; readonly pipe: Pipe }
  | {
      readonly type: 'if' | 'with' | 'range';
      readonly pos: number;
      readonly line: number;
      readonly pipe: Pipe;
      readonly list: Node[];
      readonly elseList?: Node[];
    }
  | {
      readonly type: 'template';
      readonly pos: number;
      readonly line: number;
      readonly name: string;
      readonly pipe?: Pipe;
    }
  | { readonly type: 'break' | 'continue'; readonly pos: number; readonly line: number };

/** A parsed set of templates: the main one and those that `define` and `block` name. */
export interface TemplateSet {
  readonly main: Node[];
  readonly defined: Map<string, Node[]>;
}

// ---------------------------------------------------------------------------------------------
// Node text (Go's Node.String(), used in error messages)

/** Go's text of an operand. */
export function argString(a: Arg): string {
  switch (a.type) {
    case 'field':
      return a.ident.map((i) => `.${i}`).join('');
    case 'variable':
      return a.ident.join('.');
    case 'chain': {
      const base = a.node.type === 'pipe' ? `(${pipeString(a.node.pipe)})` : argString(a.node);
      return base + a.field.map((f) => `.${f}`).join('');
    }
    case 'identifier':
      return a.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(a.value);
    case 'number':
      return a.text;
    case 'string':
      return a.quoted;
    case 'pipe':
      return `(${pipeString(a.pipe)})`;
  }
}

/** Go's text of a command. */
export function commandString(c: Command): string {
  return c.args.map(argString).join(' ');
}

/** Go's text of a pipeline. */
export function pipeString(p: Pipe): string {
  let s = '';
  if (p.decl.length > 0) s = `${p.decl.map((d) => d.name).join(', ')} ${p.isAssign ? '=' : ':='} `;
  return s + p.cmds.map(commandString).join(' | ');
}

// ---------------------------------------------------------------------------------------------
// Lexer

type ItemType =
  | 'error'
  | 'eof'
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'char'
  | 'declare'
  | 'assign'
  | 'bool'
  | 'number'
  | 'charConstant'
  | 'string'
  | 'rawString'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'dot'
  | 'nil'
  | 'block'
  | 'break'
  | 'continue'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'range'
  | 'template'
  | 'with';

interface Item {
  readonly typ: ItemType;
  readonly pos: number;
  readonly val: string;
  readonly line: number;
}

const KEYWORDS = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'template',
  'with',
]);

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string | undefined) => c !== undefined && (c === '_' || /[\p{L}\p{Nd}]/u.test(c));

/** Splits template source into Go's lexical items; the last is `eof` or `error`. */
function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let start = 0;
  let parenDepth = 0;
  let counted = 0;
  let line = 1;
  const lineAt = (p: number) => {
    if (p < counted) {
      counted = 0;
      line = 1;
    }
    for (let k = input.indexOf('\n', counted); k !== -1 && k < p; k = input.indexOf('\n', k + 1)) line++;
    counted = p;
    return line;
  };
  const emit = (typ: ItemType, val = input.slice(start, pos)) => {
    items.push({ typ, pos: start, val, line: lineAt(start) });
    start = pos;
  };
  const fail = (message: string): false => {
    items.push({ typ: 'error', pos: start, val: message, line: lineAt(start) });
    return false;
  };
  const hasLeftTrim = (p: number) => input[p] === '-' && isSpace(input[p + 1]);
  const atRightDelim = (p: number): { delim: boolean; trim: boolean } => {
    if (isSpace(input[p]) && input[p + 1] === '-' && input.startsWith('}}', p + 2))
      return { delim: true, trim: true };
    if (input.startsWith('}}', p)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const skipSpace = (p: number) => {
    let q = p;
    while (isSpace(input[q])) q++;
    return q;
  };
  const atTerminator = () => {
    const c = input[pos];
    if (c === undefined || isSpace(c)) return true;
    if ('.,|:()'.includes(c)) return true;
    return input.startsWith('}}', pos);
  };
  const codePointAt = (p: number) => String.fromCodePoint(input.codePointAt(p) ?? 0);
  const hex = (c: string) =>
    `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} '${c}'`;

  // returns false after an error
  const lexInsideAction = (): boolean => {
    for (;;) {
      const rd = atRightDelim(pos);
      if (rd.delim) {
        if (parenDepth !== 0) return fail('unclosed left paren');
        if (rd.trim) {
          pos += 2;
          start = pos;
        }
        pos += 2;
        emit('rightDelim');
        if (rd.trim) {
          pos = skipSpace(pos);
          start = pos;
        }
        return true;
      }
      const c = input[pos];
      if (c === undefined) return fail('unclosed action');
      if (isSpace(c)) {
        let n = 0;
        while (isSpace(input[pos])) {
          pos++;
          n++;
        }
        // a space that belongs to a ' -}}' trim marker
        if (input[pos] === '-' && input.startsWith('}}', pos + 1)) {
          pos--;
          if (n === 1) continue;
        }
        emit('space');
        continue;
      }
      pos++;
      switch (c) {
        case '=':
          emit('assign');
          continue;
        case ':':
          if (input[pos] !== '=') return fail('expected :=');
          pos++;
          emit('declare');
          continue;
        case '|':
          emit('pipe');
          continue;
        case '"': {
          for (;;) {
            const d = input[pos++];
            if (d === '\\') {
              const e = input[pos++];
              if (e !== undefined && e !== '\n') continue;
              return fail('unterminated quoted string');
            }
            if (d === undefined || d === '\n') return fail('unterminated quoted string');
            if (d === '"') break;
          }
          emit('string');
          continue;
        }
        case '`': {
          const close = input.indexOf('`', pos);
          if (close === -1) return fail('unterminated raw quoted string');
          pos = close + 1;
          emit('rawString');
          continue;
        }
        case '$':
        case '.': {
          if (c === '.' && /[0-9]/.test(input[pos] ?? '')) {
            pos--;
            if (!lexNumber()) return false;
            continue;
          }
          if (atTerminator()) {
            emit(c === '$' ? 'variable' : 'dot');
            continue;
          }
          while (isAlphaNumeric(codePointAt(pos)) && pos < input.length) pos += codePointAt(pos).length;
          if (!atTerminator()) return fail(`bad character ${hex(codePointAt(pos))}`);
          emit(c === '$' ? 'variable' : 'field');
          continue;
        }
        case "'": {
          for (;;) {
            const d = input[pos++];
            if (d === '\\') {
              const e = input[pos++];
              if (e !== undefined && e !== '\n') continue;
              return fail('unterminated character constant');
            }
            if (d === undefined || d === '\n') return fail('unterminated character constant');
            if (d === "'") break;
          }
          emit('charConstant');
          continue;
        }
        case '(':
          emit('leftParen');
          parenDepth++;
          continue;
        case ')':
          parenDepth--;
          if (parenDepth < 0) return fail('unexpected right paren');
          emit('rightParen');
          continue;
        default:
          break;
      }
      if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        pos--;
        if (!lexNumber()) return false;
        continue;
      }
      const ch = codePointAt(pos - 1);
      if (isAlphaNumeric(ch)) {
        pos += ch.length - 1;
        while (pos < input.length && isAlphaNumeric(codePointAt(pos))) pos += codePointAt(pos).length;
        const word = input.slice(start, pos);
        if (!atTerminator()) return fail(`bad character ${hex(codePointAt(pos))}`);
        if (KEYWORDS.has(word)) emit(word as ItemType);
        else if (word === 'true' || word === 'false') emit('bool');
        else if (word === 'nil') emit('nil');
        else emit('identifier');
        continue;
      }
      if ((c.codePointAt(0) ?? 0) < 0x80 && c >= ' ' && c !== '\x7f') {
        emit('char');
        continue;
      }
      return fail(`unrecognized character in action: ${hex(ch)}`);
    }
  };

  const lexNumber = (): boolean => {
    const accept = (set: string) => {
      if (input[pos] !== undefined && set.includes(input[pos] as string)) {
        pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (set: string) => {
      while (input[pos] !== undefined && set.includes(input[pos] as string)) pos++;
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(input[pos])) {
      pos++;
      return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
    }
    emit('number');
    return true;
  };

  while (pos <= input.length) {
    const open = input.indexOf('{{', pos);
    if (open === -1) {
      pos = input.length;
      if (pos > start) emit('text');
      break;
    }
    const trim = hasLeftTrim(open + 2);
    let textEnd = open;
    if (trim) while (textEnd > start && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > start) {
      pos = textEnd;
      emit('text');
    }
    pos = open;
    start = pos;
    const after = open + 2 + (trim ? 2 : 0);
    if (input.startsWith('/*', after)) {
      // a comment: {{/* ... */}} with optional trim markers
      const close = input.indexOf('*/', after + 2);
      if (close === -1) {
        fail('unclosed comment');
        return items;
      }
      pos = close + 2;
      const rd = atRightDelim(pos);
      if (!rd.delim) {
        fail('comment ends before closing delimiter');
        return items;
      }
      pos += rd.trim ? 4 : 2;
      if (rd.trim) pos = skipSpace(pos);
      start = pos;
      continue;
    }
    pos = open + 2;
    emit('leftDelim');
    pos = after;
    start = pos;
    parenDepth = 0;
    if (!lexInsideAction()) return items;
  }
  start = pos;
  emit('eof', '');
  return items;
}

// ---------------------------------------------------------------------------------------------
// Literals

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** Go's `strconv.Unquote` of a "..." or `...` literal, or `'c'` as a code point. */
function unquote(lit: string): string {
  if (lit.startsWith('`')) return lit.slice(1, -1).replace(/\r/g, '');
  const quote = lit[0] as string;
  const body = lit.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; ) {
    const c = body[i] as string;
    if (c === quote) throw new Error('invalid syntax');
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error('invalid syntax');
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === quote) {
      out += e;
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const digits = body.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) throw new Error('invalid syntax');
      const v = Number.parseInt(digits, 16);
      if (e === 'x')
        out +=
          Buffer.from([v]).toString('latin1') === String.fromCharCode(v) && v < 0x80
            ? String.fromCharCode(v)
            : '\ufffd';
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new Error('invalid syntax');
        out += String.fromCodePoint(v);
      }
      i += 2 + n;
    } else if (e >= '0' && e <= '7') {
      const digits = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(digits)) throw new Error('invalid syntax');
      const v = Number.parseInt(digits, 8);
      if (v > 255) throw new Error('invalid syntax');
      out += v < 0x80 ? String.fromCharCode(v) : '\ufffd';
      i += 4;
    } else throw new Error('invalid syntax');
  }
  return out;
}

/** Parses a Go integer literal (any base, underscores); undefined when it is not one, NaN when it overflows int64. */
export function parseGoInt(text: string): number | undefined {
  let t = text;
  let neg = false;
  if (t.startsWith('+') || t.startsWith('-')) {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  let base = 10;
  let digits = t;
  if (/^0[xX]/.test(t)) {
    base = 16;
    digits = t.slice(2);
  } else if (/^0[oO]/.test(t)) {
    base = 8;
    digits = t.slice(2);
  } else if (/^0[bB]/.test(t)) {
    base = 2;
    digits = t.slice(2);
  } else if (/^0\d/.test(t)) {
    base = 8;
    digits = t.slice(1);
  }
  if (digits.includes('_')) {
    // underscores only between digits, or after a base prefix
    const prefixed = t.length !== digits.length;
    if (!(prefixed ? /^_?[^_]+(_[^_]+)*$/ : /^[^_]+(_[^_]+)*$/).test(digits)) return undefined;
    digits = digits.replace(/_/g, '');
  }
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^\d+$/, 16: /^[0-9a-fA-F]+$/ }[base] as RegExp;
  if (!valid.test(digits)) return undefined;
  const big = BigInt(base === 10 ? digits : `0${'xob'[[16, 8, 2].indexOf(base)]}${digits}`);
  const value = neg ? -big : big;
  if (value > 9223372036854775807n || value < -9223372036854775808n) return Number.NaN;
  return Number(value);
}

function numberNode(item: Item): Arg {
  if (item.typ === 'charConstant') {
    let v: string;
    try {
      v = unquote(item.val);
    } catch {
      throw new Error(`malformed character constant: ${item.val}`);
    }
    if ([...v].length !== 1) throw new Error(`malformed character constant: ${item.val}`);
    const cp = v.codePointAt(0) as number;
    return {
      type: 'number',
      pos: item.pos,
      text: item.val,
      isInt: true,
      isFloat: true,
      value: cp,
      isRune: true,
    };
  }
  const text = item.val;
  if (text.endsWith('i')) throw new Error(`complex numbers are not supported: ${JSON.stringify(text)}`);
  const int = parseGoInt(text);
  if (int !== undefined && !Number.isNaN(int)) {
    return { type: 'number', pos: item.pos, text, isInt: true, isFloat: true, value: int, isRune: false };
  }
  const clean = text.replace(/_/g, '');
  const f = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(clean)
    ? Number(clean)
    : /^[+-]?0[xX]/.test(clean)
      ? hexFloat(clean)
      : Number.NaN;
  if (!Number.isNaN(f)) {
    if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${JSON.stringify(text)}`);
    const isInt = Number.isSafeInteger(f);
    return { type: 'number', pos: item.pos, text, isInt, isFloat: true, value: f, isRune: false };
  }
  throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
}

function hexFloat(text: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(text);
  if (!m) return Number.NaN;
  const [, sign, int = '', frac = '', exp] = m;
  const mant = Number.parseInt(int + frac || '0', 16) / 16 ** frac.length;
  return (sign === '-' ? -1 : 1) * mant * 2 ** Number(exp);
}

// ---------------------------------------------------------------------------------------------
// Parser

function itemString(item: Item): string {
  if (item.typ === 'eof') return 'EOF';
  if (item.typ === 'error') return item.val;
  if (KEYWORDS.has(item.typ)) return `<${item.val}>`;
  const q = JSON.stringify(item.val);
  if ([...item.val].length > 10) return `${JSON.stringify([...item.val].slice(0, 10).join(''))}...`;
  return q;
}

/**
 * Parses template source into its trees. `hasFunction` says which function names exist (Go
 * checks them at parse time); `name` is the template's name in error messages.
 */
export function parseTemplate(
  source: string,
  name: string,
  hasFunction: (fn: string) => boolean,
): TemplateSet {
  const items = lex(source);
  let i = 0;
  let vars: string[] = ['$'];
  let rangeDepth = 0;
  let actionLine = 0;
  const defined = new Map<string, Node[]>();

  const errorf = (message: string, line = (items[Math.max(0, i - 1)] as Item).line): never => {
    throw new ParseError(`${name}:${line}: ${message}`);
  };
  const next = (): Item => {
    const item = items[i] ?? (items[items.length - 1] as Item);
    if (i < items.length) i++;
    if (item.typ === 'error' && i >= items.length) i = items.length;
    return item;
  };
  const backup = (n = 1) => {
    i -= n;
  };
  const peek = (): Item => items[i] ?? (items[items.length - 1] as Item);
  const nextNonSpace = (): Item => {
    let item = next();
    while (item.typ === 'space') item = next();
    return item;
  };
  const peekNonSpace = (): Item => {
    const at = i;
    const item = nextNonSpace();
    i = at;
    return item;
  };
  const unexpected = (item: Item, context: string): never => {
    if (item.typ === 'error') {
      let extra = '';
      if (actionLine !== 0 && actionLine !== item.line) {
        extra = ` in action started at ${name}:${actionLine}`;
        if (item.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      return errorf(`${item.val}${extra}`, item.line);
    }
    return errorf(`unexpected ${itemString(item)} in ${context}`, item.line);
  };
  const expect = (typ: ItemType, context: string): Item => {
    const item = nextNonSpace();
    if (item.typ !== typ) unexpected(item, context);
    return item;
  };

  const useVar = (pos: number, text: string): Arg => {
    const ident = text.split('.');
    if (!vars.includes(ident[0] as string)) errorf(`undefined variable ${JSON.stringify(ident[0])}`);
    return { type: 'variable', pos, ident };
  };

  const term = (): Arg | undefined => {
    const token = nextNonSpace();
    switch (token.typ) {
      case 'identifier':
        if (!hasFunction(token.val)) errorf(`function ${JSON.stringify(token.val)} not defined`, token.line);
        return { type: 'identifier', pos: token.pos, name: token.val };
      case 'dot':
        return { type: 'dot', pos: token.pos };
      case 'nil':
        return { type: 'nil', pos: token.pos };
      case 'variable':
        return useVar(token.pos, token.val);
      case 'field':
        return { type: 'field', pos: token.pos, ident: token.val.slice(1).split('.') };
      case 'bool':
        return { type: 'bool', pos: token.pos, value: token.val === 'true' };
      case 'charConstant':
      case 'number':
        try {
          return numberNode(token);
        } catch (error) {
          return errorf((error as Error).message, token.line);
        }
      case 'leftParen':
        return { type: 'pipe', pos: token.pos, pipe: pipeline('parenthesized pipeline', 'rightParen') };
      case 'string':
      case 'rawString':
        try {
          return { type: 'string', pos: token.pos, quoted: token.val, text: unquote(token.val) };
        } catch (error) {
          return errorf((error as Error).message, token.line);
        }
      default:
        backup();
        return undefined;
    }
  };

  const operand = (): Arg | undefined => {
    const node = term();
    if (node === undefined) return undefined;
    if (peek().typ !== 'field') return node;
    const pos = peek().pos;
    const fields: string[] = [];
    while (peek().typ === 'field') fields.push(next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return errorf(`unexpected . after term ${JSON.stringify(argString(node))}`);
      default:
        return { type: 'chain', pos, node, field: fields };
    }
  };

  const command = (): Command => {
    const cmd: Command = { pos: peekNonSpace().pos, args: [] };
    for (;;) {
      peekNonSpace();
      const op = operand();
      if (op !== undefined) cmd.args.push(op);
      const token = next();
      if (token.typ === 'space') continue;
      if (token.typ === 'rightDelim' || token.typ === 'rightParen') backup();
      else if (token.typ !== 'pipe') unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) errorf('empty command');
    return cmd;
  };

  const pipeline = (context: string, end: ItemType): Pipe => {
    const first = peekNonSpace();
    const pipe: Pipe = { pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    for (;;) {
      const v = peekNonSpace();
      if (v.typ !== 'variable') break;
      nextNonSpace();
      const tokenAfter = peek();
      const nxt = peekNonSpace();
      if (nxt.typ === 'assign' || nxt.typ === 'declare') {
        pipe.isAssign = nxt.typ === 'assign';
        nextNonSpace();
        pipe.decl.push({ pos: v.pos, name: v.val });
        vars.push(v.val);
      } else if (nxt.typ === 'char' && nxt.val === ',') {
        nextNonSpace();
        pipe.decl.push({ pos: v.pos, name: v.val });
        vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = peekNonSpace().typ;
          if (after === 'variable' || after === 'rightDelim' || after === 'rightParen') continue;
          errorf('range can only initialize variables');
        }
        errorf(`too many declarations in ${context}`);
      } else {
        // `$x ...`: not a declaration; read the variable again as an operand
        void tokenAfter;
        i = items.indexOf(v);
      }
      break;
    }
    for (;;) {
      const token = nextNonSpace();
      if (token.typ === end) {
        if (pipe.cmds.length === 0) errorf(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((c, n) => {
          const t = c.args[0]?.type;
          if (t === 'bool' || t === 'dot' || t === 'nil' || t === 'number' || t === 'string')
            errorf(`non executable command in pipeline stage ${n + 2}`);
        });
        return pipe;
      }
      switch (token.typ) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          backup();
          pipe.cmds.push(command());
          break;
        default:
          unexpected(token, context);
      }
    }
  };

  type End = { kind: 'end' | 'else'; item: Item; elseOf?: 'if' | 'with' };

  const itemList = (): { list: Node[]; end: End } => {
    const list: Node[] = [];
    while (peekNonSpace().typ !== 'eof') {
      const n = textOrAction();
      if (n === null) continue;
      if ('kind' in n) return { list, end: n };
      list.push(n);
    }
    // an error item reports itself; else the list ran off the end
    const last = peekNonSpace();
    if (last.typ === 'error') unexpected(last, 'input');
    return errorf('unexpected EOF');
  };

  const textOrAction = (): Node | End | null => {
    const token = nextNonSpace();
    switch (token.typ) {
      case 'text':
        return { type: 'text', pos: token.pos, text: token.val };
      case 'leftDelim': {
        const saved = actionLine;
        actionLine = token.line;
        try {
          return action();
        } finally {
          actionLine = saved;
        }
      }
      default:
        return unexpected(token, 'input');
    }
  };

  const control = (context: 'if' | 'with' | 'range', pos: number, line: number): Node => {
    const depth = vars.length;
    try {
      const pipe = pipeline(context, 'rightDelim');
      if (context === 'range') rangeDepth++;
      const { list, end } = itemList();
      if (context === 'range') rangeDepth--;
      let elseList: Node[] | undefined;
      if (end.kind === 'else') {
        if (end.elseOf !== undefined && end.elseOf === context) {
          // {{else if ...}} / {{else with ...}}: a nested control that shares our {{end}}
          const kw = next();
          elseList = [control(context, kw.pos, kw.line)];
        } else if (end.elseOf !== undefined) {
          // {{else with}} after {{if}} and the like: Go reads it as an unexpected keyword
          return unexpected(peekNonSpace(), 'input');
        } else {
          const rest = itemList();
          if (rest.end.kind !== 'end') errorf(`expected end; found ${itemString(rest.end.item)}`);
          elseList = rest.list;
        }
      }
      return elseList === undefined
        ? { type: context, pos, line, pipe, list }
        : { type: context, pos, line, pipe, list, elseList };
    } finally {
      vars = vars.slice(0, depth);
    }
  };

  const templateName = (token: Item, context: string): string => {
    if (token.typ !== 'string' && token.typ !== 'rawString') return unexpected(token, context);
    try {
      return unquote(token.val);
    } catch (error) {
      return errorf((error as Error).message);
    }
  };

  const subTemplate = (templateNameValue: string, context: string): void => {
    const savedVars = vars;
    const savedDepth = rangeDepth;
    vars = ['$'];
    rangeDepth = 0;
    try {
      const { list, end } = itemList();
      if (end.kind !== 'end') errorf(`unexpected ${itemString(end.item)} in ${context}`);
      addTemplate(templateNameValue, list);
    } finally {
      vars = savedVars;
      rangeDepth = savedDepth;
    }
  };

  const action = (): Node | End | null => {
    const token = nextNonSpace();
    switch (token.typ) {
      case 'block': {
        const nameToken = nextNonSpace();
        const blockName = templateName(nameToken, 'block clause');
        const pipe = pipeline('block clause', 'rightDelim');
        subTemplate(blockName, 'block clause');
        return { type: 'template', pos: nameToken.pos, line: nameToken.line, name: blockName, pipe };
      }
      case 'break':
      case 'continue': {
        const after = nextNonSpace();
        if (after.typ !== 'rightDelim') unexpected(after, `{{${token.typ}}}`);
        if (rangeDepth === 0) errorf(`{{${token.typ}}} outside {{range}}`);
        return { type: token.typ, pos: token.pos, line: token.line };
      }
      case 'else': {
        const p = peekNonSpace();
        if (p.typ === 'if' || p.typ === 'with') {
          while (peek().typ === 'space') next();
          return { kind: 'else', item: token, elseOf: p.typ };
        }
        expect('rightDelim', 'else');
        return { kind: 'else', item: token };
      }
      case 'end':
        expect('rightDelim', 'end');
        return { kind: 'end', item: token };
      case 'if':
      case 'with':
      case 'range':
        return control(token.typ, token.pos, token.line);
      case 'template': {
        const nameToken = nextNonSpace();
        const tname = templateName(nameToken, 'template clause');
        let pipe: Pipe | undefined;
        if (nextNonSpace().typ !== 'rightDelim') {
          backup();
          pipe = pipeline('template clause', 'rightDelim');
        }
        return pipe
          ? { type: 'template', pos: nameToken.pos, line: nameToken.line, name: tname, pipe }
          : { type: 'template', pos: nameToken.pos, line: nameToken.line, name: tname };
      }
      default: {
        backup();
        const at = peek();
        return { type: 'action', pos: at.pos, line: at.line, pipe: pipeline('command', 'rightDelim') };
      }
    }
  };

  const isEmpty = (list: Node[]) => list.every((n) => n.type === 'text' && n.text.trim() === '');
  const addTemplate = (tname: string, list: Node[]) => {
    const existing = defined.get(tname);
    if (existing === undefined || isEmpty(existing)) {
      defined.set(tname, list);
      return;
    }
    if (!isEmpty(list)) errorf(`template: multiple definition of template ${JSON.stringify(tname)}`);
  };

  const main: Node[] = [];
  while (peek().typ !== 'eof') {
    if (peek().typ === 'leftDelim') {
      const delimAt = i;
      next();
      if (nextNonSpace().typ === 'define') {
        const nameToken = nextNonSpace();
        const dname = templateName(nameToken, 'define clause');
        expect('rightDelim', 'define clause');
        subTemplate(dname, 'define clause');
        continue;
      }
      i = delimAt;
    }
    const n = textOrAction();
    if (n === null) continue;
    if ('kind' in n) return errorf(`unexpected {{${n.kind}}}`);
    main.push(n);
  }
  if (!defined.has(name) || !isEmpty(main)) defined.set(name, main);
  return { main: defined.get(name) as Node[], defined };
}
