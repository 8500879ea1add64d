import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerConfigFile, defaultConfigPath } from './config-file.js';
import { CredentialsError } from './errors.js';
import { FileCredentialStore } from './file-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oras-auth-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A config as docker writes it: tab-indented, Go's HTML escaping, no final newline. */
const DOCKER_WRITTEN = `{
\t"auths": {
\t\t"https://index.docker.io/v1/": {
\t\t\t"auth": "${b64('hubuser:hubpass')}"
\t\t},
\t\t"old.example.com": {
\t\t\t"auth": "${b64('u:p')}",
\t\t\t"email": "me@example.com"
\t\t}
\t},
\t"HttpHeaders": {
\t\t"User-Agent": "Docker-Client/24.0 (linux)"
\t},
\t"detachKeys": "ctrl-\\u003c,ctrl-\\u0026",
\t"plugins": {
\t\t"x": {
\t\t\t"enabled": true,
\t\t\t"weights": [
\t\t\t\t1,
\t\t\t\t2.5,
\t\t\t\t-3
\t\t\t],
\t\t\t"nothing": null,
\t\t\t"empty": {},
\t\t\t"unicode": "h\u00e9llo \\u2028"
\t\t}
\t},
\t"currentContext": "default"
}`;

describe('DockerConfigFile', () => {
  it('reads auth, username/password, identity and registry tokens', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          'a.example': { auth: b64('alice:pa:ss'), username: 'ignored', password: 'ignored' },
          'b.example': { username: 'bob', password: 'pw' },
          'c.example': { identitytoken: 'refresh' },
          'd.example': { registrytoken: 'access' },
          'https://legacy.example/v1/': { auth: b64('leg:acy') },
          'http://plain.example:5000': { auth: b64('pl:ain') },
        },
      }),
    );
    const file = await DockerConfigFile.load(path);
    expect(file.getAuth('a.example')).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(file.getAuth('b.example')).toEqual({ username: 'bob', password: 'pw' });
    expect(file.getAuth('c.example')).toEqual({ refreshToken: 'refresh' });
    expect(file.getAuth('d.example')).toEqual({ accessToken: 'access' });
    expect(file.getAuth('legacy.example')).toEqual({ username: 'leg', password: 'acy' });
    expect(file.getAuth('plain.example:5000')).toEqual({ username: 'pl', password: 'ain' });
    expect(file.getAuth('missing.example')).toBeUndefined();
  });

  it('refuses an auth field that is not user:password, without echoing it', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({ auths: { r: { auth: b64('nocolonsecret') } } }));
    const file = await DockerConfigFile.load(path);
    let err: unknown;
    try {
      file.getAuth('r');
    } catch (e) {
      err = e;
    }
    expect(CredentialsError.is(err)).toBe(true);
    expect((err as Error).message).not.toContain('nocolonsecret');
  });

  it('refuses a file that is not JSON without quoting it', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, '{"auths": {"r": {"auth": "c2VjcmV0"}}');
    const err = await DockerConfigFile.load(path).catch((e: unknown) => e);
    expect(CredentialsError.is(err)).toBe(true);
    expect((err as Error).message).toBe(`${path}: config file is not valid JSON`);
  });

  it('uses $DOCKER_CONFIG, else ~/.docker', () => {
    expect(defaultConfigPath({ DOCKER_CONFIG: '/etc/dc' })).toBe('/etc/dc/config.json');
    expect(defaultConfigPath({})).toMatch(/\.docker[/\\]config\.json$/);
  });
});

describe('FileCredentialStore', () => {
  it('round-trips the fields it does not own byte for byte, with mode 0600', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, DOCKER_WRITTEN, { mode: 0o644 });
    const store = new FileCredentialStore(path, { allowPlaintextPut: true });
    await store.put('new.example:5000', { username: 'n', password: 'p' });
    const written = await readFile(path, 'utf8');
    const expected = DOCKER_WRITTEN.replace(
      '\t\t}\n\t},\n\t"HttpHeaders"',
      `\t\t},\n\t\t"new.example:5000": {\n\t\t\t"auth": "${b64('n:p')}"\n\t\t}\n\t},\n\t"HttpHeaders"`,
    );
    expect(written).toBe(expected);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await store.delete('new.example:5000');
    expect(await readFile(path, 'utf8')).toBe(DOCKER_WRITTEN);
  });

  it('keeps the indentation and final newline of a file it did not write', async () => {
    const path = join(dir, 'config.json');
    const original = `${JSON.stringify({ auths: {}, proxies: { default: { httpProxy: 'http://p<x>&y' } } }, null, 2)}\n`;
    await writeFile(path, original);
    const store = new FileCredentialStore(path, { allowPlaintextPut: true });
    await store.put('r.example', { username: 'u', password: 'p' });
    await store.delete('r.example');
    expect(await readFile(path, 'utf8')).toBe(original);
  });

  it('stores tokens and keeps unknown fields of the entry it replaces', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, DOCKER_WRITTEN);
    const store = new FileCredentialStore(path, { allowPlaintextPut: true });
    await store.put('old.example.com', { refreshToken: 'idt' });
    const written = JSON.parse(await readFile(path, 'utf8')) as { auths: Record<string, unknown> };
    expect(written.auths['old.example.com']).toEqual({ email: 'me@example.com', identitytoken: 'idt' });
    expect(await store.get('old.example.com')).toEqual({ refreshToken: 'idt' });
    await store.put('old.example.com', { username: 'x', password: 'y', accessToken: 'at' });
    expect(await store.get('old.example.com')).toEqual({ username: 'x', password: 'y', accessToken: 'at' });
  });

  it('creates a missing file, tab-indented, with mode 0600', async () => {
    const path = join(dir, 'sub', 'config.json');
    const store = new FileCredentialStore(path, { allowPlaintextPut: true });
    expect(await store.get('r.example')).toEqual({});
    await store.put('r.example', { username: 'u', password: 'p' });
    expect(await readFile(path, 'utf8')).toBe(
      `{\n\t"auths": {\n\t\t"r.example": {\n\t\t\t"auth": "${b64('u:p')}"\n\t\t}\n\t}\n}`,
    );
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('writes through a symlinked config to its target', async () => {
    const target = join(dir, 'real.json');
    const link = join(dir, 'config.json');
    await writeFile(target, '{}');
    await symlink(target, link);
    await new FileCredentialStore(link, { allowPlaintextPut: true }).put('r', {
      username: 'u',
      password: 'p',
    });
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual({ auths: { r: { auth: b64('u:p') } } });
  });

  it('refuses plaintext writes unless allowed', async () => {
    const path = join(dir, 'config.json');
    const err = await new FileCredentialStore(path)
      .put('r', { username: 'u', password: 'hunter2' })
      .catch((e) => e);
    expect(CredentialsError.is(err)).toBe(true);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('deletes an entry under the lock, and touches nothing when there is no entry', async () => {
    const path = join(dir, 'docker', 'config.json');
    const store = new FileCredentialStore(path, { allowPlaintextPut: true });
    await store.delete('r');
    expect(await readdir(dir)).toEqual([]);
    await store.put('r', { username: 'u', password: 'p' });
    await store.put('s', { username: 'u', password: 'p' });
    await store.delete('r');
    expect(Object.keys(JSON.parse(await readFile(path, 'utf8')).auths)).toEqual(['s']);
    expect(await readdir(join(dir, 'docker'))).toEqual(['config.json']);
  });
});
