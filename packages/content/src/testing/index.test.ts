import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../memory/index.js';
import { storeBehaviourCases } from './index.js';

/** A memory store whose `fetch` hands out other bytes than it was given. */
class CorruptingStore extends MemoryStore {
  override async fetch(...args: Parameters<MemoryStore['fetch']>): ReturnType<MemoryStore['fetch']> {
    await super.fetch(...args);
    return new Blob([new Uint8Array(args[0].size).fill(7)]).stream();
  }
}

const byName = (cases: ReturnType<typeof storeBehaviourCases>, name: string) => {
  const found = cases.find((c) => c.name === name);
  if (!found) throw new Error(`no case named ${name}`);
  return found;
};

describe('storeBehaviourCases', () => {
  it('gives named cases that a store of the contract passes', async () => {
    const cases = storeBehaviourCases(() => new MemoryStore(), { duplicatePush: 'reject' });
    expect(cases.length).toBe(21);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(await byName(cases, 'fetches what was pushed, byte for byte').run()).toBeUndefined();
  });

  it('fails a case with an AssertionError when the store breaks the contract', async () => {
    const cases = storeBehaviourCases(() => new CorruptingStore());
    await expect(byName(cases, 'fetches what was pushed, byte for byte').run()).rejects.toBeInstanceOf(
      AssertionError,
    );
  });

  it('fails the duplicate push case when the store does not do as the options say', async () => {
    const cases = storeBehaviourCases(() => new MemoryStore(), { duplicatePush: 'accept' });
    await expect(byName(cases, 'handles a duplicate push as documented').run()).rejects.toBeInstanceOf(
      AssertionError,
    );
  });

  it('reports a case skipped, with a reason, when the store lacks the capability', async () => {
    const plain = () => {
      const store = new MemoryStore();
      return {
        fetch: store.fetch.bind(store),
        push: store.push.bind(store),
        exists: store.exists.bind(store),
        resolve: store.resolve.bind(store),
        tag: store.tag.bind(store),
      };
    };
    const cases = storeBehaviourCases(plain);
    expect(await byName(cases, 'untags without deleting content when it can').run()).toEqual({
      skipped: 'the store cannot untag',
    });
    expect(await byName(cases, 'tags a manifest and resolves the tag').run()).toBeUndefined();
  });

  it('leaves out digest resolution for stores that do not resolve digests', () => {
    const names = storeBehaviourCases(() => new MemoryStore(), { resolvesDigests: false }).map((c) => c.name);
    expect(names).not.toContain('resolves the digest of a stored manifest');
  });

  it('makes one store per case when the case runs, and cleans it up even when the case fails', async () => {
    const made: MemoryStore[] = [];
    const cleaned: MemoryStore[] = [];
    const cases = storeBehaviourCases(
      () => {
        const store = new CorruptingStore();
        made.push(store);
        return store;
      },
      { cleanup: (store) => void cleaned.push(store) },
    );
    expect(made).toEqual([]);
    await byName(cases, 'fetches what was pushed, byte for byte')
      .run()
      .catch(() => undefined);
    await byName(cases, 'says whether content exists').run();
    expect(made.length).toBe(2);
    expect(cleaned).toEqual(made);
  });
});
