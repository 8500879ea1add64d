/**
 * The evaluation of a parsed Go template over JSON-like data, with text/template's rules: field
 * lookups on maps (a missing key is `<no value>`, a field of nil is an error), pipelines that
 * pass their value as the last argument, Go's argument checks for typed functions, truth of
 * empty values, `range` over lists, maps (sorted keys) and integers, variable scopes, and
 * `template` calls. Errors carry Go's text and position (`NAME:LINE:COL: executing ...`).
 */
import { goQuote, sprint, sprintf, sprintln, sprintValue } from './fmt.js';
import {
  type Arg,
  argString,
  type Command,
  commandString,
  type Node,
  type Pipe,
  pipeString,
  type TemplateSet,
} from './parse.js';
import { addDuration, formatTime } from './time.js';
import { byteLength, GoDuration, GoTime, goTypeName, isInt, isMap, truth } from './values.js';

/** The Go type of a function parameter. */
/**
 * The Go type of a function parameter. `value` is Go's `reflect.Value`, which the builtins take:
 * unlike `any`, it keeps a missing value (`undefined`) apart from nil.
 */
export type Param = 'any' | 'value' | 'string' | 'int' | 'float' | 'bool' | 'map' | 'list' | 'time';

/** A template function: its Go parameter types and its implementation. */
export interface GoFunc {
  readonly params: readonly Param[];
  /** The type of the `...` parameter after `params`, for variadic functions. */
  readonly variadic?: Param;
  /** Receives the checked arguments; throws to fail with `error calling NAME: <message>`. */
  readonly fn: (...args: never[]) => unknown;
  /** The `and`/`or` builtins, which evaluate their arguments lazily. */
  readonly shortCircuit?: 'and' | 'or';
}

/** An execution error; its message is Go's, without the leading `template: `. */
export class ExecError extends Error {
  override readonly name = 'ExecError';
}

/** The deepest nesting of `{{template}}` calls. Go allows 100,000; a JS stack is smaller. */
export const MAX_TEMPLATE_DEPTH = 1000;

const MISSING: unique symbol = Symbol('missing');
type Final = unknown | typeof MISSING;

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

const PARAM_TYPES: Record<Param, string> = {
  any: 'interface {}',
  value: 'reflect.Value',
  string: 'string',
  int: 'int',
  float: 'float64',
  bool: 'bool',
  map: 'map[string]interface {}',
  list: '[]interface {}',
  time: 'time.Time',
};

type AnyNode = Node | Arg | Command | Pipe;

function nodeString(n: AnyNode): string {
  if ('args' in n) return commandString(n);
  if ('cmds' in n) return pipeString(n);
  switch (n.type) {
    case 'text':
      return n.text;
    case 'action':
      return `{{${pipeString(n.pipe)}}}`;
    case 'if':
    case 'with':
    case 'range': {
      let s = `{{${n.type} ${pipeString(n.pipe)}}}${n.list.map(nodeString).join('')}`;
      if (n.elseList) s += `{{else}}${n.elseList.map(nodeString).join('')}`;
      return `${s}{{end}}`;
    }
    case 'template':
      return n.pipe
        ? `{{template ${goQuote(n.name)} ${pipeString(n.pipe)}}}`
        : `{{template ${goQuote(n.name)}}}`;
    case 'break':
    case 'continue':
      return `{{${n.type}}}`;
    default:
      return argString(n);
  }
}

interface Variable {
  readonly name: string;
  value: unknown;
}

/** One execution of a template set. */
export class State {
  private node: AnyNode | undefined;
  private vars: Variable[];
  private readonly out: string[] = [];
  private depth = 0;
  private tmplName: string;

  constructor(
    private readonly set: TemplateSet,
    private readonly source: string,
    private readonly parseName: string,
    private readonly funcs: Readonly<Record<string, GoFunc>>,
    dot: unknown,
  ) {
    this.vars = [{ name: '$', value: dot }];
    this.tmplName = parseName;
  }

  /** Runs the main template and returns what it printed. */
  run(dot: unknown): string {
    this.walk(dot, this.set.main);
    return this.out.join('');
  }

  /** What the template printed before it failed. */
  partial(): string {
    return this.out.join('');
  }

  private at(n: AnyNode): void {
    this.node = n;
  }

  private errorf(message: string): never {
    if (this.node === undefined) throw new ExecError(`${this.tmplName}: ${message}`);
    const pos = (this.node as { pos: number }).pos;
    const before = this.source.slice(0, pos);
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = before.split('\n').length;
    const col = byteLength(before.slice(lineStart));
    const context = nodeString(this.node);
    throw new ExecError(
      `${this.parseName}:${line}:${col}: executing ${goQuote(this.tmplName)} at <${context}>: ${message}`,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Variables

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  // -------------------------------------------------------------------------------------------
  // Walking the tree

  private walk(dot: unknown, nodes: readonly Node[]): void {
    for (const node of nodes) this.walkNode(dot, node);
  }

  private walkNode(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'text':
        this.out.push(node.text);
        return;
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.mark();
        try {
          const val = this.evalPipeline(dot, node.pipe);
          if (truth(val)) this.walk(node.type === 'with' ? val : dot, node.list);
          else if (node.elseList) this.walk(dot, node.elseList);
        } finally {
          this.pop(mark);
        }
        return;
      }
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private walkRange(dot: unknown, r: Extract<Node, { list: Node[] }>): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (index: unknown, elem: unknown) => {
        if (decl.length > 0) {
          if (r.pipe.isAssign)
            this.setVar((decl[0] as { name: string }).name, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar((decl[1] as { name: string }).name, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (signal) {
          if (signal !== CONTINUE) throw signal;
        } finally {
          this.pop(mark);
        }
      };
      let ran = false;
      try {
        if (Array.isArray(val)) {
          val.forEach((elem, i) => {
            ran = true;
            oneIteration(i, elem);
          });
        } else if (isMap(val)) {
          for (const key of Object.keys(val).sort()) {
            ran = true;
            oneIteration(key, val[key]);
          }
        } else if (typeof val === 'number' && isInt(val)) {
          if (decl.length > 1)
            this.errorf(`can't use ${sprintValue(val)} to iterate over more than one variable`);
          for (let i = 0; i < val; i++) {
            ran = true;
            oneIteration(i, i);
          }
        } else if (val !== undefined && val !== null) {
          this.errorf(`range can't iterate over ${sprintValue(val)}`);
        }
      } catch (signal) {
        if (signal !== BREAK) throw signal;
        return;
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: unknown, t: Extract<Node, { type: 'template' }>): void {
    this.at(t);
    const tmpl = this.set.defined.get(t.name);
    if (tmpl === undefined) this.errorf(`template ${goQuote(t.name)} not defined`);
    if (this.depth >= MAX_TEMPLATE_DEPTH)
      this.errorf(`exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = [{ name: '$', value: newDot }];
    this.tmplName = t.name;
    this.depth++;
    try {
      this.walk(newDot, tmpl as Node[]);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.tmplName = saved.name;
    }
  }

  private printValue(n: Node, v: unknown): void {
    this.at(n);
    this.out.push(v === undefined || v === null ? '<no value>' : sprintValue(v));
  }

  // -------------------------------------------------------------------------------------------
  // Evaluation

  private evalPipeline(dot: unknown, pipe: Pipe): unknown {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // a nil interface becomes "no value", as Go unwraps interface values between commands
      if (value === null) value = undefined;
    }
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d.name, value);
      else this.push(d.name, value);
    }
    return value;
  }

  private notAFunction(args: readonly Arg[] | null, final: Final): void {
    if (args && (args.length > 1 || final !== MISSING))
      this.errorf(`can't give argument to non-function ${argString(args[0] as Arg)}`);
  }

  private evalCommand(dot: unknown, cmd: Command, final: Final): unknown {
    const first = cmd.args[0] as Arg;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first.pipe);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
      default:
        break;
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(n: Extract<Arg, { type: 'number' }>): unknown {
    this.at(n);
    if (!n.isRune && /[.eEpP]/.test(n.text) && !/^[+-]?0[xX][^pP]*$/.test(n.text)) return n.value;
    if (n.isInt) return n.value;
    return this.errorf(`${n.text} overflows int`);
  }

  private evalFieldNode(
    dot: unknown,
    field: Extract<Arg, { type: 'field' }>,
    args: readonly Arg[],
    final: Final,
  ): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(
    dot: unknown,
    chain: Extract<Arg, { type: 'chain' }>,
    args: readonly Arg[] | null,
    final: Final,
  ): unknown {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${argString(chain)}`);
    const base = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, base, chain, chain.field, args, final);
  }

  private evalVariableNode(
    dot: unknown,
    v: Extract<Arg, { type: 'variable' }>,
    args: readonly Arg[] | null,
    final: Final,
  ): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0] as string);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: Arg,
    ident: readonly string[],
    args: readonly Arg[] | null,
    final: Final,
  ): unknown {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++)
      r = this.evalField(dot, ident[i] as string, node, null, MISSING, r);
    return this.evalField(dot, ident[ident.length - 1] as string, node, args, final, r);
  }

  private evalField(
    dot: unknown,
    name: string,
    node: Arg,
    args: readonly Arg[] | null,
    final: Final,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) return this.errorf(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (receiver instanceof GoTime || receiver instanceof GoDuration) {
      const method = METHODS[receiver instanceof GoTime ? 'time' : 'duration'][name];
      if (method) {
        const argv = (args ?? []).slice(1).map((a) => this.evalArg(dot, method.params[0] ?? 'any', a));
        if (final !== MISSING) argv.push(final);
        if (argv.length !== method.params.length)
          this.errorf(`wrong number of args for ${name}: want ${method.params.length} got ${argv.length}`);
        try {
          return (method.fn as (...a: unknown[]) => unknown)(receiver, ...argv);
        } catch (error) {
          this.at(node);
          return this.errorf(`error calling ${name}: ${(error as Error).message}`);
        }
      }
    }
    if (isMap(receiver)) {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      return Object.hasOwn(receiver, name) ? receiver[name] : undefined;
    }
    return this.errorf(`can't evaluate field ${name} in type ${receiverType(receiver)}`);
  }

  private evalFunction(
    dot: unknown,
    node: Extract<Arg, { type: 'identifier' }>,
    cmd: AnyNode,
    args: readonly Arg[] | null,
    final: Final,
  ): unknown {
    this.at(node);
    const fn = this.funcs[node.name];
    if (fn === undefined) return this.errorf(`${goQuote(node.name)} is not a defined function`);
    return this.evalCall(dot, fn, cmd, node.name, args, final);
  }

  private evalCall(
    dot: unknown,
    fn: GoFunc,
    node: AnyNode,
    name: string,
    args: readonly Arg[] | null,
    final: Final,
  ): unknown {
    const argNodes = args ? args.slice(1) : [];
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    const numFixed = fn.variadic !== undefined ? fn.params.length : argNodes.length;
    if (fn.variadic !== undefined) {
      if (numIn < numFixed)
        this.errorf(
          `wrong number of args for ${name}: want at least ${fn.params.length} got ${argNodes.length}`,
        );
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }
    if (fn.shortCircuit) {
      let v: unknown;
      for (const arg of argNodes) {
        v = this.evalArg(dot, 'value', arg);
        if (truth(v) === (fn.shortCircuit === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++)
      argv.push(this.evalArg(dot, fn.params[i] as Param, argNodes[i] as Arg));
    if (fn.variadic !== undefined)
      for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.variadic, argNodes[i] as Arg));
    if (final !== MISSING) {
      let t = fn.params[fn.params.length - 1] as Param;
      if (fn.variadic !== undefined) t = numIn - 1 < numFixed ? (fn.params[numIn - 1] as Param) : fn.variadic;
      argv.push(this.validateType(final, t));
    }
    let result: unknown;
    try {
      result = (fn.fn as (...a: unknown[]) => unknown)(...argv);
    } catch (error) {
      if (error instanceof ExecError) throw error;
      this.at(node);
      const message = error instanceof Error ? error.message : String(error);
      return this.errorf(`error calling ${name}: ${message}`);
    }
    return result === undefined ? null : result;
  }

  private evalArg(dot: unknown, typ: Param | null, n: Arg): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'value') return undefined;
        if (typ === null || typ === 'any' || typ === 'map' || typ === 'list') return null;
        return this.errorf(`cannot assign nil to ${PARAM_TYPES[typ]}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n.pipe), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
      default:
        break;
    }
    switch (typ) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        return this.errorf(`expected bool; found ${argString(n)}`);
      case 'float':
        if (n.type === 'number' && n.isFloat) return n.value;
        return this.errorf(`expected float; found ${argString(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return n.value;
        return this.errorf(`expected integer; found ${argString(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        return this.errorf(`expected string; found ${argString(n)}`);
      case 'any':
      case 'value':
      case null:
        if (n.type === 'bool') return n.value;
        if (n.type === 'number') return this.idealConstant(n);
        if (n.type === 'string') return n.text;
        return this.errorf(`can't handle ${argString(n)} for arg of type interface {}`);
      default:
        return this.errorf(`can't handle ${argString(n)} for arg of type ${PARAM_TYPES[typ]}`);
    }
  }

  private validateType(value: unknown, typ: Param | null): unknown {
    if (value === undefined) {
      if (typ === null || typ === 'value') return undefined;
      if (typ === 'any' || typ === 'map' || typ === 'list') return null;
      return this.errorf(`invalid value; expected ${PARAM_TYPES[typ]}`);
    }
    if (typ === null || typ === 'any' || typ === 'value') return value;
    let ok: boolean;
    switch (typ) {
      case 'string':
        ok = typeof value === 'string';
        break;
      case 'int':
        ok = typeof value === 'number' && isInt(value);
        break;
      case 'float':
        ok = typeof value === 'number';
        break;
      case 'bool':
        ok = typeof value === 'boolean';
        break;
      case 'map':
        ok = isMap(value);
        break;
      case 'list':
        ok = Array.isArray(value);
        break;
      case 'time':
        ok = value instanceof GoTime;
        break;
    }
    if (!ok) {
      const got = value === null ? 'interface {}' : goTypeName(value);
      this.errorf(`wrong type for value; expected ${PARAM_TYPES[typ]}; got ${got}`);
    }
    return value;
  }
}

/** The static type Go names for a value reached through JSON data: always `interface {}`. */
function receiverType(_v: unknown): string {
  return 'interface {}';
}

interface Method {
  readonly params: readonly Param[];
  readonly fn: (self: never, ...args: never[]) => unknown;
}

/** The methods templates can call on the Go values that sprig's date functions make. */
const METHODS: { time: Record<string, Method>; duration: Record<string, Method> } = {
  time: {
    Format: { params: ['string'], fn: (t: GoTime, layout: string) => formatTime(t, layout) },
    String: { params: [], fn: (t: GoTime) => sprintValue(t) },
    Unix: { params: [], fn: (t: GoTime) => Math.floor(t.ms / 1000) },
    UnixMilli: { params: [], fn: (t: GoTime) => t.ms },
    Year: { params: [], fn: (t: GoTime) => Number(formatTime(t, '2006')) },
    Month: { params: [], fn: (t: GoTime) => formatTime(t, 'January') },
    Day: { params: [], fn: (t: GoTime) => Number(formatTime(t, '2')) },
    Hour: { params: [], fn: (t: GoTime) => Number(formatTime(t, '15')) },
    Minute: { params: [], fn: (t: GoTime) => Number(formatTime(t, '4')) },
    Second: { params: [], fn: (t: GoTime) => Number(formatTime(t, '5')) },
    YearDay: { params: [], fn: (t: GoTime) => Number(formatTime(t, '002')) },
    Weekday: { params: [], fn: (t: GoTime) => formatTime(t, 'Monday') },
    UTC: { params: [], fn: (t: GoTime) => new GoTime(t.ms, t.nanos, 'UTC') },
    Local: { params: [], fn: (t: GoTime) => new GoTime(t.ms, t.nanos, 'Local') },
    IsZero: {
      params: [],
      fn: (t: GoTime) =>
        formatTime(new GoTime(t.ms, t.nanos, 'UTC'), '2006-01-02T15:04:05.999999999') ===
        '0001-01-01T00:00:00',
    },
    Add: {
      params: ['any'],
      fn: (t: GoTime, d: unknown) =>
        addDuration(t, d instanceof GoDuration ? d : new GoDuration(BigInt(Math.trunc(Number(d))))),
    },
  },
  duration: {
    String: { params: [], fn: (d: GoDuration) => sprintValue(d) },
    Seconds: { params: [], fn: (d: GoDuration) => Number(d.ns) / 1e9 },
    Minutes: { params: [], fn: (d: GoDuration) => Number(d.ns) / 6e10 },
    Hours: { params: [], fn: (d: GoDuration) => Number(d.ns) / 3.6e12 },
  },
};

// ---------------------------------------------------------------------------------------------
// Go's builtin functions

/** Go's `html/template.HTMLEscapeString`, as the `html` builtin applies it. */
function htmlEscape(s: string): string {
  return s.replace(
    /[<>&'"\0]/g,
    (c) =>
      ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\ufffd' })[c] as string,
  );
}

/** Go's `JSEscapeString`. */
function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
      default:
        break;
    }
    if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp < 0x80 || /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** Go's `url.QueryEscape`. */
function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The text the `html`, `js` and `urlquery` builtins escape: their arguments, printed. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isInt(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'string';
  return 'invalid';
}

function isNumberKind(k: Kind): boolean {
  return k === 'int' || k === 'float';
}

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg2.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let result = false;
    if (k1 !== k2 && !(isNumberKind(k1) && isNumberKind(k2))) {
      if (arg1 !== undefined && arg1 !== null && arg !== undefined && arg !== null)
        throw new Error('incompatible types for comparison');
    } else if (k1 === 'invalid') {
      const nil1 = arg1 === undefined || arg1 === null;
      const nil2 = arg === undefined || arg === null;
      if (nil1 || nil2) result = nil1 === nil2;
      else if (arg1 instanceof GoTime || arg1 instanceof GoDuration)
        result = sprintValue(arg1) === sprintValue(arg);
      else throw new Error(`non-comparable type ${sprintf('%s', [arg])}: ${goTypeName(arg)}`);
    } else {
      result =
        arg1 === arg ||
        (typeof arg1 === 'bigint' || typeof arg === 'bigint'
          ? BigInt(arg1 as number) === BigInt(arg as number)
          : false);
    }
    if (result) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k2 === 'invalid') throw new Error('invalid type for comparison');
  if (k1 !== k2 && !(isNumberKind(k1) && isNumberKind(k2)))
    throw new Error('incompatible types for comparison');
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  return (a as number | string) < (b as number | string);
}

function length(v: unknown): number {
  if (v === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (v === null) throw new Error('len of nil pointer');
  if (typeof v === 'string') return byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new Error(`len of type ${goTypeName(v)}`);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let cur = item;
  if (cur === undefined || cur === null) throw new Error('index of untyped nil');
  for (const idx of indexes) {
    if (cur === null) throw new Error('index of nil pointer');
    if (cur === undefined) throw new Error('index of untyped nil');
    if (Array.isArray(cur) || typeof cur === 'string') {
      if (idx === undefined || idx === null) throw new Error('cannot index slice/array with nil');
      if (typeof idx !== 'number' || !isInt(idx))
        throw new Error(`cannot index slice/array with type ${goTypeName(idx)}`);
      const len = Array.isArray(cur) ? cur.length : byteLength(cur);
      if (idx < 0 || idx > len) throw new Error(`index out of range: ${idx}`);
      if (idx === len)
        throw new Error(
          Array.isArray(cur) ? 'reflect: slice index out of range' : 'reflect: string index out of range',
        );
      cur = Array.isArray(cur) ? cur[idx] : (Buffer.from(cur, 'utf8')[idx] as number);
    } else if (isMap(cur)) {
      if (idx === undefined || idx === null) throw new Error('value is nil; should be of type string');
      if (typeof idx !== 'string') throw new Error(`value has type ${goTypeName(idx)}; should be string`);
      cur = Object.hasOwn(cur, idx) ? cur[idx] : null;
    } else {
      throw new Error(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}

/** Go's builtin template functions (`slice` is sprig's, which replaces Go's, as in oras). */
export const BUILTINS: Readonly<Record<string, GoFunc>> = {
  and: { params: ['value'], variadic: 'value', fn: () => undefined, shortCircuit: 'and' },
  or: { params: ['value'], variadic: 'value', fn: () => undefined, shortCircuit: 'or' },
  not: { params: ['value'], fn: (v: unknown) => !truth(v) },
  call: {
    params: ['value'],
    variadic: 'value',
    fn: (f: unknown) => {
      if (f === undefined || f === null) throw new Error('call of nil');
      throw new Error(`non-function of type ${goTypeName(f)}`);
    },
  },
  html: { params: [], variadic: 'any', fn: (...args: unknown[]) => htmlEscape(evalArgs(args)) },
  js: { params: [], variadic: 'any', fn: (...args: unknown[]) => jsEscape(evalArgs(args)) },
  urlquery: { params: [], variadic: 'any', fn: (...args: unknown[]) => queryEscape(evalArgs(args)) },
  index: { params: ['value'], variadic: 'value', fn: index },
  len: { params: ['value'], fn: length },
  print: { params: [], variadic: 'any', fn: (...args: unknown[]) => sprint(args) },
  printf: {
    params: ['string'],
    variadic: 'any',
    fn: (format: string, ...args: unknown[]) => sprintf(format, args),
  },
  println: { params: [], variadic: 'any', fn: (...args: unknown[]) => sprintln(args) },
  eq: { params: ['value'], variadic: 'value', fn: eq },
  ne: { params: ['value', 'value'], fn: (a: unknown, b: unknown) => !eq(a, b) },
  lt: { params: ['value', 'value'], fn: lt },
  le: { params: ['value', 'value'], fn: (a: unknown, b: unknown) => lt(a, b) || eq(a, b) },
  gt: { params: ['value', 'value'], fn: (a: unknown, b: unknown) => !lt(a, b) && !eq(a, b) },
  ge: { params: ['value', 'value'], fn: (a: unknown, b: unknown) => !lt(a, b) },
};
