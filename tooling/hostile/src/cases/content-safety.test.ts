/**
 * What an outside review broke in the file store and the OCI layout (issue 15), run through the
 * built `oras`: titles that name the output folder itself (the temp file went to its parent, and
 * the stale-temp sweep ran there), a directory layer refused part-way (its first entries stayed,
 * over the user's files), raw Node errors on the terminal, a directory layer's download left in
 * `$TMPDIR` by a killed pull, and an empty layout lock left by a killed writer.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { TestRegistry } from '@oras-internal/test-registry';
import { describe, expect, it } from 'vitest';
import {
  type RawLayer,
  type TarEntry,
  describeBytes,
  directoryLayer,
  fileLayer,
  gzip,
  pushArtifactRaw,
  tarOf,
} from '../harness/craft.js';
import { useSandbox, useTestRegistry } from '../harness/fixture.js';
import { cleanFailureProblems, successProblems } from '../harness/outcome.js';
import type { Sandbox } from '../harness/sandbox.js';
import { diffTrees, filesUnder } from '../harness/tree.js';

const MiB = 1024 * 1024;

let tag = 0;

const registry = useTestRegistry({}, 'file');
const box = useSandbox({ files: { 'outside/canary': 'must not change\n' } });

/** A pid no process has any more: a child that has exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (pid === undefined) throw new Error('no child pid');
  return pid;
}

/** Pushes the layers as one artifact (to `to`, default the shared registry); resolves to its reference. */
async function pushHostile(layers: readonly RawLayer[], to: TestRegistry = registry): Promise<string> {
  const ref = `t${++tag}`;
  await pushArtifactRaw({ url: to.url }, 'hostile/content', ref, layers);
  return `${to.host}/hostile/content:${ref}`;
}

/** Every path of the sandbox that was added, removed or changed, whatever folder it is in. */
function changes(before: Awaited<ReturnType<Sandbox['snapshot']>>, after: typeof before): string[] {
  const diff = diffTrees(before, after);
  return [
    ...diff.added.map((p) => `added ${p}`),
    ...diff.removed.map((p) => `removed ${p}`),
    ...diff.changed.map((p) => `changed ${p}`),
  ].sort();
}

/** Pulls `ref` into `out` and returns the problems unless it fails cleanly naming `reason` and changes nothing at all. */
async function expectRefusedWithoutATrace(
  ref: string,
  reason: RegExp,
  extraArgs: readonly string[] = [],
): Promise<string[]> {
  const before = await box.snapshot();
  const run = await box.run(['pull', ref, '-o', box.out, '--plain-http', ...extraArgs], {
    timeoutMs: 30_000,
  });
  return [
    ...cleanFailureProblems(run, reason),
    ...changes(before, await box.snapshot()),
    ...(/\.oras-|oras_file_|ENAMETOOLONG|EISDIR|ENOTDIR|ENOENT|EEXIST/.test(run.stderr)
      ? [`stderr shows a temp path or a raw Node error:\n${run.stderr}`]
      : []),
  ];
}

describe('titles that name the output folder itself', () => {
  // The sandbox is the output folder's parent: a file in it named like a killed writer's temp
  // file must survive, as must everything else there.
  const planted = `.oras-${deadPid()}-0123456789abcdef.tmp`;
  const titles: ReadonlyArray<readonly [string, (out: string) => string]> = [
    ['"."', () => '.'],
    ['"./"', () => './'],
    ['"../out"', () => '../out'],
    ['"../out/."', () => '../out/.'],
    ['"a/.."', () => 'a/..'],
    ['the absolute output path', (out) => out],
    ['the absolute output path with "/."', (out) => `${out}/.`],
  ];

  for (const [what, title] of titles) {
    it(`refuses a file titled ${what}, and its parent stays byte for byte`, async () => {
      await writeFile(join(box.root, planted), 'a file of the user, named like a temp file\n');
      const ref = await pushHostile([fileLayer(title(box.out), 'evil\n')]);
      expect(await expectRefusedWithoutATrace(ref, /output directory/)).toEqual([]);
    });
  }

  it('refuses ".." and "." with --allow-path-traversal too', async () => {
    await writeFile(join(box.root, planted), 'a file of the user, named like a temp file\n');
    for (const title of ['..', '.']) {
      const ref = await pushHostile([fileLayer(title, 'evil\n')]);
      expect(await expectRefusedWithoutATrace(ref, /output directory/, ['--allow-path-traversal'])).toEqual(
        [],
      );
    }
  });
});

describe('a directory layer refused part-way', () => {
  it("leaves the user's files as they were, and nothing of the layer", async () => {
    await mkdir(join(box.out, 'app'));
    await writeFile(join(box.out, 'app', 'config.txt'), 'the user version\n');
    await writeFile(join(box.out, 'app', 'notes.txt'), 'the user notes\n');
    const ref = await pushHostile([
      directoryLayer('app', [
        { name: 'app/config.txt', type: 'file', data: 'the layer version\n' },
        { name: 'app/new.txt', type: 'file', data: 'new\n' },
        { name: 'app/sub/', type: 'dir' },
        { name: 'app/sub/deep.txt', type: 'file', data: 'deep\n' },
        { name: 'app/evil', type: 'symlink', linkname: '../../outside/canary' },
      ]),
    ]);
    expect(await expectRefusedWithoutATrace(ref, /outside|link/)).toEqual([]);
    expect(await readFile(join(box.out, 'app', 'config.txt'), 'utf8')).toBe('the user version\n');
  });

  it('undoes a layer without a tar digest that reaches --max-unpack-size part-way', async () => {
    const entries: TarEntry[] = [
      { name: 'bomb/first.txt', type: 'file', data: 'written before the limit\n' },
      { name: 'bomb/zeros', type: 'file', data: Buffer.alloc(MiB) },
    ];
    const bytes = gzip(tarOf(entries));
    const layer: RawLayer = {
      bytes,
      descriptor: describeBytes('application/vnd.oci.image.layer.v1.tar+gzip', bytes, {
        'io.deis.oras.content.unpack': 'true',
        'org.opencontainers.image.title': 'bomb',
      }),
    };
    const ref = await pushHostile([layer]);
    expect(
      await expectRefusedWithoutATrace(ref, /exceeds the limit/, ['--max-unpack-size', '64KiB']),
    ).toEqual([]);
  });
});

describe('file-system errors', () => {
  it('says a title is too long for the file system', async () => {
    const ref = await pushHostile([fileLayer('a'.repeat(300), 'x\n')]);
    expect(await expectRefusedWithoutATrace(ref, /file name too long: "a+\.\.\."/)).toEqual([]);
  });

  it('says a directory is in the way of a file', async () => {
    await mkdir(join(box.out, 'dir'));
    const ref = await pushHostile([fileLayer('dir', 'x\n')]);
    expect(await expectRefusedWithoutATrace(ref, /cannot write "dir": a directory is in the way$/)).toEqual(
      [],
    );
  });

  it('says which file is in the way of a directory layer', async () => {
    await writeFile(join(box.out, 'f'), 'a file of the user\n');
    const ref = await pushHostile([directoryLayer('f', [{ name: 'f/x', type: 'file', data: 'x\n' }])]);
    expect(await expectRefusedWithoutATrace(ref, /cannot write "f": the file "f" is in the way$/)).toEqual(
      [],
    );
  });

  it('says a broken symlink is in the way of a directory layer', async () => {
    await symlink('nowhere', join(box.out, 'd'));
    const ref = await pushHostile([directoryLayer('d', [{ name: 'd/x', type: 'file', data: 'x\n' }])]);
    expect(
      await expectRefusedWithoutATrace(ref, /cannot write "d": the symlink "d", which leads nowhere/),
    ).toEqual([]);
  });
});

describe('SIGKILL in the middle of a directory layer', () => {
  // a registry of its own, as in kill.test.ts: the 32 MiB push does not reuse an idle connection
  const own = useTestRegistry();

  it('leaves nothing in $TMPDIR, and the next pull removes the download and completes', async () => {
    const big = randomBytes(32 * MiB);
    const ref = await pushHostile(
      [
        directoryLayer('app', [
          { name: 'app/', type: 'dir' },
          { name: 'app/big.bin', type: 'file', data: big },
        ]),
      ],
      own,
    );
    const args = ['pull', ref, '-o', box.out, '--plain-http'];
    const first = await box.run(args, {
      killWhen: async () => (await bytesUnder(box.out)) + (await bytesUnder(box.tmp)) > 8 * MiB,
    });
    expect(first.killed).toBe(true);
    expect((await readdir(box.tmp)).filter((n) => n.startsWith('oras_file_'))).toEqual([]);
    const second = await box.run(args);
    expect(successProblems(second)).toEqual([]);
    const files = filesUnder(await box.snapshot(), 'out');
    expect([...files.keys()]).toEqual(['app/big.bin']);
    expect(await readdir(box.out)).toEqual(['app']);
    expect((await readdir(box.tmp)).filter((n) => n.startsWith('oras_file_'))).toEqual([]);
  });
});

describe('an OCI layout lock left by a killed writer', () => {
  for (const [what, content] of [
    ['empty', () => ''],
    ['of a dead process', () => `${deadPid()} ${hostname()} ${Date.now()} 0123456789abcdef`],
  ] as const) {
    it(`is taken over at once when it is ${what}`, async () => {
      const layout = join(box.work, 'layout');
      await writeFile(join(box.work, 'hello.txt'), 'hello\n');
      const init = await box.run(['push', '--oci-layout', `${layout}:v1`, 'hello.txt']);
      expect(successProblems(init)).toEqual([]);
      await writeFile(join(layout, 'index.json.lock'), content());
      // Well under the 30 s the lock used to block before failing: a hang guard, not a timing.
      const run = await box.run(['push', '--oci-layout', `${layout}:v2`, 'hello.txt'], { timeoutMs: 20_000 });
      expect(successProblems(run)).toEqual([]);
      const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
        manifests: { annotations?: Record<string, string> }[];
      };
      const tags = index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']).sort();
      expect(tags).toEqual(['v1', 'v2']);
      expect((await readdir(layout)).filter((n) => n.includes('.lock'))).toEqual([]);
    });
  }
});

/** The bytes of regular files under `dir`, recursively (0 when it is missing). */
async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    total += (await stat(join(entry.parentPath, entry.name)).catch(() => undefined))?.size ?? 0;
  }
  return total;
}
