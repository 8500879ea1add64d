/** The README's quick start, run as written against a real registry on localhost. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ORAS_BIN, withDistribution } from './fixture.js';

const e2e = withDistribution();

describe('README', () => {
  it('quick start pushes and pulls a real artifact', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- quick-start -->\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const script = (block ?? '').replaceAll('localhost:5000', `localhost:${e2e.registry.port}`);
    const { stdout } = await promisify(execFile)(
      'sh',
      ['-euc', `oras() { "${process.execPath}" "${ORAS_BIN}" "$@"; }\n${script}`],
      {
        cwd: e2e.box.dir,
        env: e2e.env(),
      },
    );
    expect(stdout).toContain(`Pushed [registry] localhost:${e2e.registry.port}/hello:v1\n`);
    expect(stdout).toContain(`Pulled [registry] localhost:${e2e.registry.port}/hello:v1\n`);
    expect(stdout.endsWith('hello world\n')).toBe(true);
  });
});
