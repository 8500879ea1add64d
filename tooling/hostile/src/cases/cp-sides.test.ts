/**
 * `oras cp` between two repositories of ONE registry, each side with its own credential: every
 * request to the destination carries the destination's credential (or none) and never the
 * source's, and the other way round. Per-side flags (`--from-username/--to-username`), per-side
 * config files (`--from-registry-config/--to-registry-config`) and per-side headers
 * (`--from-header/--to-header`), against a registry with basic auth and one with bearer tokens
 * whose issuer allows each user only on its own repository; and a client certificate given for
 * the source only (`--from-cert-file`), never presented to the destination. A run that shares one
 * credential or token cache between the sides sends the source's Basic credential to the
 * destination.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { type TestRegistry, createTlsCertificates } from '@oras-internal/test-registry';
import { beforeEach, describe, expect, it } from 'vitest';
import { fileLayer, manifestOf, sha256 } from '../harness/craft.js';
import { useSandbox, useTestRegistry, useTokenIssuer } from '../harness/fixture.js';
import { type HostileRequest, serveContent, startHostileServer } from '../harness/hostile-server.js';
import { successProblems } from '../harness/outcome.js';
import { basicSecret, leaksInTexts } from '../harness/secrets.js';

const SRC = 'sides/source';
const DST = 'sides/destination';
const USERS = { alice: 'alice-source-pw-5c1e', bob: 'bob-destination-pw-8a2d' } as const;
/** Which user owns which repository. */
const OWNER: Readonly<Record<string, keyof typeof USERS>> = { [SRC]: 'alice', [DST]: 'bob' };
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const box = useSandbox();

/** Seeds a small artifact (empty config, two file layers) into the source repository. */
function seed(registry: TestRegistry): void {
  const config = Buffer.from('{}');
  registry.storage.putBlob(SRC, sha256(config), config);
  const layers = [fileLayer('a.txt', 'first side file\n'), fileLayer('b.txt', 'second side file\n')];
  for (const layer of layers) registry.storage.putBlob(SRC, layer.descriptor.digest, layer.bytes);
  registry.storage.putManifest(SRC, 'v1', manifestOf(layers.map((l) => l.descriptor)), MANIFEST);
}

const basic = (user: keyof typeof USERS) =>
  `Basic ${Buffer.from(`${user}:${USERS[user]}`).toString('base64')}`;

/** The user a request's `Authorization` header speaks for (`''` without one), by `decode`. */
type Identify = (authorization: string | undefined) => string;

/**
 * Each request to a repository that carried a credential of another user than its owner, as
 * `METHOD path: user` lines; also fails when neither repository got an authenticated request.
 */
function crossedRequests(registry: TestRegistry, identify: Identify): string[] {
  const crossed: string[] = [];
  let authenticated = 0;
  for (const r of registry.requests) {
    if (r.origin !== 'registry' || r.repository === undefined) continue;
    const owner = OWNER[r.repository];
    if (owner === undefined) {
      crossed.push(`${r.method} ${r.path}: a request to a repository of neither side`);
      continue;
    }
    const user = identify(r.headers.authorization);
    if (user === '') continue;
    authenticated++;
    if (user !== owner) crossed.push(`${r.method} ${r.path}: ${user}'s credential, not ${owner}'s`);
  }
  if (authenticated === 0) crossed.push('no request carried a credential at all');
  return crossed;
}

/** The user of a Basic header. */
const basicUser: Identify = (authorization) => {
  if (authorization === undefined) return '';
  for (const user of Object.keys(USERS) as (keyof typeof USERS)[]) {
    if (authorization === basic(user)) return user;
  }
  return `an unknown credential (${authorization.slice(0, 12)}...)`;
};

/** The destination holds the copied manifest. */
function copied(registry: TestRegistry): boolean {
  return registry.storage.getManifest(DST, 'v1') !== undefined;
}

const endpoints = (registry: TestRegistry) => [`${registry.host}/${SRC}:v1`, `${registry.host}/${DST}:v1`];
const PLAIN = ['--from-plain-http', '--to-plain-http'];

describe('cp between two repositories of one basic-auth registry', () => {
  const registry = useTestRegistry({ auth: { basic: { ...USERS } } });
  beforeEach(() => seed(registry));

  it('sends each side only its own credential given by flags, and warns once per side', async () => {
    const run = await box.run([
      'cp',
      ...endpoints(registry),
      ...PLAIN,
      '--from-username',
      'alice',
      '--from-password',
      USERS.alice,
      '--to-username',
      'bob',
      '--to-password',
      USERS.bob,
    ]);
    expect(successProblems(run)).toEqual([]);
    expect(copied(registry)).toBe(true);
    expect(crossedRequests(registry, basicUser)).toEqual([]);
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('WARNING!'));
    expect(warnings).toEqual([
      'WARNING! Using --from-password via the CLI is insecure. Use --password-stdin.',
      'WARNING! Using --to-password via the CLI is insecure. Use --password-stdin.',
    ]);
    const secrets = [basicSecret('alice', USERS.alice), basicSecret('bob', USERS.bob)];
    expect(leaksInTexts(secrets, { stdout: run.stdout, stderr: run.stderr })).toEqual([]);
  });

  it('sends each side only the credential of its own config file', async () => {
    const config = (user: keyof typeof USERS) =>
      JSON.stringify({
        auths: { [registry.host]: { auth: Buffer.from(`${user}:${USERS[user]}`).toString('base64') } },
      });
    const fromConfig = join(box.home, 'from-config.json');
    const toConfig = join(box.home, 'to-config.json');
    await writeFile(fromConfig, config('alice'), { mode: 0o600 });
    await writeFile(toConfig, config('bob'), { mode: 0o600 });
    const run = await box.run([
      'cp',
      ...endpoints(registry),
      ...PLAIN,
      '--from-registry-config',
      fromConfig,
      '--to-registry-config',
      toConfig,
    ]);
    expect(successProblems(run)).toEqual([]);
    expect(copied(registry)).toBe(true);
    expect(crossedRequests(registry, basicUser)).toEqual([]);
  });

  it('sends each side only its own headers', async () => {
    const run = await box.run([
      'cp',
      ...endpoints(registry),
      ...PLAIN,
      '--from-username',
      'alice',
      '--from-password',
      USERS.alice,
      '--to-username',
      'bob',
      '--to-password',
      USERS.bob,
      '--from-header',
      'X-Side: source',
      '--to-header',
      'X-Side: destination',
    ]);
    expect(successProblems(run)).toEqual([]);
    const wrong = registry.requests
      .filter((r) => r.origin === 'registry' && r.repository !== undefined)
      .filter((r) => r.headers['x-side'] !== (r.repository === SRC ? 'source' : 'destination'))
      .map((r) => `${r.method} ${r.path}: X-Side ${String(r.headers['x-side'])}`);
    expect(wrong).toEqual([]);
  });
});

describe('cp between two repositories of one token-auth registry', () => {
  const issuer = useTokenIssuer({
    users: { ...USERS },
    access: [
      { account: 'alice', name: SRC, actions: ['pull'] },
      { account: 'bob', name: DST, actions: ['pull', 'push'] },
    ],
  });
  const registry = useTestRegistry(() => ({ auth: { token: issuer } }));
  beforeEach(() => {
    issuer.requests.length = 0;
    seed(registry);
  });

  /** The subject of a bearer token the issuer signed. */
  const tokenUser: Identify = (authorization) => {
    const match = /^bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!match) return authorization ? `a non-bearer credential (${authorization.slice(0, 6)}...)` : '';
    try {
      return issuer.verify(match[1]!.trim()).sub;
    } catch {
      return 'an invalid token';
    }
  };

  it('asks for and sends each side only its own user’s tokens', async () => {
    const run = await box.run([
      'cp',
      ...endpoints(registry),
      ...PLAIN,
      '--from-username',
      'alice',
      '--from-password',
      USERS.alice,
      '--to-username',
      'bob',
      '--to-password',
      USERS.bob,
    ]);
    expect(successProblems(run)).toEqual([]);
    expect(copied(registry)).toBe(true);
    expect(crossedRequests(registry, tokenUser)).toEqual([]);
    // every token asked for a side's repository was asked with that side's credential
    const wrongTokens = issuer.requests.flatMap((r) =>
      r.scopes
        .map((scope) => scope.split(':')[1] ?? '')
        .filter((name) => OWNER[name] !== undefined && r.account !== OWNER[name])
        .map((name) => `token for ${name} asked as ${JSON.stringify(r.account)}`),
    );
    expect(wrongTokens).toEqual([]);
  });
});

describe('cp between two repositories of one TLS registry, a client certificate for the source only', () => {
  /** Serves the source's artifact, and takes what is pushed to the destination. */
  function registryOf(layers: ReturnType<typeof fileLayer>[]) {
    const manifest = manifestOf(layers.map((l) => l.descriptor));
    const source = {
      blobs: new Map<string, { mediaType: string; bytes: Uint8Array }>([
        [sha256('{}'), { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') }],
        [sha256(manifest), { mediaType: MANIFEST, bytes: manifest }],
        ...layers.map(
          (l) => [l.descriptor.digest, { mediaType: 'application/octet-stream', bytes: l.bytes }] as const,
        ),
      ]),
      tags: new Map([['v1', sha256(manifest)]]),
    };
    const pushed = {
      blobs: new Map<string, { mediaType: string; bytes: Uint8Array }>(),
      tags: new Map<string, string>(),
    };
    let uploads = 0;
    const answer = (res: ServerResponse, status: number, headers: Record<string, string>) => {
      res.writeHead(status, { 'content-length': '0', ...headers });
      res.end();
      return true;
    };
    const handler = (req: HostileRequest, res: ServerResponse) => {
      const path = req.url.pathname;
      if (path.startsWith(`/v2/${SRC}/`)) return serveContent(req, res, source);
      if (!path.startsWith(`/v2/${DST}/`)) return serveContent(req, res, source);
      if (req.method === 'POST' && path === `/v2/${DST}/blobs/uploads/`) {
        return answer(res, 202, { location: `/v2/${DST}/blobs/uploads/${++uploads}` });
      }
      if (req.method === 'PUT' && path.startsWith(`/v2/${DST}/blobs/uploads/`)) {
        const digest = req.url.searchParams.get('digest') ?? '';
        pushed.blobs.set(digest, { mediaType: 'application/octet-stream', bytes: req.body });
        return answer(res, 201, { location: `/v2/${DST}/blobs/${digest}`, 'docker-content-digest': digest });
      }
      const tag = /^\/v2\/.+\/manifests\/([^/]+)$/.exec(path)?.[1];
      if (req.method === 'PUT' && tag !== undefined) {
        const digest = sha256(req.body);
        pushed.blobs.set(digest, { mediaType: String(req.headers['content-type']), bytes: req.body });
        if (!tag.startsWith('sha256:')) pushed.tags.set(tag, digest);
        return answer(res, 201, {
          location: `/v2/${DST}/manifests/${digest}`,
          'docker-content-digest': digest,
        });
      }
      return serveContent(req, res, pushed);
    };
    return { handler, pushed };
  }

  it('presents the certificate to the source and never to the destination', async () => {
    const tlsDir = join(box.tmp, 'tls');
    const client = join(box.work, 'client');
    await mkdir(tlsDir);
    await mkdir(client);
    const certs = await createTlsCertificates(tlsDir, { hosts: ['127.0.0.1'] });
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1']
        .concat(['-subj', '/CN=oras-hostile-source-client', '-keyout', join(client, 'key.pem')])
        .concat(['-out', join(client, 'cert.pem')]),
      { stdio: 'ignore' },
    );
    const { handler, pushed } = registryOf([fileLayer('a.txt', 'a side file\n')]);
    const server = await startHostileServer(handler, { tls: { cert: certs.certPem, key: certs.keyPem } });
    try {
      const run = await box.run([
        'cp',
        `${server.host}/${SRC}:v1`,
        `${server.host}/${DST}:v1`,
        '--from-ca-file',
        certs.caFile,
        '--to-ca-file',
        certs.caFile,
        '--from-cert-file',
        join(client, 'cert.pem'),
        '--from-key-file',
        join(client, 'key.pem'),
      ]);
      expect(successProblems(run)).toEqual([]);
      expect(pushed.tags.get('v1')).toBeDefined();
      const toSource = server.requests.filter((r) => r.url.pathname.startsWith(`/v2/${SRC}/`));
      const toDestination = server.requests.filter((r) => r.url.pathname.startsWith(`/v2/${DST}/`));
      expect(toSource.length).toBeGreaterThan(0);
      expect(toDestination.length).toBeGreaterThan(0);
      expect(
        toSource.filter((r) => !r.clientCertificate).map((r) => `${r.method} ${r.url.pathname}`),
      ).toEqual([]);
      expect(
        toDestination.filter((r) => r.clientCertificate).map((r) => `${r.method} ${r.url.pathname}`),
      ).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
