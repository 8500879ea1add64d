/**
 * `oras` killed with SIGKILL in the middle of a pull and of a push, then run again: the second run
 * completes, the output folder holds only complete, verified files (nothing partial under a final
 * name, even right after the kill), and the registry never holds a manifest over missing blobs.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startFaultProxy } from '@oras-internal/fault-proxy';
import { beforeAll, describe, expect, it } from 'vitest';
import { useSandbox, useTestRegistry } from '../harness/fixture.js';
import { successProblems } from '../harness/outcome.js';
import { filesUnder } from '../harness/tree.js';
import {
  type ArtifactFile,
  brokenManifests,
  makeBigArtifact,
  outputProblems,
  registryProblems,
  seedArtifact,
  writeArtifactFiles,
} from './big-artifact.js';
import { PUSH_REPO, pushThrough } from './push-support.js';

const MiB = 1024 * 1024;

let files: ArtifactFile[];

beforeAll(() => {
  files = makeBigArtifact();
});
const box = useSandbox();
const registry = useTestRegistry();

/** The bytes of regular files directly or deeply under the folders (missing ones count 0). */
async function bytesUnder(...dirs: string[]): Promise<number> {
  let total = 0;
  for (const dir of dirs) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const st = await stat(join(entry.parentPath, entry.name)).catch(() => undefined);
      total += st?.size ?? 0;
    }
  }
  return total;
}

describe('SIGKILL in the middle of a pull', () => {
  it('leaves nothing partial under a final name, and the next run completes', async () => {
    seedArtifact(registry, 'hostile/big', 'v1', files);
    const args = ['pull', `${registry.host}/hostile/big:v1`, '-o', box.out, '--plain-http'];
    const first = await box.run(args, {
      killWhen: async () => (await bytesUnder(box.out, box.tmp)) > 20 * MiB,
    });
    expect(first.killed).toBe(true);
    const afterKill = await box.snapshot();
    const byName = new Map(files.map((f) => [f.name, f.digest]));
    for (const [name, digest] of filesUnder(afterKill, 'out')) {
      if (byName.has(name)) expect(digest, `${name} right after the kill`).toBe(byName.get(name));
    }
    const second = await box.run(args);
    expect(successProblems(second)).toEqual([]);
    expect(outputProblems(await box.snapshot(), 'out', files)).toEqual([]);
  });
});

describe('SIGKILL in the middle of a push', () => {
  it('leaves no broken manifest, and the next run completes', async () => {
    await writeArtifactFiles(box.work, files);
    // no faults: the proxy only counts what the push has sent, to kill it mid-upload
    const proxy = await startFaultProxy({ upstream: { host: '127.0.0.1', port: registry.port } });
    try {
      const first = await box.run(
        ['push', `${proxy.host}/${PUSH_REPO}:v1`, ...files.map((f) => f.name), '--plain-http'],
        {
          killWhen: () => proxy.uploadedBytes > 24 * MiB,
        },
      );
      expect(first.killed).toBe(true);
      expect(brokenManifests(registry, PUSH_REPO, ['v1'])).toEqual([]);
      expect(registry.storage.getManifest(PUSH_REPO, 'v1')).toBeUndefined();
      const { problems } = await pushThrough(box, registry, files);
      expect(problems).toEqual([]);
      expect(registryProblems(registry, PUSH_REPO, 'v1', files)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
