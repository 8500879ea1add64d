import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BUFFERED_UPLOAD_BYTES } from '@oras/registry';
import { type Descriptor, digestOf } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../context.js';
import type { PackAnnotations } from '../options/packer.js';
import { PUSH_PROMPTS, type StatusReporter } from '../output/status.js';
import { type DirectPushTarget, pushRegularFiles } from './push-files.js';

const NO_ANNOTATIONS: PackAnnotations = { manifest: {}, config: {}, files: {} };

/** A registry that records what it is asked to do, holding the digests in `has`. */
function fakeRepo(has: Set<string> = new Set()) {
  const calls: string[] = [];
  const repo: DirectPushTarget = {
    async exists(desc: Descriptor) {
      calls.push(`exists ${desc.digest}`);
      return has.has(desc.digest);
    },
    async push(desc: Descriptor, content: unknown) {
      expect(content).toBeInstanceOf(Uint8Array);
      calls.push(`push ${desc.digest}`);
    },
    async pushFile(mediaType: string, path: string) {
      calls.push(`pushFile ${path}`);
      return { mediaType, digest: `sha256:${'b'.repeat(64)}`, size: DEFAULT_BUFFERED_UPLOAD_BYTES + 1 };
    },
  } as unknown as DirectPushTarget;
  return { repo, calls };
}

/** A reporter that records its events as `<event> <title>`. */
function recorder() {
  const events: string[] = [];
  const title = (d: Descriptor) => d.annotations?.['org.opencontainers.image.title'] ?? d.mediaType;
  const reporter: StatusReporter = {
    start: (d) => events.push(`start ${title(d)}`),
    progress: (d, n) => events.push(`progress ${title(d)} ${n}`),
    done: (d) => events.push(`done ${title(d)}`),
    mark: (d, prompt) => events.push(`${prompt.trim()} ${title(d)}`),
    close: () => {},
  };
  return { reporter, events };
}

let dir: string;
let ctx: CliContext;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oras-push-files-'));
  ctx = { cwd: dir } as CliContext;
  await writeFile(join(dir, 'small.txt'), 'hello\n');
  await writeFile(join(dir, 'big.bin'), Buffer.alloc(DEFAULT_BUFFERED_UPLOAD_BYTES + 1, 7));
  await mkdir(join(dir, 'folder'));
  await writeFile(join(dir, 'folder', 'a.txt'), 'a');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(files: string[], reporter: StatusReporter, annotations = NO_ANNOTATIONS) {
  return {
    files,
    disablePathValidation: false,
    annotations,
    concurrency: 2,
    reporter,
    prompts: PUSH_PROMPTS,
  };
}

describe('pushRegularFiles', () => {
  it('streams a large file with pushFile and sends a small one from memory, leaving folders out', async () => {
    const { repo, calls } = fakeRepo();
    const { reporter, events } = recorder();
    const pushed = await pushRegularFiles(
      repo,
      options(['small.txt', 'folder', 'big.bin:x/y'], reporter),
      ctx,
    );
    const small = digestOf(new TextEncoder().encode('hello\n'));
    expect([...pushed.keys()].sort()).toEqual([0, 2]);
    expect(pushed.get(0)).toEqual({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: small,
      size: 6,
      annotations: { 'org.opencontainers.image.title': 'small.txt' },
    });
    expect(pushed.get(2)).toMatchObject({
      mediaType: 'x/y',
      annotations: { 'org.opencontainers.image.title': 'big.bin' },
    });
    expect(calls.filter((c) => c.startsWith('pushFile'))).toEqual([`pushFile ${join(dir, 'big.bin')}`]);
    expect(calls).toContain(`push ${small}`);
    expect(events.filter((e) => e.endsWith('big.bin'))).toEqual(['start big.bin', 'done big.bin']);
    expect(events).toContain(`progress big.bin ${DEFAULT_BUFFERED_UPLOAD_BYTES + 1}`);
    expect(events.filter((e) => e.endsWith('small.txt'))).toEqual(['start small.txt', 'done small.txt']);
  });

  it('reports a small file the registry has as Exists and does not send it', async () => {
    const small = digestOf(new TextEncoder().encode('hello\n'));
    const { repo, calls } = fakeRepo(new Set([small]));
    const { reporter, events } = recorder();
    await pushRegularFiles(repo, options(['small.txt'], reporter), ctx);
    expect(calls).toEqual([`exists ${small}`]);
    expect(events).toEqual(['Exists small.txt']);
  });

  it('adds the per-file annotations and title of --annotation-file', async () => {
    const { repo } = fakeRepo();
    const { reporter } = recorder();
    const annotations: PackAnnotations = {
      manifest: {},
      config: {},
      files: { 'small.txt': { 'org.opencontainers.image.title': 'renamed', k: 'v' } },
    };
    const pushed = await pushRegularFiles(repo, options(['small.txt'], reporter, annotations), ctx);
    expect(pushed.get(0)?.annotations).toEqual({ 'org.opencontainers.image.title': 'renamed', k: 'v' });
  });

  it('sends nothing when a file is missing or two files share a name, so the file store reports it', async () => {
    for (const files of [
      ['small.txt', 'missing.txt'],
      ['small.txt', 'small.txt:a/b'],
    ]) {
      const { repo, calls } = fakeRepo();
      const { reporter, events } = recorder();
      const pushed = await pushRegularFiles(repo, options(files, reporter), ctx);
      expect(pushed.size).toBe(0);
      expect(calls).toEqual([]);
      expect(events).toEqual([]);
    }
  });

  it('rejects with the failure of an upload', async () => {
    const { repo } = fakeRepo();
    const failing = { ...repo, pushFile: async () => Promise.reject(new Error('boom')) } as DirectPushTarget;
    const { reporter } = recorder();
    await expect(pushRegularFiles(failing, options(['big.bin', 'small.txt'], reporter), ctx)).rejects.toThrow(
      'boom',
    );
  });
});
