/**
 * `oras pull --max-unpack-size` refusing a folder, as a user sees it: one error line, exit 1, and
 * the file system as it was: the output folder the pull created (`-o new/deeper`) is gone again,
 * while a folder that existed before stays, with the user's files in it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestRegistry, type TestRegistry } from '@oras-internal/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, sandbox } from '../../src/test-support/oras-process.js';

let registry: TestRegistry;
let box: Sandbox;
let ref: string;
const REASON = /^Error: .*"folder": unpacked size exceeds the limit of 1024 bytes$/m;

beforeAll(async () => {
  registry = await startTestRegistry();
  box = await sandbox();
  await mkdir(join(box.dir, 'src', 'folder'), { recursive: true });
  await writeFile(join(box.dir, 'src', 'folder', 'big.txt'), 'x'.repeat(64 * 1024));
  ref = `${registry.host}/unpack/limit:v1`;
  await box.ok(['push', '--plain-http', ref, 'folder'], { cwd: join(box.dir, 'src') });
});

afterAll(async () => {
  await registry?.close();
  await box?.remove();
});

describe('pull --max-unpack-size refusing a folder', () => {
  const pull = (output: string) =>
    box.run(['pull', '--plain-http', '-o', output, '--max-unpack-size', '1KiB', ref]);

  it('removes the output folders it created', async () => {
    const res = await pull('new/deeper');
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(res.stderr).toMatch(REASON);
    expect(existsSync(join(box.dir, 'new'))).toBe(false);
  });

  it('keeps an output folder that was there, with what it held', async () => {
    await mkdir(join(box.dir, 'mine', 'empty'), { recursive: true });
    await writeFile(join(box.dir, 'mine', 'keep.txt'), 'mine\n');
    expect((await pull('mine/empty')).stderr).toMatch(REASON);
    expect(await readdir(join(box.dir, 'mine', 'empty'))).toEqual([]);
    expect((await pull('mine')).stderr).toMatch(REASON);
    expect(await readdir(join(box.dir, 'mine'))).toEqual(['empty', 'keep.txt']);
    expect(await readFile(join(box.dir, 'mine', 'keep.txt'), 'utf8')).toBe('mine\n');
  });
});
