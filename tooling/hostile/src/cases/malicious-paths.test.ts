/**
 * Artifacts built by hand whose names or tarballs try to write outside the output folder, pushed
 * with raw requests and pulled with the built `oras`. Whatever the artifact, nothing outside the
 * output folder changes (the whole sandbox is compared before and after, with `/etc` probed for the
 * absolute case), and a refusal is one clean `Error:` line that names the reason.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type RawLayer,
  type TarEntry,
  directoryLayer,
  fileLayer,
  pushArtifactRaw,
} from '../harness/craft.js';
import { useSandbox, useTestRegistry } from '../harness/fixture.js';
import { eitherProblems } from '../harness/outcome.js';
import { diffTrees, pathsOutside } from '../harness/tree.js';

/** What a refusal must name: the path problem, in any of the words the packages use. */
const PATH_REASON = /travers|outside|escape|symlink|link|absolute|invalid|name|path|not allowed|unsafe/i;

let tag = 0;

const registry = useTestRegistry({}, 'file');
const box = useSandbox({ files: { 'outside/canary': 'must not change\n' } });

/**
 * Pushes the layers as one artifact, pulls it into the output folder, and returns the problems:
 * anything changed outside `out`, or an outcome other than success or a clean refusal.
 */
async function pullHostile(layers: readonly RawLayer[], extraArgs: readonly string[] = []) {
  const ref = `t${++tag}`;
  await pushArtifactRaw({ url: registry.url }, 'hostile/paths', ref, layers);
  const before = await box.snapshot();
  const run = await box.run(
    ['pull', `${registry.host}/hostile/paths:${ref}`, '-o', box.out, '--plain-http', ...extraArgs],
    { timeoutMs: 30_000 },
  );
  const diff = diffTrees(before, await box.snapshot());
  const problems = [
    ...eitherProblems(run, PATH_REASON),
    ...pathsOutside(diff, ['out']).map((p) => `changed outside the output folder: ${p}`),
  ];
  return { run, problems };
}

describe('layer titles', () => {
  const titles: ReadonlyArray<readonly [string, string]> = [
    ['a parent path', '../x'],
    ['a parent path after a folder', 'a/../../x'],
    ['a deep parent path', '../../../../../../../../x'],
    ['a Windows drive path', 'C:\\x'],
    ['a Windows drive path with slashes', 'C:/x'],
    ['a backslashed parent path', '..\\..\\x'],
  ];
  for (const [what, title] of titles) {
    it(`never writes outside for ${what} (${JSON.stringify(title)})`, async () => {
      const { problems } = await pullHostile([fileLayer(title, 'evil\n')]);
      expect(problems).toEqual([]);
    });
  }

  it('refuses an absolute title that points into another folder', async () => {
    const { run, problems } = await pullHostile([fileLayer(join(box.outside, 'evil'), 'evil\n')]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
  });

  it('never writes an absolute title under /etc', async () => {
    const target = `/etc/oras-hostile-${randomBytes(6).toString('hex')}`;
    try {
      const { problems } = await pullHostile([fileLayer(target, 'evil\n')]);
      expect(problems).toEqual([]);
      expect(existsSync(target)).toBe(false);
    } finally {
      await rm(target, { force: true });
    }
  });

  it('refuses a traversal even next to a good layer, and names it', async () => {
    const { run, problems } = await pullHostile([
      fileLayer('good.txt', 'good\n'),
      fileLayer('../evil', 'evil\n'),
    ]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
  });
});

describe('layer titles with control characters', () => {
  it('refuses a title with a NUL byte, naming it, without the path traversal hint', async () => {
    const { run, problems } = await pullHostile([fileLayer('evil\u0000name', 'x')]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).not.toContain('--allow-path-traversal');
  });

  it('never echoes raw control characters of a title to the terminal', async () => {
    const { run, problems } = await pullHostile([fileLayer('bell\u0007\u001b[2Jname\r', 'x')]);
    expect(problems).toEqual([]);
    expect(run.stderr).not.toContain('--allow-path-traversal');
  });
});

describe('tarballs of directory layers', () => {
  const dir = (entries: readonly TarEntry[]) =>
    directoryLayer('dir', [{ name: 'dir/', type: 'dir' }, ...entries]);

  it('refuses a .. entry', async () => {
    const { run, problems } = await pullHostile([
      dir([{ name: 'dir/../../outside/evil', type: 'file', data: 'x' }]),
    ]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
  });

  it('refuses an absolute entry', async () => {
    const layer = directoryLayer('dir', [{ name: join(box.outside, 'evil'), type: 'file', data: 'x' }]);
    const { run, problems } = await pullHostile([layer]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
  });

  it('refuses a symlink that points outside', async () => {
    const { run, problems } = await pullHostile([
      dir([{ name: 'dir/out', type: 'symlink', linkname: '../../outside' }]),
    ]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
  });

  it('refuses an absolute symlink', async () => {
    const { run, problems } = await pullHostile([
      dir([{ name: 'dir/etc', type: 'symlink', linkname: '/etc' }]),
    ]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
  });

  it('never writes through a symlink followed by a file under it', async () => {
    const { run, problems } = await pullHostile([
      dir([
        { name: 'dir/l', type: 'symlink', linkname: '../../outside' },
        { name: 'dir/l/canary', type: 'file', data: 'overwritten' },
      ]),
    ]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
  });

  it('never writes through a chain of symlinks that ends outside', async () => {
    const { problems } = await pullHostile([
      dir([
        { name: 'dir/a', type: 'symlink', linkname: 'b' },
        { name: 'dir/b', type: 'symlink', linkname: '../../outside/canary' },
        { name: 'dir/a', type: 'file', data: 'overwritten' },
      ]),
    ]);
    expect(problems).toEqual([]);
  });

  it('refuses a hard link to a file outside', async () => {
    const { run, problems } = await pullHostile([
      dir([{ name: 'dir/h', type: 'hardlink', linkname: '../../outside/canary' }]),
    ]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
  });

  it('refuses an absolute hard link', async () => {
    const { run, problems } = await pullHostile([
      dir([{ name: 'dir/h', type: 'hardlink', linkname: join(box.outside, 'canary') }]),
    ]);
    expect(problems).toEqual([]);
    expect(run.code).not.toBe(0);
  });

  it('never lets a later layer go through a symlink of an earlier one', async () => {
    const { problems } = await pullHostile([
      directoryLayer('a', [
        { name: 'a/', type: 'dir' },
        { name: 'a/ln', type: 'symlink', linkname: '.' },
      ]),
      fileLayer('a/ln/x', 'through the link\n'),
    ]);
    expect(problems).toEqual([]);
  });

  it('never writes into an output subfolder that is a symlink to elsewhere', async () => {
    await symlink(box.outside, join(box.out, 'dir'));
    const { problems } = await pullHostile([
      dir([{ name: 'dir/canary', type: 'file', data: 'overwritten' }]),
    ]);
    expect(problems).toEqual([]);
  });

  it('never writes a titled file into an output subfolder that is a symlink to elsewhere', async () => {
    await symlink(box.outside, join(box.out, 'sub'));
    const { problems } = await pullHostile([fileLayer('sub/canary', 'overwritten')]);
    expect(problems).toEqual([]);
  });

  it('unpacks links that stay inside', async () => {
    const { run, problems } = await pullHostile([
      dir([
        { name: 'dir/file', type: 'file', data: 'content\n' },
        { name: 'dir/dir/', type: 'dir' },
        { name: 'dir/dir/file', type: 'file', data: 'content\n' },
        { name: 'dir/sym', type: 'symlink', linkname: 'file' },
        // inside whether the target is read from the archive root (tar) or the link's folder (oras-go)
        { name: 'dir/hard', type: 'hardlink', linkname: 'dir/file' },
      ]),
    ]);
    expect(problems).toEqual([]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
