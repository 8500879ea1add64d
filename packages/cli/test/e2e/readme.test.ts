/** The README's quick start, run as written against a real registry on localhost. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORAS_BIN, type Sandbox, sandbox } from '../../src/test-support/oras-process.js';

let registry: Distribution;
let box: Sandbox;

beforeAll(async () => {
  registry = await startDistribution({ mode: 'plain' });
  box = await sandbox();
});

afterAll(async () => {
  await registry?.stop();
  await box?.remove();
});

describe('README', () => {
  it('quick start pushes and pulls a real artifact', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- quick-start -->\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const script = (block ?? '').replaceAll('localhost:5000', `localhost:${registry.port}`);
    const { stdout } = await promisify(execFile)(
      'sh',
      ['-euc', `oras() { "${process.execPath}" "${ORAS_BIN}" "$@"; }\n${script}`],
      {
        cwd: box.dir,
        env: { PATH: process.env.PATH ?? '', DOCKER_CONFIG: box.dockerConfig, HOME: box.dir },
      },
    );
    expect(stdout).toContain(`Pushed [registry] localhost:${registry.port}/hello:v1\n`);
    expect(stdout).toContain(`Pulled [registry] localhost:${registry.port}/hello:v1\n`);
    expect(stdout.endsWith('hello world\n')).toBe(true);
  });
});
