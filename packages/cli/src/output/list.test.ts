/** Lists printed page by page: the same bytes as the whole model printed at once. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../context.js';
import type { FormatOptions } from '../options/format.js';
import { MAX_TEMPLATE_LIST_BYTES, writeListPages } from './list.js';
import { goJson } from './metadata.js';

/** A context whose stdout is collected, with the writes it got. */
function capture() {
  const stdout = new PassThrough();
  const writes: string[] = [];
  stdout.on('data', (chunk: Buffer) => writes.push(chunk.toString('utf8')));
  const ctx = { stdout } as unknown as CliContext;
  return { ctx, writes, text: () => writes.join('') };
}

async function* pagesOf(...pages: string[][]): AsyncGenerator<string[]> {
  for (const page of pages) yield page;
}

const JSON_FORMAT: FormatOptions = { type: 'json' };
const TEXT_FORMAT: FormatOptions = { type: 'text' };

describe('writeListPages', () => {
  it('prints text one escaped name a line, one write per page', async () => {
    const out = capture();
    await writeListPages(out.ctx, TEXT_FORMAT, {}, 'tags', pagesOf(['a', 'b'], [], ['c\u001b[2J']));
    expect(out.text()).toBe('a\nb\nc\\x1b[2J\n');
    expect(out.writes).toEqual(['a\nb\n', 'c\\x1b[2J\n']);
  });

  it('prints JSON page by page exactly as the whole model would print', async () => {
    for (const pages of [[], [[]], [['a']], [['a', 'b'], [], ['<c>', 'd\u202e']]]) {
      const out = capture();
      await writeListPages(out.ctx, JSON_FORMAT, { registry: 'r:5000' }, 'repositories', pagesOf(...pages));
      expect(out.text()).toBe(`${goJson({ registry: 'r:5000', repositories: pages.flat() })}\n`);
      const out2 = capture();
      await writeListPages(out2.ctx, JSON_FORMAT, {}, 'tags', pagesOf(...pages));
      expect(out2.text()).toBe(`${goJson({ tags: pages.flat() })}\n`);
    }
  });

  it('gives a Go template the whole model', async () => {
    const out = capture();
    const format: FormatOptions = { type: 'go-template', template: '{{range .tags}}{{.}};{{end}}' };
    await writeListPages(out.ctx, format, {}, 'tags', pagesOf(['a'], ['b']));
    expect(out.text()).toBe('a;b;');
  });

  it('refuses a Go template over a list bigger than it holds, naming the limit', async () => {
    const out = capture();
    const format: FormatOptions = { type: 'go-template', template: '{{len .tags}}' };
    const page = Array.from({ length: 1024 }, () => 'x'.repeat(1023));
    async function* many(): AsyncGenerator<string[]> {
      for (let i = 0; i <= MAX_TEMPLATE_LIST_BYTES / (1024 * 1024); i++) yield page;
    }
    await expect(writeListPages(out.ctx, format, {}, 'tags', many())).rejects.toThrow(
      `tags: more than ${MAX_TEMPLATE_LIST_BYTES} bytes, the most --format go-template holds`,
    );
    expect(out.text()).toBe('');
  });

  it('waits for a full stream to drain before the next page', async () => {
    const stdout = new PassThrough({ highWaterMark: 4 });
    const ctx = { stdout } as unknown as CliContext;
    let pulled = 0;
    async function* counted(): AsyncGenerator<string[]> {
      for (let i = 0; i < 3; i++) {
        pulled++;
        yield ['0123456789'];
      }
    }
    const done = writeListPages(ctx, TEXT_FORMAT, {}, 'tags', counted());
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulled).toBe(1);
    const read: string[] = [];
    stdout.on('data', (chunk: Buffer) => read.push(chunk.toString('utf8')));
    await done;
    expect(pulled).toBe(3);
    expect(read.join('')).toBe('0123456789\n'.repeat(3));
  });
});
