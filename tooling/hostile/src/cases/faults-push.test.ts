/**
 * Push of a 64 MiB artifact of four blobs through the built `oras` while the network cuts the
 * upload: it completes with every blob checked by digest in the registry, or fails cleanly without
 * a manifest over missing blobs, never touching the user's files.
 */
import { type TestRegistry, startTestRegistry } from '@oras-internal/test-registry';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, createSandbox } from '../harness/sandbox.js';
import { type UploadProxy, startUploadProxy } from '../harness/upload-proxy.js';
import { type ArtifactFile, makeBigArtifact, writeArtifactFiles } from './fixtures.js';
import { pushThrough } from './push-support.js';

const MiB = 1024 * 1024;

let files: ArtifactFile[];
let box: Sandbox;
let registry: TestRegistry;
let proxy: UploadProxy;

beforeAll(() => {
  files = makeBigArtifact();
});

beforeEach(async () => {
  box = await createSandbox();
  await writeArtifactFiles(box.work, files);
  registry = await startTestRegistry();
  proxy = await startUploadProxy({ host: '127.0.0.1', port: registry.port });
});

afterEach(async () => {
  await proxy.close();
  await registry.close();
  await box.remove();
});

const httpDate = (secondsFromNow: number) => new Date(Date.now() + secondsFromNow * 1000).toUTCString();

describe('push through registry faults', () => {
  it('honours 429 with Retry-After as an HTTP date on the blob PUT', async () => {
    registry.setFaults({ tooManyRequests: { retryAfter: httpDate(2), methods: ['PUT'], times: 1 } });
    expect((await pushThrough(box, registry, files)).problems).toEqual([]);
    expect(registry.faultCount('tooManyRequests')).toBe(1);
  });
});

describe('push through a proxy that cuts uploads', () => {
  it('fails cleanly, with no manifest over missing blobs, when every connection drops', async () => {
    proxy.setPlan({ cutAfterBytes: 1 * MiB });
    const { run, problems } = await pushThrough(box, registry, files, {
      host: proxy.host,
      mayFail: /sha256:|connection|socket|closed|reset|terminated/i,
    });
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
    expect(registry.storage.getManifest('hostile/big', 'v1')).toBeUndefined();
  });
});
