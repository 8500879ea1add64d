import type { Descriptor } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { MAX_DISCOVER_DEPTH, walkReferrers } from './run.js';

const d = (n: number, artifactType = 'x/y'): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: n,
  artifactType,
});

/** A target whose referrers are a fixed table (a registry answering the referrers API). */
function fakeTarget(edges: Map<string, Descriptor[]>) {
  return {
    resolve: async () => d(1),
    fetch: async () => new ReadableStream<Uint8Array>(),
    exists: async () => true,
    predecessors: async () => [],
    async *referrers(subject: Descriptor, options?: { artifactType?: string }) {
      yield (edges.get(subject.digest) ?? []).filter(
        (r) => !options?.artifactType || r.artifactType === options.artifactType,
      );
    },
  };
}

describe('discover walks the referrer graph', () => {
  it('stops at a node seen before, so a cycle of referrers ends (GHSA-298f-872v-2rcx)', async () => {
    const [a, b, c] = [d(1), d(2), d(3)];
    const edges = new Map([
      [a.digest, [b]],
      [b.digest, [c, a]],
      [c.digest, [b]],
    ]);
    const found = await walkReferrers(fakeTarget(edges), a, 0);
    expect(found.map((f) => f.desc.digest)).toEqual([b.digest]);
    expect(found[0]?.referrers.map((f) => f.desc.digest)).toEqual([c.digest]);
    expect(found[0]?.referrers[0]?.referrers).toEqual([]);
  });

  it('honours --depth and --artifact-type', async () => {
    const [a, b, c, e] = [d(1), d(2), d(3), d(4, 'other/type')];
    const edges = new Map([
      [a.digest, [b, e]],
      [b.digest, [c]],
    ]);
    const one = await walkReferrers(fakeTarget(edges), a, 1);
    expect(one.map((f) => f.desc.digest)).toEqual([b.digest, e.digest]);
    expect(one[0]?.referrers).toEqual([]);
    const typed = await walkReferrers(fakeTarget(edges), a, 0, 'other/type');
    expect(typed.map((f) => f.desc.digest)).toEqual([e.digest]);
  });

  /** A chain a <- 1 <- 2 <- ... <- levels: each level refers to the one above. */
  function chain(levels: number) {
    const nodes = Array.from({ length: levels + 1 }, (_, i) => ({
      ...d(1),
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
    }));
    const edges = new Map(nodes.slice(0, -1).map((n, i) => [n.digest, [nodes[i + 1]!]]));
    return { root: nodes[0]!, target: fakeTarget(edges) };
  }

  function depthOf(found: Awaited<ReturnType<typeof walkReferrers>>): number {
    let levels = 0;
    for (let level = found; level.length > 0; level = level[0]!.referrers) levels++;
    return levels;
  }

  it('refuses 10,000 levels of referrers naming the limit, without a stack overflow', async () => {
    const { root, target } = chain(10_000);
    await expect(walkReferrers(target, root, 0)).rejects.toThrow(
      new RegExp(`nest deeper than ${MAX_DISCOVER_DEPTH} levels, the limit of discover`),
    );
  });

  it('walks a chain as deep as the limit, and shows fewer levels when --depth asks', async () => {
    const { root, target } = chain(40);
    expect(depthOf(await walkReferrers(target, root, 0, undefined, 40))).toBe(40);
    await expect(walkReferrers(target, root, 0, undefined, 39)).rejects.toThrow(/deeper than 39 levels/);
    expect(depthOf(await walkReferrers(target, root, 10, undefined, 39))).toBe(10);
    await expect(walkReferrers(target, root, 50, undefined, 39)).rejects.toThrow(/deeper than 39 levels/);
  });

  it('keeps the order of a depth-first walk', async () => {
    const [a, b, c, e, f] = [d(1), d(2), d(3), d(4), d(5)];
    const edges = new Map([
      [a.digest, [b, e]],
      [b.digest, [c, e]],
      [e.digest, [f]],
    ]);
    const found = await walkReferrers(fakeTarget(edges), a, 0);
    expect(found.map((x) => x.desc.digest)).toEqual([b.digest]);
    expect(found[0]?.referrers.map((x) => x.desc.digest)).toEqual([c.digest, e.digest]);
    expect(found[0]?.referrers[1]?.referrers.map((x) => x.desc.digest)).toEqual([f.digest]);
  });

  it('refuses referrers past its byte budget, naming it, without reading the pages after', async () => {
    const root = d(1);
    let pagesRead = 0;
    const target = {
      ...fakeTarget(new Map()),
      async *referrers() {
        for (let page = 0; page < 1000; page++) {
          pagesRead++;
          yield Array.from({ length: 100 }, (_, i) => ({
            ...d(2),
            digest: `sha256:${(page * 100 + i).toString(16).padStart(64, '0')}`,
          }));
        }
      },
    };
    const one = JSON.stringify({ ...d(2), digest: `sha256:${'0'.repeat(64)}` }).length;
    await expect(walkReferrers(target, root, 1, undefined, MAX_DISCOVER_DEPTH, one * 250)).rejects.toThrow(
      `referrers of ${root.digest}: more than ${one * 250} bytes of referrers, the limit of discover`,
    );
    expect(pagesRead).toBe(3);
    const all = await walkReferrers(target, root, 1, undefined, MAX_DISCOVER_DEPTH, one * 100_000);
    expect(all).toHaveLength(100_000);
  });
});
