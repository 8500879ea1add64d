/**
 * The tarballs installed with plain npm into clean projects: @oras/registry with only what it
 * depends on (no yargs, no tar, no test framework; `npm ls` clean but for the optional peer tar),
 * also next to a tar 6 of the project's own; and the CLI with a working `oras` that packs
 * directories.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { attempt, install, installedPackages, root, run } from './tarballs.js';

const tarballs = inject('tarballs');
const work = inject('work');
const tarballsOf = (...names: string[]): string[] =>
  names.map((name) => {
    const file = tarballs[`@oras/${name}`];
    if (file === undefined) throw new Error(`no tarball for @oras/${name}`);
    return file;
  });

/** A script that packs a directory with the file store and prints the error's code and message. */
const PACK_A_DIRECTORY = `import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '@oras/content/file';

const scratch = await mkdtemp(join(tmpdir(), 'oras-no-tar-'));
await mkdir(join(scratch, 'docs'));
await writeFile(join(scratch, 'docs', 'a.txt'), 'a');
const files = new FileStore(join(scratch, 'files'));
try {
  await files.add('docs', '', join(scratch, 'docs'));
  console.log('packed without tar?');
} catch (err) {
  console.log(JSON.stringify({ code: err.code, message: err.message }));
} finally {
  await files.close();
}
`;

/** Runs an ES module script in `dir` with node; returns its standard output. */
function node(dir: string, script: string): string {
  writeFileSync(join(dir, 'script.mjs'), script);
  return run(process.execPath, ['script.mjs'], dir);
}

describe('@oras/registry installed alone', () => {
  const dir = join(work, 'registry-only');

  it('installs from its tarballs and its dependencies', () => {
    install(dir, tarballsOf('spec', 'auth', 'content', 'registry'));
  });

  it('brings no tar, no yargs and no test framework, nested or not', () => {
    const names = installedPackages(dir);
    expect(names).toContain('@oras/registry');
    expect(names).toContain('undici');
    expect(names.filter((n) => /^(tar|yargs|vitest|@vitest\/.*|minizlib|chownr)$/.test(n))).toEqual([]);
  });

  it('has a tree that npm ls finds complete, but for the optional peer tar', () => {
    const { status, output } = attempt('npm', ['ls', '--all'], dir);
    const problems = output
      .split('\n')
      .filter((line) => /UNMET|missing|invalid|extraneous/i.test(line))
      .map((line) => line.replace(/^[\s│├└─┬]+/, ''));
    expect(problems).toEqual(['UNMET OPTIONAL DEPENDENCY tar@*']);
    expect(status).toBe(0);
  });

  it('loads, and the stores that need no tar work', () => {
    const out = node(
      dir,
      `
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as registry from '@oras/registry';
import { fetchAll, pushBytes } from '@oras/content';
import { MemoryStore } from '@oras/content/memory';
import { OciLayoutStore } from '@oras/content/oci';
import { FileStore } from '@oras/content/file';

assert.equal(typeof registry.RemoteRepository, 'function');
const bytes = new TextEncoder().encode('hello');
const memory = new MemoryStore();
const desc = await pushBytes(memory, 'text/plain', bytes);
assert.deepEqual(await fetchAll(memory, desc), bytes);

// An OCI layout, read back from the folder and from a tar of it (made by the system's tar).
const scratch = await mkdtemp(join(tmpdir(), 'oras-no-tar-'));
const layout = await OciLayoutStore.open(join(scratch, 'layout'));
await pushBytes(layout, 'text/plain', bytes);
await layout.tag(desc, 'v1');
execFileSync('tar', ['-cf', join(scratch, 'layout.tar'), '-C', join(scratch, 'layout'), '.']);
const fromTar = await OciLayoutStore.openReadOnly(join(scratch, 'layout.tar'));
assert.deepEqual(await fetchAll(fromTar, await fromTar.resolve('v1')), bytes);

// A file store with a single file.
await writeFile(join(scratch, 'hello.txt'), bytes);
const files = new FileStore(join(scratch, 'files'));
const file = await files.add('hello.txt', 'text/plain', join(scratch, 'hello.txt'));
assert.equal(file.size, 5);
await files.close();
console.log('ok');
`,
    );
    expect(out.trim()).toBe('ok');
  });

  it('says in one line to install tar when a directory is packed', () => {
    const out = node(dir, PACK_A_DIRECTORY);
    expect(JSON.parse(out)).toEqual({
      code: 'ORAS_ERR_UNSUPPORTED',
      message:
        'packing a directory needs the tar package, an optional peer dependency of @oras/content that is not installed: npm i tar@7',
    });
  });
});

describe('@oras/registry installed into a project that has tar 6', () => {
  const dir = join(work, 'registry-with-tar6');

  it('installs (no ERESOLVE), and packing a directory says that it needs tar 7', () => {
    install(dir, ['tar@6', ...tarballsOf('spec', 'auth', 'content', 'registry')]);
    const out = node(dir, PACK_A_DIRECTORY);
    expect(JSON.parse(out)).toEqual({
      code: 'ORAS_ERR_UNSUPPORTED',
      message: expect.stringMatching(
        /^packing a directory needs tar 7, an optional peer dependency of @oras\/content, but tar 6\.\d+\.\d+ is installed: npm i tar@7$/,
      ),
    });
  });
});

describe('@oras/cli installed', () => {
  const dir = join(work, 'cli');

  it('installs from its tarballs and gives a working oras binary', () => {
    install(dir, tarballsOf('spec', 'auth', 'content', 'registry', 'cli'));
    const version = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8'))
      .version as string;
    expect(run(join(dir, 'node_modules', '.bin', 'oras'), ['version'], dir)).toContain(version);
  });

  it('packs a directory (tar comes with the CLI) and has a tree npm ls finds complete', () => {
    mkdirSync(join(dir, 'docs'), { recursive: true });
    writeFileSync(join(dir, 'docs', 'a.txt'), 'a');
    // a command runs the CommonJS bundle with its code cache, here in the project, not the home
    const cache = join(dir, 'xdg-cache');
    const out = run(
      join(dir, 'node_modules', '.bin', 'oras'),
      ['push', '--oci-layout', 'layout:v1', 'docs'],
      dir,
      { ...process.env, XDG_CACHE_HOME: cache },
    );
    expect(out).toContain('Pushed');
    expect(readdirSync(join(cache, 'oras')).filter((f) => f.endsWith('.v8cache'))).toHaveLength(1);
    expect(installedPackages(dir)).toContain('tar');
    const { status, output } = attempt('npm', ['ls', '--all'], dir);
    expect(output).not.toMatch(/UNMET|missing|invalid|extraneous/i);
    expect(status).toBe(0);
  });
});
