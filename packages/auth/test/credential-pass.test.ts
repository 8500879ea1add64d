/**
 * A real credential helper: `docker-credential-pass` from Debian's golang-docker-credential-helpers,
 * backed by `pass` and a throwaway GPG key in a temporary GNUPGHOME and password store.
 * `npm run bootstrap` installs them; without them these tests fail and say so (they never skip).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialStore, NativeCredentialStore } from '../src/index.js';

const run = promisify(execFile);

function installed(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = ['docker-credential-pass', 'pass', 'gpg', 'gpgconf'].every(installed);

describe('docker-credential-pass', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (!available) {
      throw new Error('docker-credential-pass, pass and gpg are not installed: run `npm run bootstrap`');
    }
    dir = await mkdtemp(join(tmpdir(), 'oras-auth-pass-'));
    env = { ...process.env, GNUPGHOME: join(dir, 'gnupg'), PASSWORD_STORE_DIR: join(dir, 'store') };
    await mkdir(join(dir, 'gnupg'), { mode: 0o700 });
    await run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'oras test <oras@example.invalid>'], {
      env,
    });
    const { stdout } = await run('gpg', ['--list-keys', '--with-colons'], { env });
    const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(stdout)?.[1];
    expect(fingerprint).toBeDefined();
    await run('pass', ['init', fingerprint ?? ''], { env });
  }, 60_000);

  afterAll(async () => {
    if (!dir) return;
    await run('gpgconf', ['--kill', 'gpg-agent'], { env }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('stores, gets, lists and erases through the real helper', async () => {
    const store = new NativeCredentialStore('pass', { env });
    await store.put('r.example:5000', { username: 'alice', password: 's3cret' });
    expect(await store.get('r.example:5000')).toEqual({ username: 'alice', password: 's3cret' });
    expect(await store.list()).toEqual({ 'r.example:5000': 'alice' });
    await store.put('token.example', { refreshToken: 'identity' });
    expect(await store.get('token.example')).toEqual({ refreshToken: 'identity' });
    await store.delete('r.example:5000');
    expect(await store.get('r.example:5000')).toEqual({});
  });

  it('is used for a config file whose credsStore is "pass"', async () => {
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify({ credsStore: 'pass' }));
    const store = createCredentialStore({ configPaths: [configPath], env });
    await store.put('https://index.docker.io/v1/', { username: 'hub', password: 'hubpw' });
    expect(await store.get('https://index.docker.io/v1/')).toEqual({ username: 'hub', password: 'hubpw' });
    expect(await new NativeCredentialStore('pass', { env }).get('https://index.docker.io/v1/')).toEqual({
      username: 'hub',
      password: 'hubpw',
    });
  });
});
