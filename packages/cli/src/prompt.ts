/**
 * Line prompts (on stderr unless told otherwise), reading stdin: echoed for a username, hidden
 * (raw mode, nothing echoed) for a secret when stdin is a terminal. When stdin is not a terminal,
 * lines are read as they come.
 * And the `[y/N]` confirmation of the delete commands.
 */
import type { CliContext } from './context.js';
import { CliError } from './errors.js';

/** Reads answers to prompts, one line each. */
export class LinePrompter {
  readonly #ctx: CliContext;
  readonly #out: CliContext['stderr'];
  #buffer = '';
  #ended = false;
  #waiters: (() => void)[] = [];
  readonly #onData = (chunk: Buffer | string) => {
    this.#buffer += chunk.toString();
    this.#wake();
  };
  readonly #onEnd = () => {
    this.#ended = true;
    this.#wake();
  };

  /** Reads `ctx.stdin`, printing the prompts on `out` (default stderr). */
  constructor(ctx: CliContext, out: CliContext['stderr'] = ctx.stderr) {
    this.#ctx = ctx;
    this.#out = out;
    ctx.stdin.on('data', this.#onData);
    ctx.stdin.on('end', this.#onEnd);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Prints `question` and resolves to the line typed (without its line break). */
  async ask(question: string, hidden = false): Promise<string> {
    const { stdin } = this.#ctx;
    const out = this.#out;
    const raw = hidden && stdin.isTTY === true && typeof stdin.setRawMode === 'function';
    // Echo goes off before the prompt shows, so nothing typed after it is ever echoed.
    if (raw) stdin.setRawMode?.(true);
    out.write(question);
    try {
      for (;;) {
        if (raw && this.#buffer.includes('\u0003')) throw new CliError('login canceled');
        const end = this.#buffer.search(/\r\n|\r|\n/);
        if (end >= 0) {
          const line = this.#buffer.slice(0, end);
          this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith('\r\n', end) ? 2 : 1));
          if (hidden) out.write('\n');
          return raw ? applyBackspaces(line) : line;
        }
        if (this.#ended) {
          const line = this.#buffer;
          this.#buffer = '';
          if (hidden || line !== '') out.write('\n');
          return line;
        }
        stdin.resume();
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
    } finally {
      if (raw) stdin.setRawMode?.(false);
    }
  }

  /** Stops reading stdin. */
  close(): void {
    this.#ctx.stdin.off('data', this.#onData);
    this.#ctx.stdin.off('end', this.#onEnd);
    this.#ctx.stdin.pause();
  }
}

/** Applies the backspaces typed in raw mode. */
function applyBackspaces(line: string): string {
  const out: string[] = [];
  for (const ch of line) {
    if (ch === '\u007f' || ch === '\b') out.pop();
    else out.push(ch);
  }
  return out.join('');
}

/**
 * Asks `<prompt> [y/N] ` on stdout and reads one line from stdin, as oras does; only `y` or `yes`
 * confirm. When stdin ends without an answer (no terminal, nothing piped in), nothing is assumed:
 * the operation is cancelled and stderr says to use `--force`.
 */
export async function confirm(ctx: CliContext, prompt: string, force: boolean): Promise<boolean> {
  if (force) return true;
  ctx.stdout.write(`${prompt} [y/N] `);
  const prompter = new LinePrompter(ctx);
  let answer: string;
  try {
    answer = await prompter.ask('');
  } finally {
    prompter.close();
  }
  const word = answer.trim().toLowerCase();
  if (word === 'y' || word === 'yes') return true;
  ctx.stdout.write('Operation cancelled.\n');
  if (answer === '' && ctx.stdin.isTTY !== true) {
    ctx.stderr.write('no confirmation was read from stdin: use --force to skip the prompt\n');
  }
  return false;
}
