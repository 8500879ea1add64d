/**
 * Push of a 64 MiB artifact of four blobs through the built `oras` while the network cuts the
 * upload: it completes with every blob checked by digest in the registry, or fails cleanly without
 * a manifest over missing blobs, never touching the user's files.
 */
import { startFaultProxy } from '@oras-internal/fault-proxy';
import { startTestRegistry } from '@oras-internal/test-registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFaultProxy, useSandbox, useTestRegistry, useTokenIssuer } from '../harness/fixture.js';
import { successProblems } from '../harness/outcome.js';
import {
  type ArtifactFile,
  makeBigArtifact,
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

const box = useSandbox({ prepare: (box) => writeArtifactFiles(box.work, files) });
const registry = useTestRegistry();
/** Cuts the uploads of the push (on the bytes the client sends). */
const proxy = useFaultProxy(registry);

const httpDate = (secondsFromNow: number) => new Date(Date.now() + secondsFromNow * 1000).toUTCString();

/** Upload status requests (`GET` on an upload URL): how a client learns where to resume. */
const statusChecks = () =>
  registry.requests.filter((r) => r.method === 'GET' && r.route === 'upload' && r.status === 204).length;

describe('push through registry faults', () => {
  it('waits out 503 on uploads', async () => {
    registry.setFaults({ serverError: { status: 503, methods: ['PUT', 'PATCH', 'POST'], times: 3 } });
    expect((await pushThrough(box, registry, files)).problems).toEqual([]);
    expect(registry.faultCount('serverError')).toBe(3);
  });

  it('honours 429 with Retry-After in seconds on the upload POST', async () => {
    registry.setFaults({ tooManyRequests: { retryAfter: 1, methods: ['POST'], times: 1 } });
    expect((await pushThrough(box, registry, files)).problems).toEqual([]);
    expect(registry.faultCount('tooManyRequests')).toBe(1);
  });

  it('honours 429 with Retry-After as an HTTP date on the blob PUT', async () => {
    registry.setFaults({ tooManyRequests: { retryAfter: httpDate(2), methods: ['PUT'], times: 1 } });
    expect((await pushThrough(box, registry, files)).problems).toEqual([]);
    expect(registry.faultCount('tooManyRequests')).toBe(1);
  });
});

describe('push through a proxy that cuts uploads', () => {
  it('completes when the connection drops mid-blob once, resuming where the registry stopped', async () => {
    proxy.setFaults({ cutUploadAfterBytes: 10 * MiB, times: 1 });
    expect((await pushThrough(box, registry, files, { host: proxy.host })).problems).toEqual([]);
    expect(proxy.uploadCuts).toBe(1);
    expect(statusChecks()).toBeGreaterThanOrEqual(1);
  });

  it('completes when the connection drops mid-blob three times', async () => {
    proxy.setFaults({ cutUploadAfterBytes: 5 * MiB, times: 3 });
    expect((await pushThrough(box, registry, files, { host: proxy.host })).problems).toEqual([]);
    expect(proxy.uploadCuts).toBe(3);
    expect(statusChecks()).toBeGreaterThanOrEqual(3);
  });

  it('fails cleanly, with no manifest over missing blobs, when every connection drops', async () => {
    proxy.setFaults({ cutUploadAfterBytes: 1 * MiB });
    const { run, problems } = await pushThrough(box, registry, files, {
      host: proxy.host,
      mayFail: /sha256:|connection|socket|closed|reset|terminated/i,
    });
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
    expect(registry.storage.getManifest('hostile/big', 'v1')).toBeUndefined();
  });
});

describe('push through responses that stall for good', () => {
  it('times the stalled requests out and completes', async () => {
    const stalling = await startFaultProxy({ upstream: { host: '127.0.0.1', port: registry.port } });
    try {
      // the first two connections go silent after their first bytes, whatever they were asking.
      // The request timeout is generous (a loaded machine can keep an honest answer quiet for a
      // second or more, which a 1 s timeout took for a stall), and the run's own limit leaves
      // room for both stalls to time out: the case asserts what happened, not how long it took.
      stalling.setFaults({ stallAfterBytes: 1, times: 2 });
      const { run, problems } = await pushThrough(box, registry, files, {
        host: stalling.host,
        env: { ORAS_REQUEST_TIMEOUT: '10' },
        timeoutMs: 150_000,
      });
      expect(problems).toEqual([]);
      expect(run.stderr).toBe('');
      expect(stalling.faulted).toBe(2);
    } finally {
      await stalling.close();
    }
  }, 200_000);

  it('fails cleanly, naming the timeout, when every response stalls', async () => {
    const stalling = await startFaultProxy({ upstream: { host: '127.0.0.1', port: registry.port } });
    try {
      stalling.setFaults({ stallAfterBytes: 1 });
      const { run, problems } = await pushThrough(box, registry, files, {
        host: stalling.host,
        mayFail: /timed out/,
        env: { ORAS_REQUEST_TIMEOUT: '0.5' },
      });
      expect(problems).toEqual([]);
      expect(run.code).not.toBe(0);
    } finally {
      await stalling.close();
    }
  });
});

describe('push with a token that expires mid-upload', () => {
  const issuer = useTokenIssuer({
    users: { ci: 'ci-password-9d1f' },
    access: [{ account: 'ci', name: '*', actions: ['*'] }],
  });
  const tokenRegistry = useTestRegistry(() => ({
    auth: { token: issuer },
    faults: { expireTokensMidUpload: true },
  }));

  it('answers the new challenge and completes', async () => {
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
      expect(target.faultCount('serverError')).toBe(2);
    } finally {
      await target.close();
    }
  });
});
