/**
 * The token service cut mid-answer. A registry's bearer tokens come from another server (Docker
 * Hub's from auth.docker.io), reached over its own connections, which break like any other. A
 * token answer cut mid-body cannot be resumed (token services ignore `Range`, as ours does), but
 * it can be asked for again: the command must then go on as if nothing happened, and fail with
 * one clean line only when the service keeps breaking. The same for a token service that answers
 * 503 for a moment: an OAuth2 token `POST` (an identity token in the config) is sent again, as a
 * `GET` would be. And a realm that redirects is followed, as oras-go's HTTP client follows it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  request as httpRequest,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startFaultProxy } from '@oras-internal/fault-proxy';
import {
  type TestRegistry,
  type TokenIssuer,
  startTestRegistry,
  startTokenIssuer,
} from '@oras-internal/test-registry';
import { describe, expect, it } from 'vitest';
import { fileLayer, manifestOf, sha256 } from '../harness/craft.js';
import { useFixture, useSandbox } from '../harness/fixture.js';
import { cleanFailureProblems, successProblems } from '../harness/outcome.js';

const REPO = 'hostile/token';
const USER = 'ci';
const PASSWORD = 'ci-pa55word-t0ken';
const FILE = fileLayer('hello.txt', 'hello through a broken token service\n');

const issuer = useFixture(
  'token issuer',
  () =>
    startTokenIssuer({
      users: { [USER]: PASSWORD },
      access: [{ account: USER, name: '*', actions: ['*'] }],
    }),
  (i) => i.close(),
  'file',
);
/** The proxy in front of the token issuer: the realm the registry names points at it. */
const proxy = useFixture(
  'token proxy',
  () => startFaultProxy({ upstream: { host: '127.0.0.1', port: Number(new URL(issuer.url).port) } }),
  (p) => p.close(),
  'file',
);
/** Puts the artifact (`hello.txt`, an empty config) under `REPO:v1`. */
function seedArtifact(r: TestRegistry): void {
  const config = Buffer.from('{}');
  r.storage.putBlob(REPO, sha256(config), config);
  r.storage.putBlob(REPO, FILE.descriptor.digest, Buffer.from(FILE.bytes));
  r.storage.putManifest(
    REPO,
    'v1',
    manifestOf([FILE.descriptor]),
    'application/vnd.oci.image.manifest.v1+json',
  );
}

const registry = useFixture(
  'registry with token auth',
  async () => {
    // the issuer as the registry sees it, but with its realm behind the proxy
    const behindProxy: TokenIssuer = Object.create(issuer, {
      realm: { value: `http://${proxy.host}/token`, enumerable: true },
    });
    const r = await startTestRegistry({ auth: { token: behindProxy } });
    seedArtifact(r);
    return r;
  },
  (r) => r.close(),
  'file',
);
const box = useSandbox();

/** Sends `req` on to the issuer's token endpoint (whatever its path was) and its answer back. */
function forwardToIssuer(req: IncomingMessage, res: ServerResponse): void {
  const upstream = new URL(issuer.realm);
  const search = new URL(req.url ?? '/', 'http://x').search;
  const forward = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: `${upstream.pathname}${search}`,
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  req.pipe(forward);
}

/** Starts `server` on loopback: its `/token` realm, and how to stop it (connections and all). */
async function listen(server: Server): Promise<{ realm: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { realm, close };
}

/** Bytes of the token answer that pass before the cut: past its headers, inside the token. */
const INTO_THE_BODY = 400;

function pull() {
  return box.run(
    ['pull', `${registry.host}/${REPO}:v1`, '-o', box.out, '--plain-http', '-u', USER, '-p', PASSWORD],
    { timeoutMs: 60_000 },
  );
}

describe('token service cut mid-answer', () => {
  it('asks for the token again when its answer breaks once, and pulls', async () => {
    const before = issuer.requests.length;
    proxy.setFaults({ cutAfterBytes: INTO_THE_BODY, times: 1 });
    const cuts = proxy.faulted;
    const run = await pull();
    expect(successProblems(run)).toEqual([]);
    expect(readFileSync(join(box.out, 'hello.txt'), 'utf8')).toBe('hello through a broken token service\n');
    expect(proxy.faulted - cuts).toBe(1);
    // the cut answer, its resume (answered whole: the issuer ignores Range), and a fresh request
    expect(issuer.requests.length - before).toBeGreaterThanOrEqual(2);
  });

  it('asks for the token again when its answer breaks once, and pushes', async () => {
    writeFileSync(join(box.work, 'up.txt'), 'pushed through a broken token service\n');
    const before = issuer.requests.length;
    proxy.setFaults({ cutAfterBytes: INTO_THE_BODY, times: 1 });
    const run = await box.run(
      ['push', `${registry.host}/${REPO}:pushed`, 'up.txt', '--plain-http', '-u', USER, '-p', PASSWORD],
      { timeoutMs: 60_000 },
    );
    expect(successProblems(run)).toEqual([]);
    expect(registry.storage.getManifest(REPO, 'pushed')).toBeDefined();
    expect(issuer.requests.length - before).toBeGreaterThanOrEqual(2);
  });

  it('fails with one clean line when every token answer breaks', async () => {
    proxy.setFaults({ cutAfterBytes: INTO_THE_BODY });
    try {
      const run = await pull();
      // the error names the token request, not the registry request that waited for it
      expect(
        cleanFailureProblems(
          run,
          /token request to http:\/\/127\.0\.0\.1:\d+\/token: the connection broke mid-response/,
        ),
      ).toEqual([]);
      expect(run.stderr).not.toContain(PASSWORD);
    } finally {
      proxy.setFaults({});
    }
  });
});

describe('token service busy', () => {
  /**
   * An HTTP proxy in front of the token issuer that answers the first `busy` OAuth2 POSTs with
   * 503 and forwards everything else.
   */
  async function busyTokenService(busy: number) {
    const posts: number[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      if (req.method === 'POST' && posts.length < busy) {
        posts.push(503);
        req.resume();
        res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
        return;
      }
      if (req.method === 'POST') posts.push(200);
      forwardToIssuer(req, res);
    });
    const { realm, close } = await listen(server);
    return { realm, posts, close };
  }

  it('sends the OAuth2 token request again after a 503 (an identity token in the config)', async () => {
    // an identity token, as `docker login` stores for registries that hand out refresh tokens
    const offline = new URL(issuer.realm);
    offline.search = new URLSearchParams({ service: issuer.service, offline_token: 'true' }).toString();
    const answer = await fetch(offline, {
      headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
    });
    const { refresh_token: refreshToken } = (await answer.json()) as { refresh_token: string };
    expect(refreshToken).toBeTruthy();

    const busy = await busyTokenService(1);
    const behindBusy: TokenIssuer = Object.create(issuer, { realm: { value: busy.realm, enumerable: true } });
    const r = await startTestRegistry({ auth: { token: behindBusy } });
    try {
      seedArtifact(r);
      writeFileSync(
        join(box.home, '.docker', 'config.json'),
        JSON.stringify({ auths: { [r.host]: { identitytoken: refreshToken } } }),
      );
      // (--debug: the trace of the token POST must not show the refresh token it sends)
      const run = await box.run(['pull', `${r.host}/${REPO}:v1`, '-o', box.out, '--plain-http', '--debug'], {
        timeoutMs: 60_000,
      });
      expect(successProblems(run)).toEqual([]);
      expect(readFileSync(join(box.out, 'hello.txt'), 'utf8')).toBe('hello through a broken token service\n');
      expect(busy.posts).toEqual([503, 200]);
      expect(run.stderr).toMatch(/retry 1 of POST to http:\/\/127\.0\.0\.1:\d+ in \d+ ms \(503\)/);
      expect(`${run.stdout}${run.stderr}`).not.toContain(refreshToken);
    } finally {
      await r.close();
      await busy.close();
    }
  });
});

describe('token realm moved', () => {
  /**
   * A realm that answers 307: to `/moved` on itself (the same origin), where the tokens are handed
   * out by the issuer behind it, or to the issuer's own realm (another origin: another port).
   */
  async function movedRealmService(to: 'same origin' | 'another origin') {
    let redirected = 0;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/moved') {
        forwardToIssuer(req, res);
        return;
      }
      redirected++;
      req.resume();
      const location = to === 'same origin' ? `/moved${url.search}` : `${issuer.realm}${url.search}`;
      res.writeHead(307, { location }).end();
    });
    const { realm, close } = await listen(server);
    const behindMove: TokenIssuer = Object.create(issuer, { realm: { value: realm, enumerable: true } });
    const r = await startTestRegistry({ auth: { token: behindMove } });
    seedArtifact(r);
    return {
      registry: r,
      redirected: () => redirected,
      close: async () => {
        await r.close();
        await close();
      },
    };
  }

  function pullFrom(r: TestRegistry) {
    return box.run(
      ['pull', `${r.host}/${REPO}:v1`, '-o', box.out, '--plain-http', '-u', USER, '-p', PASSWORD],
      { timeoutMs: 60_000 },
    );
  }

  it('follows a realm that redirects within its origin, with the credential', async () => {
    const moved = await movedRealmService('same origin');
    try {
      const before = issuer.requests.length;
      const run = await pullFrom(moved.registry);
      expect(successProblems(run)).toEqual([]);
      expect(readFileSync(join(box.out, 'hello.txt'), 'utf8')).toBe('hello through a broken token service\n');
      expect(moved.redirected()).toBeGreaterThanOrEqual(1);
      // the issuer saw the user: the credential went along within the realm's origin
      expect(issuer.requests.slice(before).map((q) => q.account)).toContain(USER);
    } finally {
      await moved.close();
    }
  });

  it('sends no credential on to another origin (another port of the same host), and fails cleanly', async () => {
    const moved = await movedRealmService('another origin');
    try {
      const before = issuer.requests.length;
      const run = await pullFrom(moved.registry);
      expect(cleanFailureProblems(run, /denied|unauthorized|401/i)).toEqual([]);
      expect(moved.redirected()).toBeGreaterThanOrEqual(1);
      // (GHSA-vh4v-2xq2-g5cg: oras-go drops it too) the issuer saw only anonymous requests
      const seen = issuer.requests.slice(before);
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(seen.every((q) => q.account === '' && q.headers.authorization === undefined)).toBe(true);
      expect(`${run.stdout}${run.stderr}`).not.toContain(PASSWORD);
    } finally {
      await moved.close();
    }
  });
});
