import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchAll, PackManifestVersion } from '@oras/content';
import { MemoryStore } from '@oras/content/memory';
import { DEFAULT_BUFFERED_UPLOAD_BYTES } from '@oras/registry';
import { type Descriptor, digestOf } from '@oras/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../context.js';
import type { PackAnnotations } from '../options/packer.js';
import { PUSH_PROMPTS, type StatusReporter, type Transfer } from '../output/status.js';
import { checkFiles, cleanName, type PackInput, packFiles, uploadPacked } from './pack-files.js';
import { type DirectPushTarget, pushRegularFiles } from './push-files.js';

const NO_ANNOTATIONS: PackAnnotations = { manifest: {}, config: {}, files: {} };
const TITLE = 'org.opencontainers.image.title';
const BIG = DEFAULT_BUFFERED_UPLOAD_BYTES + 1;

/** A registry that records what it is asked to do, holding the digests in `has`. */
function fakeRepo(has: Set<string> = new Set()) {
  const calls: string[] = [];
  const repo: DirectPushTarget = {
    name: 'repo',
    // a mount from the repository itself: nothing to send when it has the blob
    async mount(desc: Descriptor, from: string, getContent: () => Promise<unknown>) {
      calls.push(`mount ${desc.digest} from ${from}`);
      if (has.has(desc.digest)) return;
      expect(await getContent()).toBeInstanceOf(Uint8Array);
      calls.push(`push ${desc.digest}`);
    },
    async pushFile(
      mediaType: string,
      path: string,
      options?: { onProgress?: (n: number) => void; onChecked?: (d: Descriptor, exists: boolean) => void },
    ) {
      calls.push(`pushFile ${path}`);
      const desc = { mediaType, digest: `sha256:${'b'.repeat(64)}`, size: BIG };
      // the upload starts while the file is hashed; the registry is asked once the digest is known
      options?.onProgress?.(BIG - 1);
      options?.onChecked?.(desc, has.has(desc.digest));
      // the registry has it: pushFile stops its upload
      if (!has.has(desc.digest)) options?.onProgress?.(BIG);
      return desc;
    },
  } as unknown as DirectPushTarget;
  return { repo, calls };
}

/** A reporter that records its events as `<event> <title>`, with transfers as `transfer:<event> <name>`. */
function recorder() {
  const events: string[] = [];
  const title = (d: Descriptor) => d.annotations?.[TITLE] ?? d.mediaType;
  const reporter: StatusReporter = {
    start: (d) => events.push(`start ${title(d)}`),
    progress: (d, n) => events.push(`progress ${title(d)} ${n}`),
    done: (d) => events.push(`done ${title(d)}`),
    mark: (d, prompt) => events.push(`${prompt.trim()} ${title(d)}`),
    close: () => {},
    transfer: ({ name }): Transfer => ({
      packing: () => {
        if (events.at(-1) !== `transfer:packing ${name}`) events.push(`transfer:packing ${name}`);
      },
      start: (size) => events.push(`transfer:start ${name} ${size}`),
      progress: (sent) => events.push(`transfer:progress ${name} ${sent}`),
      done: (d) => events.push(`transfer:done ${title(d)} ${d.digest}`),
      mark: (d, prompt) => events.push(`transfer:${prompt.trim()} ${title(d)}`),
    }),
  };
  return { reporter, events };
}

let dir: string;
let ctx: CliContext;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oras-push-files-'));
  ctx = { cwd: dir } as CliContext;
  await writeFile(join(dir, 'small.txt'), 'hello\n');
  await writeFile(join(dir, 'same.txt'), 'hello\n');
  await writeFile(join(dir, 'big.bin'), Buffer.alloc(BIG, 7));
  await mkdir(join(dir, 'folder'));
  await writeFile(join(dir, 'folder', 'a.txt'), 'a');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cleanName', () => {
  it("cleans a path as Go's filepath.Clean does, with slashes", () => {
    expect(cleanName('./artifact.txt')).toBe('artifact.txt');
    expect(cleanName('./docs/')).toBe('docs');
    expect(cleanName('docs//')).toBe('docs');
    expect(cleanName('a/./b/../c.txt')).toBe('a/c.txt');
    expect(cleanName('../up.txt')).toBe('../up.txt');
    expect(cleanName('/abs/dir/')).toBe('/abs/dir');
    expect(cleanName('/')).toBe('/');
    expect(cleanName('.')).toBe('.');
  });
});

describe('checkFiles', () => {
  const check = (files: string[], disablePathValidation = false, annotations = NO_ANNOTATIONS) =>
    checkFiles(files, { disablePathValidation, annotations }, ctx);

  it('names each file by its cleaned path and tells files from folders', async () => {
    const files = await check(['./small.txt', './folder/:a/b']);
    expect(files.map((f) => [f.name, f.path, f.kind, f.mediaType])).toEqual([
      ['small.txt', './small.txt', 'file', undefined],
      ['folder', './folder/', 'directory', 'a/b'],
    ]);
  });

  it('lists every absolute path in one error, as oras does', async () => {
    await expect(check(['small.txt', '/etc/hosts', '/etc/passwd:a/b'])).rejects.toThrow(
      "absolute file path detected. If it's intentional, use --disable-path-validation flag to skip this check: /etc/hosts, /etc/passwd",
    );
    await expect(check(['/etc/hosts'], true)).resolves.toHaveLength(1);
  });

  it('reports a missing file by its absolute path, as oras does', async () => {
    await expect(check(['small.txt', 'nope/missing.txt'])).rejects.toMatchObject({
      code: 'ENOENT',
      syscall: 'stat',
      path: join(dir, 'nope/missing.txt'),
    });
  });

  it('refuses two arguments with the same cleaned name', async () => {
    await expect(check(['small.txt', './small.txt:a/b'])).rejects.toThrow('"small.txt": duplicate name');
  });

  it('takes the title and annotations of the annotation file by the path as typed', async () => {
    const annotations: PackAnnotations = {
      manifest: {},
      config: {},
      files: { './small.txt': { [TITLE]: 'renamed', k: 'v' } },
    };
    const [file] = await check(['./small.txt'], false, annotations);
    expect(file?.name).toBe('renamed');
    expect(file?.annotations).toEqual({ [TITLE]: 'renamed', k: 'v' });
  });
});

describe('pushRegularFiles', () => {
  const push = async (repo: DirectPushTarget, args: string[], reporter: StatusReporter) =>
    pushRegularFiles(
      repo,
      (await checkFiles(args, { disablePathValidation: false, annotations: NO_ANNOTATIONS }, ctx)).filter(
        (f) => f.kind === 'file',
      ),
      { concurrency: 1, reporter, prompts: PUSH_PROMPTS },
    );

  it('streams a large file with pushFile, reporting its bytes as they go, and sends a small one from memory', async () => {
    const { repo, calls } = fakeRepo();
    const { reporter, events } = recorder();
    const pushed = await push(repo, ['./small.txt', 'big.bin:x/y'], reporter);
    const small = digestOf(new TextEncoder().encode('hello\n'));
    expect(pushed.get(0)).toEqual({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: small,
      size: 6,
      annotations: { [TITLE]: 'small.txt' },
    });
    expect(pushed.get(1)).toMatchObject({ mediaType: 'x/y', annotations: { [TITLE]: 'big.bin' } });
    expect(calls).toEqual([`mount ${small} from repo`, `push ${small}`, `pushFile ${join(dir, 'big.bin')}`]);
    expect(events).toEqual([
      'start small.txt',
      'progress small.txt 6',
      'done small.txt',
      `transfer:start big.bin ${BIG}`,
      `transfer:progress big.bin ${BIG - 1}`,
      `transfer:progress big.bin ${BIG}`,
      `transfer:done big.bin sha256:${'b'.repeat(64)}`,
    ]);
  });

  it('reports a small file the registry has as Exists and does not send it', async () => {
    const small = digestOf(new TextEncoder().encode('hello\n'));
    const { repo, calls } = fakeRepo(new Set([small]));
    const { reporter, events } = recorder();
    await push(repo, ['small.txt'], reporter);
    expect(calls).toEqual([`mount ${small} from repo`]);
    expect(events).toEqual(['Exists small.txt']);
  });

  it('reports a large file the registry has as Exists when pushFile finds it ahead of the upload', async () => {
    const { repo, calls } = fakeRepo(new Set([`sha256:${'b'.repeat(64)}`]));
    const { reporter, events } = recorder();
    await push(repo, ['big.bin'], reporter);
    expect(calls).toEqual([`pushFile ${join(dir, 'big.bin')}`]);
    // no start line: the registry had it, and oras prints Exists only
    expect(events).toEqual(['transfer:Exists big.bin']);
  });

  it('sends the bytes of two small files once, reporting the second as Exists', async () => {
    const small = digestOf(new TextEncoder().encode('hello\n'));
    const { repo, calls } = fakeRepo();
    const { reporter, events } = recorder();
    const pushed = await pushRegularFiles(
      repo,
      await checkFiles(
        ['small.txt', 'same.txt'],
        { disablePathValidation: false, annotations: NO_ANNOTATIONS },
        ctx,
      ),
      { concurrency: 2, reporter, prompts: PUSH_PROMPTS },
    );
    expect(calls).toEqual([`mount ${small} from repo`, `push ${small}`]);
    // whichever file is read first is sent; the other waits for it and is reported as Exists
    const [sent, other] =
      events[0] === 'start small.txt' ? ['small.txt', 'same.txt'] : ['same.txt', 'small.txt'];
    expect(events).toEqual([`start ${sent}`, `progress ${sent} 6`, `done ${sent}`, `Exists ${other}`]);
    expect(pushed.get(0)?.annotations).toEqual({ [TITLE]: 'small.txt' });
    expect(pushed.get(1)?.annotations).toEqual({ [TITLE]: 'same.txt' });
  });

  it('rejects with the failure of an upload', async () => {
    const { repo } = fakeRepo();
    const failing = { ...repo, pushFile: async () => Promise.reject(new Error('boom')) } as DirectPushTarget;
    const { reporter } = recorder();
    await expect(push(failing, ['big.bin', 'small.txt'], reporter)).rejects.toThrow('boom');
  });
});

describe('packFiles', () => {
  const input = (files: string[], extra: Partial<PackInput> = {}): PackInput => ({
    files,
    disablePathValidation: false,
    annotations: NO_ANNOTATIONS,
    version: PackManifestVersion.V1_1,
    artifactType: 'application/vnd.test',
    ...extra,
  });

  it('checks everything before the first upload: config file, media types, file arguments', async () => {
    for (const bad of [
      input(['small.txt', 'big.bin'], { config: 'missing.json:a/b' }),
      input(['small.txt', 'big.bin'], { artifactType: 'not a media type' }),
      input(['small.txt', 'big.bin', 'missing.txt']),
      input(['small.txt', 'big.bin', '/etc/hosts']),
    ]) {
      const { repo, calls } = fakeRepo();
      const { reporter, events } = recorder();
      await expect(
        packFiles(bad, ctx, { target: repo, reporter, prompts: PUSH_PROMPTS, concurrency: 2 }),
      ).rejects.toThrow();
      expect(calls).toEqual([]);
      expect(events.filter((e) => !e.startsWith('transfer:packing'))).toEqual([]);
    }
  });

  it('names a missing config file by its absolute path', async () => {
    const { repo } = fakeRepo();
    const { reporter } = recorder();
    await expect(
      packFiles(input(['small.txt'], { config: 'nope.json:a/b' }), ctx, {
        target: repo,
        reporter,
        prompts: PUSH_PROMPTS,
        concurrency: 1,
      }),
    ).rejects.toMatchObject({ code: 'ENOENT', path: join(dir, 'nope.json') });
  });

  it('takes an absolute config path (`/dev/null`) without path validation, as oras does', async () => {
    const { repo } = fakeRepo();
    const { reporter } = recorder();
    const packed = await packFiles(
      input(['./small.txt'], {
        config: '/dev/null:application/vnd.acme.rocket.config',
        artifactType: '',
        version: PackManifestVersion.V1_0,
      }),
      ctx,
      { target: repo, reporter, prompts: PUSH_PROMPTS, concurrency: 2 },
    );
    try {
      const manifest = JSON.parse(new TextDecoder().decode(await fetchAll(packed.store, packed.root)));
      expect(manifest.config).toEqual({
        mediaType: 'application/vnd.acme.rocket.config',
        digest: digestOf(new Uint8Array()),
        size: 0,
      });
      expect(manifest.layers.map((l: Descriptor) => l.annotations?.[TITLE])).toEqual(['small.txt']);
    } finally {
      await packed.store.close();
    }
  });

  it('shows a folder as packing while it is tarred, then keeps the layer order of the arguments', async () => {
    const { repo } = fakeRepo();
    const { reporter, events } = recorder();
    const packed = await packFiles(input(['big.bin', './folder/', 'small.txt']), ctx, {
      target: repo,
      reporter,
      prompts: PUSH_PROMPTS,
      concurrency: 2,
    });
    try {
      expect(events[0]).toBe('transfer:packing folder');
      const manifest = JSON.parse(new TextDecoder().decode(await fetchAll(packed.store, packed.root)));
      expect(manifest.layers.map((l: Descriptor) => l.annotations?.[TITLE])).toEqual([
        'big.bin',
        'folder',
        'small.txt',
      ]);
      expect(packed.pushed.map((d) => d.annotations?.[TITLE]).sort()).toEqual(['big.bin', 'small.txt']);
    } finally {
      await packed.store.close();
    }
  });

  it('packs every file into the store for a target without pushFile, and the copy reports a duplicate blob under its own title', async () => {
    const { reporter, events } = recorder();
    const dst = new MemoryStore();
    const packed = await packFiles(input(['small.txt', 'same.txt']), ctx, {
      target: dst,
      reporter,
      prompts: PUSH_PROMPTS,
      concurrency: 1,
    });
    try {
      expect(packed.pushed).toEqual([]);
      await uploadPacked(packed, dst, 'v1', reporter, PUSH_PROMPTS, 1);
      const lines = events.filter((e) => !e.startsWith('progress'));
      // one blob, two titles: the second still gets its line, before the manifest's
      expect(lines.filter((e) => e.endsWith('.txt')).length).toBe(3);
      expect(lines.some((e) => e === 'Exists same.txt' || e === 'Exists small.txt')).toBe(true);
      expect(lines.at(-1)).toBe('done application/vnd.oci.image.manifest.v1+json');
    } finally {
      await packed.store.close();
    }
  });
});
