/**
 * Secrets never leak: with `--debug`, `-p`, `--password-stdin`, credentials from a config file,
 * identity (refresh) tokens, bearer tokens and signed blob URLs, no secret (raw, base64 or URL
 * encoded) appears in stdout, stderr, error messages or any file under the sandbox other than the
 * credential store. A blob redirect to another origin receives no `Authorization`, no custom
 * header and no client certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTlsCertificates, startTestRegistry } from '@oras-internal/test-registry';
import { beforeEach, describe, expect, it } from 'vitest';
import { fileLayer, manifestOf, pushArtifactRaw, sha256 } from '../harness/craft.js';
import { useHostileServer, useSandbox, useTestRegistry, useTokenIssuer } from '../harness/fixture.js';
import { type HostileServer, serveContent, startHostileServer } from '../harness/hostile-server.js';
import type { OrasRun } from '../harness/oras.js';
import { cleanFailureProblems, successProblems } from '../harness/outcome.js';
import { type Secret, basicSecret, leaksInFiles, leaksInTexts, secret } from '../harness/secrets.js';

const USER = 'alice';
const PASSWORD = 'Pa55-w0rd/with+odd=chars-7c1e';
const CONFIG = 'home/.docker/config.json';

const box = useSandbox({ files: { 'work/hello.txt': 'hello, world\n' } });
const runs: OrasRun[] = [];

beforeEach(() => {
  runs.length = 0;
});

/** Runs oras and keeps the run, so every output can be searched at the end. */
async function oras(args: readonly string[], stdin?: string): Promise<OrasRun> {
  const run = await box.run(args, { timeoutMs: 30_000, ...(stdin !== undefined ? { stdin } : {}) });
  runs.push(run);
  return run;
}

/** Every leak of the secrets in the runs' outputs and the sandbox's files (but the credential store). */
async function leaks(secrets: readonly Secret[]): Promise<string[]> {
  const texts: Record<string, string> = {};
  runs.forEach((run, i) => {
    texts[`stdout of run ${i} (${run.args.slice(0, 2).join(' ')})`] = run.stdout;
    texts[`stderr of run ${i} (${run.args.slice(0, 2).join(' ')})`] = run.stderr;
  });
  return [
    ...leaksInTexts(secrets, texts),
    ...(await leaksInFiles(secrets, box.root, await box.snapshot(), (path) => path === CONFIG)),
  ];
}

describe('basic auth', () => {
  const registry = useTestRegistry({ auth: { basic: { [USER]: PASSWORD } } }, 'file');
  const secrets = [secret('password', PASSWORD), basicSecret(USER, PASSWORD)];

  it('keeps -p out of every output, with --debug, on success and on failure', async () => {
    const creds = ['-u', USER, '-p', PASSWORD, '--plain-http', '--debug'];
    expect(
      successProblems(await oras(['push', `${registry.host}/s/basic:v1`, 'hello.txt', ...creds])),
    ).toEqual([]);
    expect(
      successProblems(await oras(['pull', `${registry.host}/s/basic:v1`, '-o', box.out, ...creds])),
    ).toEqual([]);
    expect(successProblems(await oras(['repo', 'tags', `${registry.host}/s/basic`, ...creds]))).toEqual([]);
    const missing = await oras(['manifest', 'fetch', `${registry.host}/s/basic:nope`, ...creds]);
    expect(missing.code).not.toBe(0);
    const wrong = await oras([
      'pull',
      `${registry.host}/s/basic:v1`,
      '-o',
      box.out,
      '-u',
      USER,
      '-p',
      `${PASSWORD}x`,
      '--plain-http',
    ]);
    expect(cleanFailureProblems(wrong, /unauthori|denied|401|credential/i)).toEqual([]);
    expect(
      await leaks([...secrets, secret('wrong password', `${PASSWORD}x`), basicSecret(USER, `${PASSWORD}x`)]),
    ).toEqual([]);
  });

  it('keeps a stored login out of every output but the credential store', async () => {
    const login = await oras(
      ['login', registry.host, '-u', USER, '--password-stdin', '--plain-http', '--debug'],
      `${PASSWORD}\n`,
    );
    expect(successProblems(login)).toEqual([]);
    expect(
      successProblems(
        await oras(['push', `${registry.host}/s/login:v1`, 'hello.txt', '--plain-http', '--debug']),
      ),
    ).toEqual([]);
    expect(
      successProblems(
        await oras(['pull', `${registry.host}/s/login:v1`, '-o', box.out, '--plain-http', '--debug']),
      ),
    ).toEqual([]);
    expect(await leaks(secrets)).toEqual([]);
  });

  it('keeps credentials of a config file out of every output', async () => {
    await writeFile(
      join(box.home, '.docker', 'config.json'),
      JSON.stringify({
        auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } },
      }),
    );
    expect(
      successProblems(
        await oras(['push', `${registry.host}/s/config:v1`, 'hello.txt', '--plain-http', '--debug']),
      ),
    ).toEqual([]);
    const other = join(box.work, 'other-config.json');
    await writeFile(
      other,
      JSON.stringify({ auths: { [registry.host]: { username: USER, password: PASSWORD } } }),
    );
    const pulled = await oras([
      'pull',
      `${registry.host}/s/config:v1`,
      '-o',
      box.out,
      '--plain-http',
      '--debug',
      '--registry-config',
      other,
    ]);
    expect(successProblems(pulled)).toEqual([]);
    const texts = await leaks(secrets);
    expect(texts.filter((leak) => !leak.endsWith('work/other-config.json'))).toEqual([]);
  });
});

describe('bearer tokens', () => {
  const issuer = useTokenIssuer({
    users: { [USER]: PASSWORD },
    access: [{ account: USER, name: '*', actions: ['*'] }],
    refreshTokens: 'always',
  });
  const registry = useTestRegistry(() => ({ auth: { token: issuer } }), 'file');

  /** Every bearer token the registry received: secrets too. */
  const bearerTokens = () => {
    const tokens = new Set<string>();
    for (const req of registry.requests) {
      const match = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''));
      if (match) tokens.add(match[1]!);
    }
    return [...tokens].map((t, i) => secret(`bearer token ${i}`, t));
  };

  it('keeps the password, identity token and bearer tokens out of every output', async () => {
    const grant = await fetch(issuer.realm, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: USER,
        password: PASSWORD,
        service: issuer.service,
        client_id: 'hostile',
        scope: 'repository:s/token:pull,push',
      }),
    });
    const refresh = ((await grant.json()) as { refresh_token?: string }).refresh_token ?? '';
    expect(refresh.length).toBeGreaterThan(10);
    registry.clearRequests();
    const flags = ['--plain-http', '--debug'];
    expect(
      successProblems(
        await oras([
          'push',
          `${registry.host}/s/token:v1`,
          'hello.txt',
          '-u',
          USER,
          '-p',
          PASSWORD,
          ...flags,
        ]),
      ),
    ).toEqual([]);
    expect(
      successProblems(
        await oras([
          'pull',
          `${registry.host}/s/token:v1`,
          '-o',
          box.out,
          '--identity-token',
          refresh,
          ...flags,
        ]),
      ),
    ).toEqual([]);
    const login = await oras(['login', registry.host, '--identity-token-stdin', ...flags], `${refresh}\n`);
    expect(successProblems(login)).toEqual([]);
    expect(successProblems(await oras(['repo', 'tags', `${registry.host}/s/token`, ...flags]))).toEqual([]);
    const tokens = bearerTokens();
    expect(tokens.length).toBeGreaterThan(0);
    expect(
      await leaks([
        secret('password', PASSWORD),
        basicSecret(USER, PASSWORD),
        secret('identity token', refresh),
        ...tokens,
      ]),
    ).toEqual([]);
  });
});

describe('blob redirects to another origin', () => {
  it('send no Authorization or custom header there, and keep the signed URL out of every output', async () => {
    const registry = await startTestRegistry({ auth: { basic: { [USER]: PASSWORD } } });
    try {
      const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
      await pushArtifactRaw({ url: registry.url, headers: auth }, 's/redirect', 'v1', [
        fileLayer('big.txt', 'x'.repeat(100_000)),
      ]);
      registry.setFaults({ redirectBlobs: { status: 307 } });
      const run = await oras([
        'pull',
        `${registry.host}/s/redirect:v1`,
        '-o',
        box.out,
        '--plain-http',
        '--debug',
        '-u',
        USER,
        '-p',
        PASSWORD,
        '-H',
        'X-Api-Key: custom-header-secret-31',
      ]);
      expect(successProblems(run)).toEqual([]);
      const storage = registry.requests.filter((r) => r.origin === 'storage');
      expect(storage.length).toBeGreaterThan(0);
      for (const req of storage) {
        expect(req.headers.authorization).toBeUndefined();
        expect(req.headers['x-api-key']).toBeUndefined();
      }
      const signatures = storage.map((r, i) => secret(`signed URL ${i}`, r.query.get('sig') ?? ''));
      expect(await leaks([secret('password', PASSWORD), basicSecret(USER, PASSWORD), ...signatures])).toEqual(
        [],
      );
    } finally {
      await registry.close();
    }
  });

  it('present the client certificate to the registry only', async () => {
    await mkdir(join(box.tmp, 'tls'));
    const certs = await createTlsCertificates(join(box.tmp, 'tls'), { hosts: ['127.0.0.1'] });
    const client = join(box.work, 'client');
    await mkdir(client);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=oras-hostile-client',
        '-keyout',
        join(client, 'key.pem'),
        '-out',
        join(client, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const tls = { cert: certs.certPem, key: certs.keyPem };
    const bytes = Buffer.from('blob behind a redirect\n');
    const layer = fileLayer('file.txt', bytes);
    const blobs = new Map<string, { mediaType: string; bytes: Uint8Array }>([
      [layer.descriptor.digest, { mediaType: 'application/octet-stream', bytes }],
      [sha256('{}'), { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') }],
    ]);
    let storage: HostileServer | undefined;
    let registry: HostileServer | undefined;
    try {
      storage = await startHostileServer((req, res) => serveContent(req, res, { blobs }), { tls });
      const storageUrl = storage.url;
      const manifest = manifestOf([layer.descriptor]);
      const world = { blobs: new Map(blobs), tags: new Map([['v1', sha256(manifest)]]) };
      world.blobs.set(sha256(manifest), {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        bytes: manifest,
      });
      registry = await startHostileServer(
        (req, res) => {
          if (req.url.pathname.includes('/blobs/') && req.method === 'GET') {
            res.writeHead(307, { location: `${storageUrl}${req.url.pathname}?sig=signed-url-secret-5150` });
            res.end();
            return true;
          }
          return serveContent(req, res, world);
        },
        { tls },
      );
      const run = await oras([
        'pull',
        `${registry.host}/s/cert:v1`,
        '-o',
        box.out,
        '--ca-file',
        certs.caFile,
        '--cert-file',
        join(client, 'cert.pem'),
        '--key-file',
        join(client, 'key.pem'),
        '--debug',
      ]);
      expect(successProblems(run)).toEqual([]);
      expect(registry.requests.some((r) => r.clientCertificate)).toBe(true);
      expect(storage.requests.length).toBeGreaterThan(0);
      expect(storage.requests.filter((r) => r.clientCertificate)).toEqual([]);
      expect(await leaks([secret('signed URL', 'signed-url-secret-5150')])).toEqual([]);
    } finally {
      await storage?.close();
      await registry?.close();
    }
  });
});

describe('debug traces', () => {
  const storage = useHostileServer(() => false);
  const registry = useHostileServer(() => false);

  it('hide secret headers whatever their names, and every signature of a signed URL', async () => {
    // the red team's finds: CDN signatures under `verify=` and `hmac=`, and API keys in headers
    // whose names do not start with x-
    const bytes = Buffer.from('blob behind a signed URL\n');
    const layer = fileLayer('file.txt', bytes);
    const manifest = manifestOf([layer.descriptor]);
    const world = {
      blobs: new Map<string, { mediaType: string; bytes: Uint8Array }>([
        [layer.descriptor.digest, { mediaType: 'application/octet-stream', bytes }],
        [sha256('{}'), { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') }],
        [sha256(manifest), { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: manifest }],
      ]),
      tags: new Map([['v1', sha256(manifest)]]),
    };
    const signed = '?verify=1700000000-verify-secret-a1&hmac=hmac-secret-b2&expires=1700000000';
    storage.setHandler((req, res) => serveContent(req, res, world));
    registry.setHandler((req, res) => {
      if (req.url.pathname.includes('/blobs/') && req.method === 'GET') {
        res.writeHead(307, {
          location: `${storage.url}${req.url.pathname}${signed}`,
          'Ocp-Apim-Subscription-Key': 'response-key-secret-c3',
        });
        res.end();
        return true;
      }
      return serveContent(req, res, world);
    });
    const headerSecrets = {
      'Api-Key': 'api-key-secret-d4',
      'Ocp-Apim-Subscription-Key': 'apim-secret-e5',
      Authentication: 'authentication-secret-f6',
    };
    const run = await oras([
      'pull',
      `${registry.host}/s/debug:v1`,
      '-o',
      box.out,
      '--plain-http',
      '--debug',
      ...Object.entries(headerSecrets).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    ]);
    expect(successProblems(run)).toEqual([]);
    // the headers did reach the registry (so a trace had them to print) and never the storage
    expect(registry.requests.some((r) => r.headers['api-key'] === 'api-key-secret-d4')).toBe(true);
    expect(storage.requests.length).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/verify=/);
    expect(
      await leaks([
        secret('verify= value', 'verify-secret-a1'),
        secret('hmac= value', 'hmac-secret-b2'),
        secret('response header', 'response-key-secret-c3'),
        ...Object.entries(headerSecrets).map(([name, value]) => secret(name, value)),
      ]),
    ).toEqual([]);
  });
});
