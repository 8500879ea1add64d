/**
 * Pulls from the real registry (Debian's `docker-registry`, CNCF distribution v2.8) through a TCP
 * proxy that cuts the connection mid-answer. What the client must do next depends on how the
 * registry answers the retry, and that is the registry's behaviour, not ours: distribution honours
 * `Range` on blobs (206) and ignores it on manifests (200 and the whole manifest); behind a proxy
 * that drops `Range`, a blob's resume is answered with the whole blob too. Each pull must end with
 * every file in place and verified.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FaultPlan, type FaultProxy, startFaultProxy } from '@oras-internal/fault-proxy';
import { type Distribution, startDistribution } from '@oras-internal/test-registry';
import { afterEach, describe, expect, it } from 'vitest';
import { useFixture, useSandbox } from '../harness/fixture.js';
import { successProblems } from '../harness/outcome.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const registry = useFixture<Distribution>(
  'docker-registry',
  () => startDistribution({ mode: 'plain', logLevel: 'error' }),
  (r) => r.stop(),
  'file',
);
const box = useSandbox();

/**
 * Cuts the first two connections after `bytes` from the registry: the manifest comes on the first
 * and the blob on the first or the second (whichever the pool picks), so the blob is cut once or
 * twice, and its resume (or the second one) goes through whole.
 */
const CUT_THE_BLOB = (bytes: number): FaultPlan => ({ cutAfterBytes: bytes, times: 2 });
const proxies: FaultProxy[] = [];

afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
});

/** A proxy in front of the registry that applies `faults` (and drops `Range` when told). */
async function proxyWith(faults: FaultPlan, dropRange = false): Promise<FaultProxy> {
  const proxy = await startFaultProxy({
    upstream: { host: '127.0.0.1', port: registry.port },
    faults,
    dropRange,
  });
  proxies.push(proxy);
  return proxy;
}

/** Pushes `bytes` as the file `name` to `repo:v1` on the registry itself (no proxy). */
async function seed(repo: string, name: string, bytes: Buffer, ...extra: string[]): Promise<void> {
  writeFileSync(join(box.work, name), bytes);
  const run = await box.run(['push', '--plain-http', `${registry.host}/${repo}:v1`, name, ...extra], {
    timeoutMs: 60_000,
  });
  expect(successProblems(run)).toEqual([]);
}

/** Pulls `repo:v1` through `proxy` into `out/<repo>` and returns the run's problems. */
async function pullThrough(proxy: FaultProxy, repo: string): Promise<string[]> {
  const run = await box.run(['pull', '--plain-http', `${proxy.host}/${repo}:v1`, '-o', join(box.out, repo)], {
    timeoutMs: 60_000,
  });
  return successProblems(run);
}

describe('pull from docker-registry through a proxy that cuts the connection', () => {
  it('resumes a blob cut mid-body with Range (the registry answers 206)', async () => {
    const bytes = randomBytes(3 * MiB);
    await seed('cut/ranged', 'big.bin', bytes);
    const proxy = await proxyWith(CUT_THE_BLOB(MiB));
    expect(await pullThrough(proxy, 'cut/ranged')).toEqual([]);
    expect(proxy.rangeRequests).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(box.out, 'cut/ranged', 'big.bin')).equals(bytes)).toBe(true);
  });

  it.each([
    ['a streamed blob', 3 * MiB, MiB],
    ['a blob read whole (under 256 KiB)', 200 * KiB, 64 * KiB],
  ])(
    'goes on when the resume of %s is answered with all of it (a proxy that drops Range)',
    async (_, size, cut) => {
      const bytes = randomBytes(size);
      const repo = `cut/whole-${size}`;
      await seed(repo, 'blob.bin', bytes);
      const proxy = await proxyWith(CUT_THE_BLOB(cut), true);
      expect(await pullThrough(proxy, repo)).toEqual([]);
      // a resume went through the proxy (and lost its Range on the way)
      expect(proxy.rangeRequests).toBeGreaterThanOrEqual(1);
      expect(readFileSync(join(box.out, repo, 'blob.bin')).equals(bytes)).toBe(true);
    },
  );

  it('asks for a manifest cut mid-body again from the start (the registry ignores Range there)', async () => {
    const note = randomBytes(4 * KiB);
    // a manifest of ~48 KiB, cut 16 KiB in
    await seed('cut/manifest', 'note.bin', note, '--annotation', `padding=${'p'.repeat(48 * KiB)}`);
    const proxy = await proxyWith({ cutAfterBytes: 16 * KiB, times: 1 });
    expect(await pullThrough(proxy, 'cut/manifest')).toEqual([]);
    expect(proxy.faulted).toBe(1);
    expect(readFileSync(join(box.out, 'cut/manifest', 'note.bin')).equals(note)).toBe(true);
  });
});
