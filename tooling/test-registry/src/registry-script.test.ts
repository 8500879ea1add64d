import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { http } from './test-support/http.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/registry.mjs', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('tooling/scripts/registry.mjs', () => {
  it('starts a detached registry from a shell, prints its JSON, and stops it by pid', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, 'start', '--mode', 'plain', '--detach']);
    const info = JSON.parse(stdout);
    try {
      expect(info).toMatchObject({
        mode: 'plain',
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      });
      expect((await http(`${info.url}/v2/`)).status).toBe(200);
    } finally {
      await run(process.execPath, [SCRIPT, 'stop', String(info.pid)]);
    }
    expect(alive(info.pid)).toBe(false);
    expect(alive(info.registryPid)).toBe(false);
    expect(existsSync(info.dir)).toBe(false);
  });

  it('fails with the reason when the registry cannot start', async () => {
    const failed = run(process.execPath, [SCRIPT, 'start', '--mode', 'plain', '--detach'], {
      env: { ...process.env, ORAS_DOCKER_REGISTRY: '/nonexistent/docker-registry' },
    });
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('/nonexistent/docker-registry is not installed'),
    });
  });
});
