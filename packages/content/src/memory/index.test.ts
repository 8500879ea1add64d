import { AlreadyExistsError, SizeExceedsLimitError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { isGraphTarget } from '../interfaces.js';
import { descriptorOf, fetchAll } from '../stream.js';
import { describeStoreBehaviour } from '../test-support/store-behaviour.js';
import { MemoryStore } from './index.js';

describeStoreBehaviour('MemoryStore', () => new MemoryStore(), { duplicatePush: 'reject' });

describe('MemoryStore', () => {
  it('is a graph target', () => {
    expect(isGraphTarget(new MemoryStore())).toBe(true);
  });

  it('rejects a push of content being pushed at the same moment', async () => {
    const store = new MemoryStore();
    const bytes = new TextEncoder().encode('same');
    const desc = descriptorOf('application/octet-stream', bytes);
    const results = await Promise.allSettled([store.push(desc, bytes), store.push(desc, bytes)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(AlreadyExistsError.is(rejected?.reason)).toBe(true);
  });

  it('enforces maxBlobBytes', async () => {
    const store = new MemoryStore({ maxBlobBytes: 4 });
    const bytes = new TextEncoder().encode('too long');
    const desc = descriptorOf('application/octet-stream', bytes);
    await expect(store.push(desc, bytes)).rejects.toMatchObject({ code: SizeExceedsLimitError.code });
    expect(await store.exists(desc)).toBe(false);
  });

  it('honours an aborted signal', async () => {
    const store = new MemoryStore();
    const controller = new AbortController();
    controller.abort();
    await expect(store.resolve('x', { signal: controller.signal })).rejects.toThrow();
  });

  it('keeps its own copy of pushed bytes', async () => {
    const store = new MemoryStore();
    const bytes = new TextEncoder().encode('original');
    const desc = descriptorOf('application/octet-stream', bytes);
    await store.push(desc, bytes);
    bytes.fill(0); // the caller reuses its buffer
    expect(new TextDecoder().decode(await fetchAll(store, desc))).toBe('original');
    expect(new TextDecoder().decode(await new Response(await store.fetch(desc)).arrayBuffer())).toBe(
      'original',
    );
  });
});
