/**
 * PENDING (not committed: each fails on a bug in a package still being built; see the README).
 * Push and copy through faults that the client should ride out.
 */
import {
  type TestRegistry,
  type TokenIssuer,
  startTestRegistry,
  startTokenIssuer,
} from '@oras-internal/test-registry';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { successProblems } from '../src/harness/outcome.js';
import { type Sandbox, createSandbox } from '../src/harness/sandbox.js';
import { type UploadProxy, startUploadProxy } from '../src/harness/upload-proxy.js';
import {
  type ArtifactFile,
  makeBigArtifact,
  registryProblems,
  seedArtifact,
  writeArtifactFiles,
} from '../cases/fixtures.js';
import { PUSH_REPO, pushThrough } from '../cases/push-support.js';

const MiB = 1024 * 1024;
const _httpDate = (secondsFromNow: number) => new Date(Date.now() + secondsFromNow * 1000).toUTCString();

let files: ArtifactFile[];
let box: Sandbox;
let registry: TestRegistry;

beforeAll(() => {
  files = makeBigArtifact();
});
beforeEach(async () => {
  box = await createSandbox();
  await writeArtifactFiles(box.work, files);
  registry = await startTestRegistry();
});
afterEach(async () => {
  await registry.close();
  await box.remove();
});

describe('push through registry faults', () => {
  it('waits out 503 on uploads', async () => {
    registry.setFaults({ serverError: { status: 503, methods: ['PUT', 'PATCH', 'POST'], times: 3 } });
    expect((await pushThrough(box, registry, files)).problems).toEqual([]);
    expect(registry.faultCount('serverError')).toBe(3);
  });

  it('honours 429 with Retry-After in seconds on the upload POST', async () => {
    registry.setFaults({ tooManyRequests: { retryAfter: 1, methods: ['POST'], times: 1 } });
    expect((await pushThrough(box, registry, files)).problems).toEqual([]);
  });
});

describe('push through a proxy that cuts uploads', () => {
  let proxy: UploadProxy;
  beforeEach(async () => {
    proxy = await startUploadProxy({ host: '127.0.0.1', port: registry.port });
  });
  afterEach(async () => {
    await proxy.close();
  });

  it('completes when the connection drops mid-blob once', async () => {
    proxy.setPlan({ cutAfterBytes: 10 * MiB, times: 1 });
    expect((await pushThrough(box, registry, files, { host: proxy.host })).problems).toEqual([]);
    expect(proxy.cuts).toBe(1);
  });

  it('completes when the connection drops mid-blob three times', async () => {
    proxy.setPlan({ cutAfterBytes: 5 * MiB, times: 3 });
    expect((await pushThrough(box, registry, files, { host: proxy.host })).problems).toEqual([]);
    expect(proxy.cuts).toBe(3);
  });
});

describe('push with a token that expires mid-upload', () => {
  let issuer: TokenIssuer;
  let tokenRegistry: TestRegistry;
  beforeAll(async () => {
    issuer = await startTokenIssuer({
      users: { ci: 'ci-password-9d1f' },
      access: [{ account: 'ci', name: '*', actions: ['*'] }],
    });
  });
  afterAll(async () => {
    await issuer.close();
  });
  afterEach(async () => {
    await tokenRegistry.close();
  });

  it('answers the new challenge and completes', async () => {
    tokenRegistry = await startTestRegistry({
      auth: { token: issuer },
      faults: { expireTokensMidUpload: true },
    });
    const { problems } = await pushThrough(box, tokenRegistry, files, {
      flags: ['-u', 'ci', '-p', 'ci-password-9d1f'],
    });
    expect(problems).toEqual([]);
    expect(tokenRegistry.faultCount('expireTokensMidUpload')).toBeGreaterThan(0);
  });
});

describe('copy to a target answering 503', () => {
  it('waits it out', async () => {
    seedArtifact(registry, PUSH_REPO, 'v1', files);
    const target = await startTestRegistry();
    try {
      target.setFaults({ serverError: { status: 503, methods: ['PUT', 'POST'], times: 2 } });
      const run = await box.run(
        [
          'cp',
          `${registry.host}/${PUSH_REPO}:v1`,
          `${target.host}/${PUSH_REPO}:v1`,
          '--from-plain-http',
          '--to-plain-http',
        ],
        { timeoutMs: 90_000 },
      );
      expect(successProblems(run)).toEqual([]);
      expect(registryProblems(target, PUSH_REPO, 'v1', files)).toEqual([]);
    } finally {
      await target.close();
    }
  });
});
