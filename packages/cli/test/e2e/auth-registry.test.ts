/**
 * The artifact workflow against docker-registry with authentication: htpasswd over TLS with a CA
 * made for the run, and bearer tokens from a token issuer. Credentials go through `oras login`
 * into a private Docker config, or on the command line.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestLine, sha256, skopeo, withDistribution } from './fixture.js';

describe.each(['basic-tls', 'token'] as const)('with a %s registry', (mode) => {
  const e2e = withDistribution({ mode, files: { 'hi.txt': `hello ${mode}\n` } });
  let password: string;
  let tls: string[];

  beforeAll(() => {
    password = e2e.registry.users?.oras ?? '';
    tls = mode === 'basic-tls' ? ['--ca-file', e2e.registry.caFile ?? ''] : ['--plain-http'];
  });

  it('refuses an anonymous push with one error line', async () => {
    const res = await e2e.box.run(['push', ...tls, `${e2e.host}/anon:v1`, 'hi.txt']);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n')[0]).toMatch(
      /^Error(?: response from registry)?: .*(401|unauthorized|credential|denied)/i,
    );
    expect(res.stderr).not.toContain('    at ');
  });

  it('logs in with --password-stdin into the given config, then pushes and pulls with it', async () => {
    const config = join(e2e.box.dir, 'auth.json');
    const wrong = await e2e.box.run(
      ['login', ...tls, '-u', 'oras', '--password-stdin', '--registry-config', config, e2e.host],
      {
        stdin: 'wrong\n',
      },
    );
    expect(wrong.code).toBe(1);
    const login = await e2e.box.ok(
      ['login', ...tls, '-u', 'oras', '--password-stdin', '--registry-config', config, e2e.host],
      {
        stdin: `${password}\n`,
      },
    );
    expect(login.stdout).toBe('Login Succeeded\n');
    expect(login.stderr).not.toContain('WARNING');
    const stored = JSON.parse(await readFile(config, 'utf8'));
    expect(Buffer.from(stored.auths[e2e.host].auth, 'base64').toString()).toBe(`oras:${password}`);

    const pushed = await e2e.box.ok([
      'push',
      ...tls,
      '--registry-config',
      config,
      `${e2e.host}/auth:v1`,
      'hi.txt',
    ]);
    const digest = digestLine(pushed.stdout);
    const pulled = await e2e.box.ok(['pull', ...tls, '-c', config, `${e2e.host}/auth:v1`, '-o', 'out']);
    expect(digestLine(pulled.stdout)).toBe(digest);
    expect(await readFile(join(e2e.box.dir, 'out', 'hi.txt'), 'utf8')).toBe(`hello ${mode}\n`);
    const raw = await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      `oras:${password}`,
      `docker://${e2e.host}/auth:v1`,
    ]);
    expect(sha256(raw)).toBe(digest);

    const prompted = await e2e.box.ok(
      ['login', ...tls, '--registry-config', join(e2e.box.dir, 'prompted.json'), e2e.host],
      {
        stdin: `oras\n${password}\n`,
      },
    );
    // the prompts go to stdout, as oras prints them
    expect(prompted.stderr).toBe('');
    expect(prompted.stdout).toBe('Username: Password: \nLogin Succeeded\n');
    const promptedStore = JSON.parse(await readFile(join(e2e.box.dir, 'prompted.json'), 'utf8'));
    expect(Buffer.from(promptedStore.auths[e2e.host].auth, 'base64').toString()).toBe(`oras:${password}`);

    await e2e.box.ok(['logout', '--registry-config', config, e2e.host]);
    const after = JSON.parse(await readFile(config, 'utf8'));
    expect(after.auths?.[e2e.host]).toBeUndefined();
  });

  it('uses credentials from the DOCKER_CONFIG login wrote, and warns about -p on the command line', async () => {
    const login = await e2e.box.ok(['login', ...tls, '-u', 'oras', '-p', password, e2e.host]);
    expect(login.stderr).toContain(
      'WARNING! Using --password via the CLI is insecure. Use --password-stdin.',
    );
    const traced = await e2e.box.ok([
      'resolve',
      ...tls,
      '-d',
      '-u',
      'oras',
      '-p',
      password,
      `${e2e.host}/auth:v1`,
    ]);
    expect(traced.stderr).toMatch(/^> Request method: "(HEAD|GET)"$/m);
    expect(traced.stderr).not.toContain(password);
    expect(traced.stderr).not.toContain(Buffer.from(`oras:${password}`).toString('base64'));
    const stored = JSON.parse(await readFile(join(e2e.box.dockerConfig, 'config.json'), 'utf8'));
    expect(Object.keys(stored.auths)).toContain(e2e.host);
    const pushed = await e2e.box.ok(['push', ...tls, `${e2e.host}/cfg:v1`, 'hi.txt']);
    const copied = await e2e.box.ok([
      'cp',
      ...tls.map((f) => f.replace(/^--/, '--from-')),
      ...tls.map((f) => f.replace(/^--/, '--to-')),
      `${e2e.host}/cfg:v1`,
      `${e2e.host}/cfg-copy:v1`,
    ]);
    expect(digestLine(copied.stdout)).toBe(digestLine(pushed.stdout));
    const tagged = await e2e.box.ok(['tag', ...tls, `${e2e.host}/cfg-copy:v1`, 'v2']);
    expect(tagged.stdout).toContain('Tagged v2\n');
    const resolved = await e2e.box.ok(['resolve', ...tls, `${e2e.host}/cfg-copy:v2`]);
    expect(resolved.stdout.trim()).toBe(digestLine(pushed.stdout));
    const attached = await e2e.box.ok([
      'attach',
      ...tls,
      '--artifact-type',
      'doc/example',
      '-a',
      'a=b',
      `${e2e.host}/cfg:v1`,
    ]);
    const discovered = JSON.parse(
      (await e2e.box.ok(['discover', ...tls, '--format', 'json', `${e2e.host}/cfg:v1`])).stdout,
    );
    expect(discovered.referrers.map((r: { digest: string }) => r.digest)).toEqual([
      digestLine(attached.stdout),
    ]);
  });
});
