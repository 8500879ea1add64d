import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  credentialFuncFromStore,
  MemoryCredentialStore,
  serverAddressFromRegistry,
} from './credential-store.js';
import { createCredentialStore } from './dynamic-store.js';
import { CredentialsError } from './errors.js';
import { NativeCredentialStore } from './native-store.js';
import { installTestHelper, type TestHelper } from './test-support/helper.js';

let helper: TestHelper;
let dir: string;
beforeEach(async () => {
  helper = await installTestHelper();
  dir = await mkdtemp(join(tmpdir(), 'oras-auth-dyn-'));
});
afterEach(async () => {
  await rm(helper.dir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

describe('NativeCredentialStore', () => {
  it('stores, gets, lists and erases a username and password', async () => {
    const store = new NativeCredentialStore('test', { env: helper.env });
    await store.put('r.example', { username: 'u', password: 'p' });
    expect(await helper.db()).toEqual({ 'r.example': { Username: 'u', Secret: 'p' } });
    expect(await store.get('r.example')).toEqual({ username: 'u', password: 'p' });
    expect(await store.list()).toEqual({ 'r.example': 'u' });
    await store.delete('r.example');
    expect(await helper.db()).toEqual({});
  });

  it('keeps an identity token under the username <token>', async () => {
    const store = new NativeCredentialStore('test', { env: helper.env });
    await store.put('r.example', { refreshToken: 'idt' });
    expect((await helper.db())['r.example']).toEqual({ Username: '<token>', Secret: 'idt' });
    expect(await store.get('r.example')).toEqual({ refreshToken: 'idt' });
  });

  it('reads "credentials not found" as no credential, also when erasing', async () => {
    const store = new NativeCredentialStore('test', { env: helper.env });
    expect(await store.get('none.example')).toEqual({});
    await expect(store.delete('none.example')).resolves.toBeUndefined();
  });

  it('reports a failing helper without the secret it was given', async () => {
    const store = new NativeCredentialStore('test', { env: helper.env });
    const err = await store
      .put('r.example', { username: 'fail', password: 'hunter2' })
      .catch((e: unknown) => e);
    expect(CredentialsError.is(err)).toBe(true);
    expect((err as Error).message).toBe('docker-credential-test store: exit status 1: store refused');
  });

  it('reports a helper that is not installed', async () => {
    const store = new NativeCredentialStore('missing', { env: helper.env });
    const err = await store.get('r.example').catch((e: unknown) => e);
    expect(CredentialsError.is(err)).toBe(true);
    expect((err as Error).message).toBe('docker-credential-missing get: helper not found on PATH');
  });
});

describe('finding the helper', () => {
  const system = process.env.PATH ?? '/usr/bin:/bin';

  it('refuses a helper found through a relative PATH entry, as Go does, and never runs it', async () => {
    // `.`, an empty entry and `bin` all name a folder relative to wherever the user stands:
    // whoever writes a docker-credential-* there would be run with the user's credentials
    const env = { ...helper.env, PATH: `${relative(process.cwd(), helper.dir)}${delimiter}${system}` };
    const err = await new NativeCredentialStore('test', { env }).get('r.example').catch((e: unknown) => e);
    expect(CredentialsError.is(err)).toBe(true);
    expect((err as Error).message).toMatch(
      /^docker-credential-test get: found through the relative PATH entry "[^"]+"; refusing to run it/,
    );
    expect(await helper.calls()).toEqual([]);
  });

  it('skips relative PATH entries that do not hold the helper, and finds it in an absolute one', async () => {
    const env = { ...helper.env, PATH: ['.', '', 'bin', helper.dir, system].join(delimiter) };
    await new NativeCredentialStore('test', { env }).put('r.example', { username: 'u', password: 'p' });
    expect(await helper.calls()).toEqual(['store']);
  });

  it.each(['../test', 'x/test', 'x\\test', '/abs/test', ''])(
    'refuses the helper name %j, and runs nothing',
    async (name) => {
      const err = await new NativeCredentialStore(name, { env: helper.env })
        .get('r.example')
        .catch((e: unknown) => e);
      expect(CredentialsError.is(err)).toBe(true);
      expect((err as Error).message).toMatch(/invalid credential helper name/);
      expect(await helper.calls()).toEqual([]);
    },
  );
});

describe('createCredentialStore', () => {
  it('uses credHelpers for their host, credsStore for others, auths without a helper', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({ credHelpers: { 'helped.example': 'test' } }));
    const store = createCredentialStore({ configPaths: [path], env: helper.env, allowPlaintextPut: true });
    await store.put('helped.example', { username: 'h', password: 'hp' });
    await store.put('plain.example', { username: 'p', password: 'pp' });
    expect(Object.keys(await helper.db())).toEqual(['helped.example']);
    const file = JSON.parse(await readFile(path, 'utf8')) as { auths: Record<string, unknown> };
    expect(Object.keys(file.auths)).toEqual(['plain.example']);
    expect(await store.get('helped.example')).toEqual({ username: 'h', password: 'hp' });
    expect(await store.get('plain.example')).toEqual({ username: 'p', password: 'pp' });

    await writeFile(path, JSON.stringify({ credsStore: 'test' }));
    await store.put('other.example', { username: 'o', password: 'op' });
    expect(Object.keys(await helper.db()).sort()).toEqual(['helped.example', 'other.example']);
    expect(await store.isAuthConfigured()).toBe(true);
  });

  it('finds the helper for Docker Hub under its host name', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({ credHelpers: { 'index.docker.io': 'test' } }));
    const store = createCredentialStore({ configPaths: [path], env: helper.env });
    await store.put('https://index.docker.io/v1/', { username: 'hub', password: 'pw' });
    expect(Object.keys(await helper.db())).toEqual(['https://index.docker.io/v1/']);
  });

  it('reads the fallbacks in order and writes only the first file', async () => {
    const first = join(dir, 'first.json');
    const second = join(dir, 'second.json');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    await writeFile(second, JSON.stringify({ auths: { 'r.example': { auth: b64('second:pw') } } }));
    const store = createCredentialStore({ configPaths: [first, second], allowPlaintextPut: true });
    expect(store.configPath).toBe(first);
    expect(await store.get('r.example')).toEqual({ username: 'second', password: 'pw' });
    await store.put('r.example', { username: 'first', password: 'pw' });
    expect(await store.get('r.example')).toEqual({ username: 'first', password: 'pw' });
    await store.delete('r.example');
    expect(await store.get('r.example')).toEqual({ username: 'second', password: 'pw' });
    expect(JSON.parse(await readFile(second, 'utf8'))).toEqual({
      auths: { 'r.example': { auth: b64('second:pw') } },
    });
  });

  it('uses $DOCKER_CONFIG when no path is given', async () => {
    const store = createCredentialStore({ env: { DOCKER_CONFIG: dir }, allowPlaintextPut: true });
    expect(store.configPath).toBe(join(dir, 'config.json'));
    expect(await store.isAuthConfigured()).toBe(false);
  });
});

describe('credentialFuncFromStore', () => {
  it('looks Docker Hub hosts up under https://index.docker.io/v1/', async () => {
    const store = new MemoryCredentialStore({ 'https://index.docker.io/v1/': { username: 'hub' } });
    const credential = credentialFuncFromStore(store);
    expect(await credential('registry-1.docker.io')).toEqual({ username: 'hub' });
    expect(await credential('localhost:5000')).toEqual({});
    expect(serverAddressFromRegistry('docker.io')).toBe('https://index.docker.io/v1/');
    expect(serverAddressFromRegistry('ghcr.io')).toBe('ghcr.io');
  });
});
