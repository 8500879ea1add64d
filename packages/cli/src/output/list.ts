/**
 * Lists that arrive in pages (`repo tags`, `repo ls`), printed page by page as they arrive: one
 * name a line in text, or the JSON model written piece by piece, so a registry with millions of
 * tags costs the memory of one page, not of the whole list. Only a Go template needs the whole
 * model; it is collected up to {@link MAX_TEMPLATE_LIST_BYTES}.
 */
import type { CliContext, OutputStream } from '../context.js';
import { CliError } from '../errors.js';
import type { FormatOptions } from '../options/format.js';
import { printable } from './escape.js';
import { goJson, writeResult } from './metadata.js';

/**
 * The most bytes of names `--format go-template` collects before it gives up: the template sees
 * the whole model, so it cannot be printed page by page like text and JSON.
 */
export const MAX_TEMPLATE_LIST_BYTES = 32 * 1024 * 1024;

/** Writes `text`, waiting for the stream to drain when it says so (a slow pipe holds no more). */
export async function writeChunk(out: OutputStream, text: string): Promise<void> {
  if (text === '' || out.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

/**
 * Prints the names `pages` yields as `format` says, each page as it comes: text is one escaped
 * name a line; JSON is `head` plus `key` holding the names, exactly as `goJson` would print the
 * whole model; a Go template gets the whole model, collected up to
 * {@link MAX_TEMPLATE_LIST_BYTES} (past it: a {@link CliError} naming the limit). A failure
 * part-way leaves what was printed so far (as text output always did) and rejects.
 */
export async function writeListPages(
  ctx: CliContext,
  format: FormatOptions,
  head: Readonly<Record<string, unknown>>,
  key: string,
  pages: AsyncIterable<readonly string[]>,
): Promise<void> {
  if (format.type === 'go-template') {
    const names: string[] = [];
    let bytes = 0;
    for await (const page of pages) {
      for (const name of page) {
        bytes += name.length + 1;
        if (bytes > MAX_TEMPLATE_LIST_BYTES) {
          throw new CliError(
            `${key}: more than ${MAX_TEMPLATE_LIST_BYTES} bytes, the most --format go-template holds: use --format json or text, which print page by page`,
          );
        }
        names.push(name);
      }
    }
    await writeResult(ctx, format, { ...head, [key]: names }, () => '');
    return;
  }
  if (format.type === 'json') {
    // `{ ..., "key": [] }` as goJson prints it, split where the names go
    const empty = goJson({ ...head, [key]: [] });
    const at = empty.lastIndexOf('[]');
    const open = `${empty.slice(0, at)}[`;
    const close = `\n  ]${empty.slice(at + 2)}\n`;
    let count = 0;
    for await (const page of pages) {
      if (page.length === 0) continue;
      // `[\n    "a",\n    "b"\n]` at indent 4 is the page's items as they sit in the document
      const items = goJson(page, 4).slice(1, -2);
      await writeChunk(ctx.stdout, `${count === 0 ? open : ','}${items}`);
      count += page.length;
    }
    await writeChunk(ctx.stdout, count === 0 ? `${empty}\n` : close);
    return;
  }
  for await (const page of pages) {
    let text = '';
    for (const name of page) text += `${printable(name)}\n`;
    await writeChunk(ctx.stdout, text);
  }
}
