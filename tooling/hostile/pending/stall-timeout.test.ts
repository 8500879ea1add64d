/**
 * PENDING (not committed): a response that stalls for good must end in a timeout with a clear
 * message and a clean failure, not a five-minute wait. Neither `createTransport` (@oras/registry)
 * nor the CLI sets or exposes a headers/body timeout, so undici's 300 s defaults apply and this
 * run is killed by the harness as a hang.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FaultProxy, startFaultProxy } from '@oras-internal/fault-proxy';
import { type TestRegistry, startTestRegistry } from '@oras-internal/test-registry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanFailureProblems } from '../src/harness/outcome.js';
import { type Sandbox, createSandbox } from '../src/harness/sandbox.js';
import { diffTrees } from '../src/harness/tree.js';
import { makeBigArtifact, partialOutputProblems, seedArtifact } from '../cases/fixtures.js';

const MiB = 1024 * 1024;
let box: Sandbox;
let registry: TestRegistry;
let proxy: FaultProxy;

beforeEach(async () => {
  box = await createSandbox();
  await writeFile(join(box.out, 'notes.txt'), 'mine\n');
  registry = await startTestRegistry();
  proxy = await startFaultProxy({ upstream: { host: '127.0.0.1', port: registry.port } });
});
afterEach(async () => {
  await proxy.close();
  await registry.close();
  await box.remove();
});

describe('a response that stalls for good', () => {
  it('times out with a clear message, leaving no partial file', async () => {
    const files = makeBigArtifact();
    seedArtifact(registry, 'hostile/big', 'v1', files);
    proxy.setFaults({ stallAfterBytes: 4 * MiB });
    const before = await box.snapshot();
    const run = await box.run(['pull', `${proxy.host}/hostile/big:v1`, '-o', box.out, '--plain-http'], {
      timeoutMs: 90_000,
    });
    expect(cleanFailureProblems(run, /timeout|timed out/i)).toEqual([]);
    const after = await box.snapshot();
    const diff = diffTrees(before, after);
    expect([...diff.removed, ...diff.changed]).toEqual([]);
    const rest = new Map(after);
    rest.delete('out/notes.txt');
    expect(partialOutputProblems(rest, 'out', files)).toEqual([]);
  });
});
