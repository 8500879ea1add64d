import type { Descriptor } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { walkReferrers } from './discover-run.js';

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
});
