/** An in-memory {@link CliContext} for tests: captured stdout/stderr and a given stdin. */
import { PassThrough, Readable, Writable } from 'node:stream';
import type { CliContext, OutputStream } from '../context.js';

/** A captured run context. */
export interface CapturedContext extends CliContext {
  /** Everything written to stdout. */
  readonly out: () => string;
  /** Everything written to stderr. */
  readonly err: () => string;
}

function sink(isTTY: boolean, columns?: number): { stream: OutputStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  }) as OutputStream & { isTTY?: boolean; columns?: number };
  Object.assign(stream, { isTTY, columns });
  return { stream, text: () => text };
}

/** A context whose streams are captured; `stdin` is the given text (or an open, empty stream). */
export function captureContext(
  options: { stdin?: string; tty?: boolean; env?: Record<string, string>; cwd?: string } = {},
): CapturedContext {
  const out = sink(false);
  const err = sink(options.tty ?? false, 100);
  const stdin = options.stdin === undefined ? new PassThrough() : Readable.from([Buffer.from(options.stdin)]);
  return {
    stdout: out.stream,
    stderr: err.stream,
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: out.text,
    err: err.text,
  };
}
