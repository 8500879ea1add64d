/**
 * Credentials, checked case by case against what oras's own e2e suite asserts
 * (`test/e2e/suite/auth/auth.go`, and the wrong-password cases of `pull.go`, `cp.go`, `repo.go`):
 * every command that talks to a registry fails the same way without a login, with rejected
 * credentials, and with an authentication file that has none; login succeeds with -p or prompts.
 * Debian's docker-registry with htpasswd over TLS.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withDistribution } from './fixture.js';

const e2e = withDistribution({ mode: 'basic-tls', files: { blob: 'test', 'empty.config': '{}' } });

let tls: string[] = [];
let password = '';
beforeAll(() => {
  tls = ['--ca-file', e2e.registry.caFile ?? ''];
  password = e2e.registry.users?.oras ?? '';
});

/** The commands oras's auth suite runs, each against a repository that needs credentials. */
function commands(host: string): string[][] {
  const digest = `sha256:${'a'.repeat(64)}`;
  return [
    ['attach', `${host}/repo:tag`, '-a', 'test=true', '--artifact-type', 'doc/example'],
    ['discover', `${host}/repo:tag`],
    ['push', '-a', 'key=value', `${host}/repo:tag`],
    ['pull', `${host}/repo:tag`],
    ['manifest', 'fetch', `${host}/repo:tag`],
    ['blob', 'delete', `${host}/repo@${digest}`],
    ['blob', 'push', `${host}/repo`, 'blob'],
    ['tag', `${host}/repo:tag`, 'tag1'],
    ['resolve', `${host}/repo:tag`],
    ['repo', 'ls', host],
    ['repo', 'tags', `${host}/repo`],
    ['manifest', 'fetch-config', `${host}/repo:tag`],
  ];
}

describe('credentials, as oras e2e checks them', () => {
  it('fails every command without a login: basic credential not found', async () => {
    const config = join(e2e.box.dir, 'nowhere', 'auth.config');
    for (const args of commands(e2e.host)) {
      const res = await e2e.box.run([...args, ...tls, '--registry-config', config]);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stderr, args.join(' ')).toMatch(/^Error: .*basic credential not found/);
    }
    const cp = await e2e.box.run([
      'copy',
      `${e2e.host}/repo:from`,
      `${e2e.host}/repo:to`,
      '--from-ca-file',
      tls[1] ?? '',
      '--to-ca-file',
      tls[1] ?? '',
      '--from-registry-config',
      config,
      '--to-registry-config',
      config,
    ]);
    expect(cp.code).toBe(1);
    expect(cp.stderr).toContain('basic credential not found');
  });

  it('fails every command with rejected credentials with the registry error prefix', async () => {
    for (const args of commands(e2e.host)) {
      const res = await e2e.box.run([...args, ...tls, '-u', 'oras', '-p', `${password}1`]);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stderr, args.join(' ')).toContain('Error response from registry: ');
    }
  });

  it('names the authentication file to check when it has no credential for the registry', async () => {
    for (const args of commands(e2e.host)) {
      const res = await e2e.box.run([...args, ...tls, '--registry-config', 'empty.config']);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stderr, args.join(' ')).toMatch(/^Error: /);
      expect(res.stderr, args.join(' ')).toContain(
        'Please check whether the registry credential stored in the authentication file at "empty.config" is correct',
      );
    }
  });

  it('says which side of a copy rejected the credentials', async () => {
    await e2e.box.ok(['push', ...tls, '-u', 'oras', '-p', password, `${e2e.host}/parity/src:v1`, 'blob']);
    const source = await e2e.box.run([
      'cp',
      `${e2e.host}/parity/src:v1`,
      `${e2e.host}/parity/dst:v1`,
      '--from-ca-file',
      tls[1] ?? '',
      '--to-ca-file',
      tls[1] ?? '',
      '--from-username',
      'oras',
      '--from-password',
      `${password}?`,
      '--to-username',
      'oras',
      '--to-password',
      password,
    ]);
    expect(source.code).toBe(1);
    // oras 1.3 names the side of a copy where older oras printed "Error response from registry:";
    // the source's root is read with a GET by tag (as oras-go's copy does): the registry's error
    expect(source.stderr).toMatch(
      /^Error from source registry for "[^"]+": unauthorized: authentication required: \[/m,
    );
    await e2e.box.ok([
      'cp',
      '--from-ca-file',
      tls[1] ?? '',
      '--from-username',
      'oras',
      '--from-password',
      password,
      `${e2e.host}/parity/src:v1`,
      'cp-layout:v1',
      '--to-oci-layout',
    ]);
    const destination = await e2e.box.run([
      'cp',
      '--from-oci-layout',
      'cp-layout:v1',
      `${e2e.host}/parity/dst:v1`,
      '--to-ca-file',
      tls[1] ?? '',
      '--to-username',
      'oras',
      '--to-password',
      `${password}?`,
    ]);
    expect(destination.code).toBe(1);
    expect(destination.stderr).toMatch(/^Error from destination registry for "[^"]+": .*401: Unauthorized$/m);
  });

  it('logs in with -p (warning that it is insecure) and with prompted input; a wrong prompted password fails', async () => {
    const config = join(e2e.box.dir, 'login', 'test.config');
    const flag = await e2e.box.ok([
      'login',
      ...tls,
      e2e.host,
      '-u',
      'oras',
      '-p',
      password,
      '--registry-config',
      config,
    ]);
    expect(flag.stdout).toBe('Login Succeeded\n');
    for (const word of ['WARNING', 'Using --password via the CLI is insecure', 'Use --password-stdin']) {
      expect(flag.stderr).toContain(word);
    }
    const prompted = await e2e.box.ok(['login', ...tls, e2e.host, '--registry-config', config], {
      stdin: `oras\n${password}\n`,
    });
    for (const word of ['Username: ', 'Password: ', 'Login Succeeded\n'])
      expect(prompted.stdout).toContain(word);
    const wrong = await e2e.box.run(['login', ...tls, e2e.host, '--registry-config', config], {
      stdin: 'oras\n???\n',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('Username: ');
    expect(wrong.stdout).toContain('Password: ');
    expect(wrong.stderr).toContain('Error response from registry: ');
  });
});
