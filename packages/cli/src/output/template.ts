/**
 * Go templates for `--format go-template`: Go's text/template language with the functions oras
 * gives its templates (Go's builtins and sprig's `sprig.FuncMap()`), over the JSON model of a
 * command's output, printing values the way Go's `fmt` prints JSON decoded into `any`.
 *
 * Where we differ from oras, and why:
 * - A number that is a whole number is an `int`; oras sees every number of a fetched manifest as a
 *   `float64` (it prints `1e+06` for a size of 1000000, and `eq .size 1` fails there with
 *   "incompatible types"). Our model is JSON, which keeps no such difference.
 * - `{{template}}` calls nest at most {@link MAX_TEMPLATE_DEPTH} deep (Go: 100,000).
 * - sprig's certificate, key, bcrypt, semver and DNS functions fail with "not supported".
 */
import { BUILTINS, ExecError, type GoFunc, MAX_TEMPLATE_DEPTH, State } from './go-template/exec.js';
import { ParseError, parseTemplate, type TemplateSet } from './go-template/parse.js';
import { SPRIG } from './go-template/sprig.js';

export { MAX_TEMPLATE_DEPTH };

/**
 * A template that does not parse or fails while it runs. The message is Go's error text after its
 * `template: ` prefix, e.g. `format output:1: function "nosuch" not defined` or
 * `format output:1:4: executing "format output" at <.a.b>: nil pointer evaluating interface {}.b`.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  /** What the template printed before it failed (oras has written it to stdout by then). */
  readonly partial: string;

  constructor(message: string, options?: { cause?: unknown; partial?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.partial = options?.partial ?? '';
  }
}

/** The functions a template can call: sprig's, then Go's builtins (sprig's `slice` wins, as in Go). */
const FUNCS: Readonly<Record<string, GoFunc>> = { ...BUILTINS, ...SPRIG };

/** The name oras gives its templates, which Go's error messages quote. */
const TEMPLATE_NAME = 'format output';

/** A parsed template, ready to execute many times. */
export interface CompiledTemplate {
  /** Renders the template with `data` as `.` and `$`; throws {@link TemplateError}. */
  execute(data: unknown): string;
}

function stackOverflow(error: unknown): boolean {
  return error instanceof RangeError;
}

/** Parses a Go template; throws {@link TemplateError} with Go's message when it is malformed. */
export function compileTemplate(source: string): CompiledTemplate {
  let set: TemplateSet;
  try {
    set = parseTemplate(source, TEMPLATE_NAME, (name) => Object.hasOwn(FUNCS, name));
  } catch (error) {
    if (error instanceof ParseError) throw new TemplateError(error.message, { cause: error });
    if (stackOverflow(error))
      throw new TemplateError(`${TEMPLATE_NAME}: template is nested too deeply`, { cause: error });
    throw error;
  }
  return {
    execute(data: unknown): string {
      // nil data is Go's invalid value: fields of it are "no value", not a nil dereference
      const dot = data === null ? undefined : data;
      const state = new State(set, source, TEMPLATE_NAME, FUNCS, dot);
      try {
        return state.run(dot);
      } catch (error) {
        if (error instanceof ExecError)
          throw new TemplateError(error.message, { cause: error, partial: state.partial() });
        if (stackOverflow(error)) {
          throw new TemplateError(`${TEMPLATE_NAME}: template output too large or nested too deeply`, {
            cause: error,
            partial: state.partial(),
          });
        }
        throw error;
      }
    },
  };
}
