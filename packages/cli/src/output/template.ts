/**
 * A subset of Go's text/template, enough for `--format go-template=...` as oras users write it:
 * fields (`{{.digest}}`, `{{.manifest.layers}}`), `$` and variables, pipelines with `|`,
 * `range` (with `$i, $e :=`), `if` / `else if` / `else`, `with`, comments, trim markers (`{{-`, `-}}`)
 * and the functions oras users reach for: `json`, `toJson`, `toRawJson`, `toPrettyJson`, `len`,
 * `index`, `print`, `printf`, `println`, `upper`, `lower`, `join`, `eq`, `ne`, `not`, `and`, `or`.
 *
 * Values print the way Go's fmt `%v` prints decoded JSON: maps as `map[k:v]`, lists as `[a b]`.
 */
import { printableJson } from './escape.js';

/** A template error, with the position in the template. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if'; branches: { cond: Pipeline; body: Node[] }[]; otherwise: Node[] }
  | { kind: 'range'; vars: string[]; pipe: Pipeline; body: Node[]; otherwise: Node[] }
  | { kind: 'with'; vars: string[]; pipe: Pipeline; body: Node[]; otherwise: Node[] };

type Term =
  | { kind: 'field'; base: 'dot' | string; path: string[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string; args: Term[] }
  | { kind: 'paren'; pipe: Pipeline };

interface Command {
  terms: Term[];
}

interface Pipeline {
  decl: string[];
  commands: Command[];
}

interface Scope {
  dot: unknown;
  root: unknown;
  vars: Map<string, unknown>;
}

const FUNCS: Record<string, (...args: unknown[]) => unknown> = {
  json: (v) => toGoJson(v),
  toJson: (v) => toGoJson(v),
  toRawJson: (v) => JSON.stringify(sortKeys(v ?? null)),
  toPrettyJson: (v) => JSON.stringify(sortKeys(v ?? null), null, 2),
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v && typeof v === 'object') return Object.keys(v).length;
    throw new TemplateError(`len of ${typeName(v)}`);
  },
  index: (v, ...keys) => {
    let cur = v;
    for (const key of keys) {
      if (cur === null || cur === undefined) return undefined;
      cur = (cur as Record<string, unknown>)[String(key)];
    }
    return cur;
  },
  print: (...args) => args.map(formatValue).join(''),
  println: (...args) => `${args.map(formatValue).join(' ')}\n`,
  printf: (format, ...args) => sprintf(String(format), args),
  upper: (v) => String(v).toUpperCase(),
  lower: (v) => String(v).toLowerCase(),
  join: (sep, list) => (Array.isArray(list) ? list.map(formatValue).join(String(sep)) : formatValue(list)),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  not: (v) => !truthy(v),
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
};

/** A copy with object keys sorted, as Go encodes the maps that decoded JSON becomes. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * Go's json encoding of a value (compact, map keys sorted, `<`, `>` and `&` escaped), with the
 * characters a terminal acts on escaped too ({@link printableJson}).
 */
function toGoJson(value: unknown): string {
  return printableJson(
    JSON.stringify(sortKeys(value ?? null)).replace(
      /[<>&]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  return typeof v === 'object' ? 'map' : typeof v;
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Formats a value the way Go's `%v` formats decoded JSON. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatNested).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${formatNested((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return String(v);
}

function formatNested(v: unknown): string {
  return v === null || v === undefined ? '<nil>' : formatValue(v);
}

function sprintf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*\d*(?:\.\d+)?)([vsdqtxf%])/g, (_m, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[i++];
    switch (verb) {
      case 'q':
        return JSON.stringify(formatValue(arg));
      case 'd':
        return String(Math.trunc(Number(arg)));
      case 'x':
        return typeof arg === 'number' ? arg.toString(16) : Buffer.from(String(arg)).toString('hex');
      case 'f':
        return Number(arg).toFixed(6);
      default:
        return formatValue(arg);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Lexing and parsing

interface RawAction {
  text: string;
  pos: number;
}

function split(source: string): (string | RawAction)[] {
  const parts: (string | RawAction)[] = [];
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = open === -1 ? source.slice(i) : source.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      if (text) parts.push(text);
      break;
    }
    let start = open + 2;
    if (
      source.startsWith('- ', start) ||
      source.startsWith('-\t', start) ||
      source.startsWith('-\n', start)
    ) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) parts.push(text);
    const close = findClose(source, start);
    if (close === -1) throw new TemplateError(`unclosed action at offset ${open}`);
    let end = close;
    trimNext = false;
    if (source[close - 1] === '-' && /\s/.test(source[close - 2] ?? '')) {
      end = close - 1;
      trimNext = true;
    }
    parts.push({ text: source.slice(start, end).trim(), pos: open });
    i = close + 2;
  }
  return parts;
}

function findClose(source: string, from: number): number {
  let i = from;
  while (i < source.length) {
    const c = source[i];
    if (c === '"' || c === '`') {
      const q = c;
      i++;
      while (i < source.length && source[i] !== q) i += source[i] === '\\' && q === '"' ? 2 : 1;
      i++;
      continue;
    }
    if (source.startsWith('}}', i)) return i;
    i++;
  }
  return -1;
}

type Token =
  | { t: 'field'; v: string }
  | { t: 'var'; v: string }
  | { t: 'ident'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'pipe' }
  | { t: 'lparen' }
  | { t: 'rparen' }
  | { t: 'comma' }
  | { t: 'declare' };

function tokenize(text: string, pos: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new TemplateError(`template: offset ${pos}: ${what} in {{${text}}}`);
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '|') {
      tokens.push({ t: 'pipe' });
      i++;
    } else if (c === '(') {
      tokens.push({ t: 'lparen' });
      i++;
    } else if (c === ')') {
      tokens.push({ t: 'rparen' });
      i++;
    } else if (c === ',') {
      tokens.push({ t: 'comma' });
      i++;
    } else if (text.startsWith(':=', i) || (c === '=' && text[i + 1] !== '=')) {
      tokens.push({ t: 'declare' });
      i += c === ':' ? 2 : 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) fail('unterminated string');
      tokens.push({ t: 'str', v: JSON.parse(text.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = text.indexOf('`', i + 1);
      if (j === -1) fail('unterminated raw string');
      tokens.push({ t: 'str', v: text.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '.' || c === '$') {
      const m = /^[.$][\w.$]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push(c === '.' ? { t: 'field', v: m[0] } : { t: 'var', v: m[0] });
      i += m[0].length;
    } else if (/[-\d]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!m) fail(`unexpected "${c}"`);
      tokens.push({ t: 'num', v: Number((m as RegExpExecArray)[0]) });
      i += (m as RegExpExecArray)[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_]\w*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    } else {
      fail(`unexpected "${c}"`);
    }
  }
  return tokens;
}

function parsePipeline(text: string, pos: number): Pipeline {
  const tokens = tokenize(text, pos);
  const fail = (what: string): never => {
    throw new TemplateError(`template: offset ${pos}: ${what} in {{${text}}}`);
  };
  const decl: string[] = [];
  let start = 0;
  // `$a, $b :=` or `$a :=` at the start
  const declareAt = tokens.findIndex((t) => t.t === 'declare');
  if (declareAt > 0) {
    for (const tok of tokens.slice(0, declareAt)) {
      if (tok.t === 'var') decl.push(tok.v);
      else if (tok.t !== 'comma') fail('bad variable declaration');
    }
    start = declareAt + 1;
  }
  const parseTerm = (list: Token[], at: { i: number }): Term => {
    const tok = list[at.i++];
    if (!tok) return fail('missing value');
    switch (tok.t) {
      case 'field':
        return { kind: 'field', base: 'dot', path: tok.v.split('.').filter(Boolean) };
      case 'var': {
        const [name, ...path] = tok.v.split('.');
        return { kind: 'field', base: name as string, path };
      }
      case 'str':
      case 'num':
        return { kind: 'literal', value: tok.v };
      case 'ident':
        if (tok.v === 'true' || tok.v === 'false') return { kind: 'literal', value: tok.v === 'true' };
        if (tok.v === 'nil') return { kind: 'literal', value: null };
        if (!(tok.v in FUNCS)) fail(`function "${tok.v}" not defined`);
        return { kind: 'call', name: tok.v, args: [] };
      case 'lparen': {
        const from = at.i;
        let depth = 1;
        while (at.i < list.length && depth > 0) {
          const t = list[at.i++] as Token;
          if (t.t === 'lparen') depth++;
          if (t.t === 'rparen') depth--;
        }
        if (depth !== 0) fail('unclosed parenthesis');
        return { kind: 'paren', pipe: { decl: [], commands: commandsOf(list.slice(from, at.i - 1)) } };
      }
      default:
        return fail('unexpected token');
    }
  };
  const commandsOf = (list: Token[]): Command[] => {
    const at = { i: 0 };
    const commands: Command[] = [];
    let current: Term[] = [];
    while (at.i < list.length) {
      if ((list[at.i] as Token).t === 'pipe') {
        if (current.length === 0) fail('missing command before |');
        commands.push({ terms: current });
        current = [];
        at.i++;
        continue;
      }
      current.push(parseTerm(list, at));
    }
    if (current.length === 0) fail('missing command');
    commands.push({ terms: current });
    return commands;
  };
  return { decl, commands: commandsOf(tokens.slice(start)) };
}

/** Parses a template into a tree; throws {@link TemplateError} with the offset of a bad action. */
function parse(source: string): Node[] {
  const parts = split(source);
  let i = 0;
  const parseList = (terminators: string[]): { nodes: Node[]; end: string; endText: string } => {
    const nodes: Node[] = [];
    while (i < parts.length) {
      const part = parts[i++] as string | RawAction;
      if (typeof part === 'string') {
        nodes.push({ kind: 'text', text: part });
        continue;
      }
      const { text, pos } = part;
      if (text.startsWith('/*')) continue;
      const word = /^\w+/.exec(text)?.[0] ?? '';
      if (terminators.includes(word)) return { nodes, end: word, endText: text.slice(word.length).trim() };
      if (word === 'end' || word === 'else')
        throw new TemplateError(`template: offset ${pos}: unexpected {{${word}}}`);
      if (word === 'if') {
        const branches = [{ cond: parsePipeline(text.slice(2), pos), body: [] as Node[] }];
        let otherwise: Node[] = [];
        for (;;) {
          const r = parseList(['else', 'end']);
          (branches[branches.length - 1] as { body: Node[] }).body = r.nodes;
          if (r.end === 'end') break;
          if (r.endText.startsWith('if ')) {
            branches.push({ cond: parsePipeline(r.endText.slice(3), pos), body: [] });
            continue;
          }
          const rest = parseList(['end']);
          otherwise = rest.nodes;
          break;
        }
        nodes.push({ kind: 'if', branches, otherwise });
        continue;
      }
      if (word === 'range' || word === 'with') {
        const pipe = parsePipeline(text.slice(word.length), pos);
        const r = parseList(['else', 'end']);
        const otherwise = r.end === 'else' ? parseList(['end']).nodes : [];
        nodes.push({ kind: word, vars: pipe.decl, pipe: { ...pipe, decl: [] }, body: r.nodes, otherwise });
        continue;
      }
      if (word === 'define' || word === 'template' || word === 'block') {
        throw new TemplateError(`template: offset ${pos}: {{${word}}} is not supported`);
      }
      nodes.push({ kind: 'action', pipe: parsePipeline(text, pos) });
    }
    if (terminators.length > 0) throw new TemplateError(`template: missing {{end}}`);
    return { nodes, end: '', endText: '' };
  };
  return parseList([]).nodes;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function lookup(value: unknown, path: string[]): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function evalTerm(term: Term, scope: Scope, extra: unknown[]): unknown {
  switch (term.kind) {
    case 'literal':
      return term.value;
    case 'paren':
      return evalPipeline(term.pipe, scope);
    case 'field': {
      if (term.base === 'dot') return lookup(scope.dot, term.path);
      if (term.base === '$') return lookup(scope.root, term.path);
      if (!scope.vars.has(term.base)) throw new TemplateError(`undefined variable "${term.base}"`);
      return lookup(scope.vars.get(term.base), term.path);
    }
    case 'call':
      return (FUNCS[term.name] as (...a: unknown[]) => unknown)(...extra);
  }
}

function evalCommand(command: Command, scope: Scope, piped: unknown[]): unknown {
  const [head, ...rest] = command.terms as [Term, ...Term[]];
  if (head.kind === 'call') {
    const args = rest.map((t) => evalTerm(t, scope, []));
    return evalTerm(head, scope, [...args, ...piped]);
  }
  if (rest.length > 0 || piped.length > 0) throw new TemplateError('can only pipe into a function');
  return evalTerm(head, scope, []);
}

function evalPipeline(pipe: Pipeline, scope: Scope): unknown {
  let value: unknown;
  pipe.commands.forEach((command, n) => {
    value = evalCommand(command, scope, n === 0 ? [] : [value]);
  });
  if (pipe.decl.length === 1) scope.vars.set(pipe.decl[0] as string, value);
  return value;
}

function run(nodes: Node[], scope: Scope, out: string[]): void {
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        break;
      case 'action': {
        const value = evalPipeline(node.pipe, scope);
        if (node.pipe.decl.length === 0) out.push(formatValue(value));
        break;
      }
      case 'if': {
        const branch = node.branches.find((b) => truthy(evalPipeline(b.cond, scope)));
        run(branch ? branch.body : node.otherwise, scope, out);
        break;
      }
      case 'with': {
        const value = evalPipeline(node.pipe, scope);
        if (truthy(value)) {
          if (node.vars[0]) scope.vars.set(node.vars[0], value);
          run(node.body, { ...scope, dot: value }, out);
        } else run(node.otherwise, scope, out);
        break;
      }
      case 'range': {
        const value = evalPipeline(node.pipe, scope);
        const entries: [unknown, unknown][] = Array.isArray(value)
          ? value.map((v, idx) => [idx, v])
          : value && typeof value === 'object'
            ? Object.keys(value)
                .sort()
                .map((k) => [k, (value as Record<string, unknown>)[k]])
            : typeof value === 'number'
              ? Array.from({ length: value }, (_, idx) => [idx, idx])
              : [];
        if (entries.length === 0) {
          run(node.otherwise, scope, out);
          break;
        }
        for (const [key, item] of entries) {
          const vars = new Map(scope.vars);
          if (node.vars.length === 1) vars.set(node.vars[0] as string, item);
          if (node.vars.length === 2) {
            vars.set(node.vars[0] as string, key);
            vars.set(node.vars[1] as string, item);
          }
          run(node.body, { ...scope, dot: item, vars }, out);
        }
        break;
      }
    }
  }
}

/** A parsed template, ready to execute many times. */
export interface CompiledTemplate {
  /** Renders the template with `data` as `.` and `$`. */
  execute(data: unknown): string;
}

/** Parses a Go template; throws {@link TemplateError} when it is malformed. */
export function compileTemplate(source: string): CompiledTemplate {
  const nodes = parse(source);
  return {
    execute(data: unknown): string {
      const out: string[] = [];
      run(nodes, { dot: data, root: data, vars: new Map([['$', data]]) }, out);
      return out.join('');
    },
  };
}
