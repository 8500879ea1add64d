import { InvalidArgumentError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory/index.js';
import { collectPages } from './pages.js';
import { pushBytes } from './stream.js';

/** Three pages, counting how many were asked for. */
function pages() {
  const state = { fetched: 0, closed: false };
  async function* generate() {
    try {
      for (const page of [['a', 'b'], ['c', 'd'], ['e']]) {
        state.fetched++;
        yield page;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, iterable: generate() };
}

describe('collectPages', () => {
  it('reads every page into one array, in order', async () => {
    const { iterable } = pages();
    expect(await collectPages(iterable)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('stops at the limit without fetching the pages after, and closes the listing', async () => {
    const { state, iterable } = pages();
    expect(await collectPages(iterable, { limit: 3 })).toEqual(['a', 'b', 'c']);
    expect(state.fetched).toBe(2);
    expect(state.closed).toBe(true);
    expect(await collectPages(pages().iterable, { limit: 0 })).toEqual([]);
    await expect(collectPages(pages().iterable, { limit: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const { iterable } = pages();
    const collected = collectPages(
      (async function* () {
        for await (const page of iterable) {
          yield page;
          controller.abort(new Error('enough'));
        }
      })(),
      { signal: controller.signal },
    );
    await expect(collected).rejects.toThrow('enough');
  });

  it('collects the tags of a store', async () => {
    const store = new MemoryStore();
    const desc = await pushBytes(store, 'text/plain', new TextEncoder().encode('x'));
    for (const t of ['v3', 'v1', 'v2']) await store.tag(desc, t);
    expect(await collectPages(store.tags())).toEqual(['v1', 'v2', 'v3']);
  });
});
