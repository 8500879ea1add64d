/**
 * The artifact workflow against docker-registry with authentication: htpasswd over TLS with a CA
 * made for the run, and bearer tokens from a token issuer. Credentials go through `oras login`
 * into a private Docker config, or on the command line.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestLine, type Sandbox, sandbox, sha256, skopeo } from '../../src/test-support/oras-process.js';

describe.each(['basic-tls', 'token'] as const)('with a %s registry', (mode) => {
  let registry: Distribution;
  let box: Sandbox;
  let host: string;
  let password: string;
  let tls: string[];

  beforeAll(async () => {
    registry = await startDistribution({ mode });
    host = registry.host;
    password = registry.users?.oras ?? '';
    tls = mode === 'basic-tls' ? ['--ca-file', registry.caFile ?? ''] : ['--plain-http'];
    box = await sandbox();
    await writeFile(join(box.dir, 'hi.txt'), `hello ${mode}\n`);
  });

  afterAll(async () => {
    await registry?.stop();
    await box?.remove();
  });

  it('refuses an anonymous push with one error line', async () => {
    const res = await box.run(['push', ...tls, `${host}/anon:v1`, 'hi.txt']);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n')[0]).toMatch(
      /^Error(?: response from registry)?: .*(401|unauthorized|credential|denied)/i,
    );
    expect(res.stderr).not.toContain('    at ');
  });

  it('logs in with --password-stdin into the given config, then pushes and pulls with it', async () => {
    const config = join(box.dir, 'auth.json');
    const wrong = await box.run(
      ['login', ...tls, '-u', 'oras', '--password-stdin', '--registry-config', config, host],
      {
        stdin: 'wrong\n',
      },
    );
    expect(wrong.code).toBe(1);
    const login = await box.ok(
      ['login', ...tls, '-u', 'oras', '--password-stdin', '--registry-config', config, host],
      {
        stdin: `${password}\n`,
      },
    );
    expect(login.stdout).toBe('Login Succeeded\n');
    expect(login.stderr).not.toContain('WARNING');
    const stored = JSON.parse(await readFile(config, 'utf8'));
    expect(Buffer.from(stored.auths[host].auth, 'base64').toString()).toBe(`oras:${password}`);

    const pushed = await box.ok(['push', ...tls, '--registry-config', config, `${host}/auth:v1`, 'hi.txt']);
    const digest = digestLine(pushed.stdout);
    const pulled = await box.ok(['pull', ...tls, '-c', config, `${host}/auth:v1`, '-o', 'out']);
    expect(digestLine(pulled.stdout)).toBe(digest);
    expect(await readFile(join(box.dir, 'out', 'hi.txt'), 'utf8')).toBe(`hello ${mode}\n`);
    const raw = await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      `oras:${password}`,
      `docker://${host}/auth:v1`,
    ]);
    expect(sha256(raw)).toBe(digest);

    const prompted = await box.ok(
      ['login', ...tls, '--registry-config', join(box.dir, 'prompted.json'), host],
      {
        stdin: `oras\n${password}\n`,
      },
    );
    expect(prompted.stderr).toBe('Username: Password: \n');
    expect(prompted.stdout).toBe('Login Succeeded\n');
    const promptedStore = JSON.parse(await readFile(join(box.dir, 'prompted.json'), 'utf8'));
    expect(Buffer.from(promptedStore.auths[host].auth, 'base64').toString()).toBe(`oras:${password}`);

    await box.ok(['logout', '--registry-config', config, host]);
    const after = JSON.parse(await readFile(config, 'utf8'));
    expect(after.auths?.[host]).toBeUndefined();
  });

  it('uses credentials from the DOCKER_CONFIG login wrote, and warns about -p on the command line', async () => {
    const login = await box.ok(['login', ...tls, '-u', 'oras', '-p', password, host]);
    expect(login.stderr).toContain(
      'WARNING! Using --password via the CLI is insecure. Use --password-stdin.',
    );
    const traced = await box.ok(['resolve', ...tls, '-d', '-u', 'oras', '-p', password, `${host}/auth:v1`]);
    expect(traced.stderr).toMatch(/^> Request method: "(HEAD|GET)"$/m);
    expect(traced.stderr).not.toContain(password);
    expect(traced.stderr).not.toContain(Buffer.from(`oras:${password}`).toString('base64'));
    const stored = JSON.parse(await readFile(join(box.dockerConfig, 'config.json'), 'utf8'));
    expect(Object.keys(stored.auths)).toContain(host);
    const pushed = await box.ok(['push', ...tls, `${host}/cfg:v1`, 'hi.txt']);
    const copied = await box.ok([
      'cp',
      ...tls.map((f) => f.replace(/^--/, '--from-')),
      ...tls.map((f) => f.replace(/^--/, '--to-')),
      `${host}/cfg:v1`,
      `${host}/cfg-copy:v1`,
    ]);
    expect(digestLine(copied.stdout)).toBe(digestLine(pushed.stdout));
    const tagged = await box.ok(['tag', ...tls, `${host}/cfg-copy:v1`, 'v2']);
    expect(tagged.stdout).toContain('Tagged v2\n');
    const resolved = await box.ok(['resolve', ...tls, `${host}/cfg-copy:v2`]);
    expect(resolved.stdout.trim()).toBe(digestLine(pushed.stdout));
    const attached = await box.ok([
      'attach',
      ...tls,
      '--artifact-type',
      'doc/example',
      '-a',
      'a=b',
      `${host}/cfg:v1`,
    ]);
    const discovered = JSON.parse(
      (await box.ok(['discover', ...tls, '--format', 'json', `${host}/cfg:v1`])).stdout,
    );
    expect(discovered.referrers.map((r: { digest: string }) => r.digest)).toEqual([
      digestLine(attached.stdout),
    ]);
  });
});
