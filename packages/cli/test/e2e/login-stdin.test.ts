/**
 * `oras login --password-stdin` (and `--identity-token-stdin`) with nothing on stdin: one error
 * line in oras's words and exit 1, before any network request (the registry named does not exist),
 * never a prompt that can only hang on the stdin already read to its end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, sandbox } from '../../src/test-support/oras-process.js';

describe('login with an empty stdin', () => {
  let box: Sandbox;
  beforeAll(async () => {
    box = await sandbox();
  });
  afterAll(async () => {
    await box?.remove();
  });

  it.each([
    [['-u', 'bob', '--password-stdin'], 'Error: password required: --password-stdin read nothing'],
    [['--password-stdin'], 'Error: token required: --password-stdin read nothing'],
    [['--identity-token-stdin'], 'Error: token required: --identity-token-stdin read nothing'],
  ])('oras login %s fails with one line', async (flags, line) => {
    for (const stdin of ['', '\n']) {
      const res = await box.run(['login', ...flags, '127.0.0.1:9'], { stdin });
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`${line}\n`);
      expect(res.stdout).toBe('');
    }
  });
});
