/**
 * The first minutes in a checkout, as the README tells them: `pnpm oras <args>` runs the built
 * `oras` in the folder it was called from, and `pnpm demo -- --keep` leaves its registry running
 * and its folder in place, ending with how to run `oras` and how to stop the registry.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'oras-first-minutes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pnpm oras', () => {
  it('runs the checkout’s oras in the folder pnpm was called from', async () => {
    writeFileSync(join(work, 'hi.txt'), 'hello\n');
    const env = { ...process.env, HOME: work, DOCKER_CONFIG: work };
    const version = await run('pnpm', ['-C', ROOT, 'oras', 'version'], { cwd: work, env });
    expect(version.stdout).toMatch(/^Version: +\d+\.\d+\.\d+/);
    const push = await run('pnpm', ['-C', ROOT, 'oras', 'push', '--oci-layout', 'layout:v1', 'hi.txt'], {
      cwd: work,
      env,
    });
    expect(push.stdout).toContain('Pushed [oci-layout] layout:v1\n');
    expect(existsSync(join(work, 'layout', 'index.json'))).toBe(true);
    const failed = await run('pnpm', ['-C', ROOT, 'oras', 'pull', '--oci-layout', 'nowhere:v1'], {
      cwd: work,
      env,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Error: ');
  });
});

describe('pnpm demo -- --keep', () => {
  it('pushes and pulls, then leaves the registry and folder, saying how to stop them', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'tooling/scripts/demo.mjs'), '--', '--keep'], {
      cwd: ROOT,
    });
    expect(stdout).toContain('ok: ');
    expect(stdout).not.toContain('MISMATCH');
    expect(stdout).toContain('Run oras yourself:\n  pnpm oras version');
    expect(stdout).toContain('npm link');
    expect(stdout).toContain('npm install -g @oras/cli');
    const host = /The registry is still running at (localhost:\d+), and the demo folder is (\S+):/.exec(
      stdout,
    );
    const stop = /Stop the registry and remove the folder: (node \S+ stop (\d+)) && rm -r (\S+)\n/.exec(
      stdout,
    );
    expect(host).not.toBeNull();
    expect(stop).not.toBeNull();
    const [, address = '', folder = ''] = host ?? [];
    const [, stopCommand = '', , removed = ''] = stop ?? [];
    try {
      expect(removed).toBe(folder);
      expect(readFileSync(join(folder, 'pulled', 'hello.txt'), 'utf8')).toBe(
        readFileSync(join(folder, 'hello.txt'), 'utf8'),
      );
      const tags = await fetch(`http://${address.replace('localhost', '127.0.0.1')}/v2/demo/hello/tags/list`);
      expect(await tags.json()).toMatchObject({ name: 'demo/hello' });
    } finally {
      const [node = '', ...args] = stopCommand.split(' ');
      await run(node === 'node' ? process.execPath : node, args);
      rmSync(folder, { recursive: true, force: true });
    }
    await expect(fetch(`http://${address.replace('localhost', '127.0.0.1')}/v2/`)).rejects.toThrow();
  });
});
