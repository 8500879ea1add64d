// Plain ESM JavaScript (typed by token-issuer.d.ts) so that node can run it without a build step.
// Implements the distribution token protocol (docs/spec/auth/token.md, oauth.md, jwt.md of
// distribution v2.8): GET with basic or no credentials, OAuth2 POST with grant_type password or
// refresh_token, JWTs signed RS256 with the signing certificate in the `x5c` header.
import { X509Certificate, createPrivateKey, randomBytes, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigningCertificate } from './certificates.js';
import { LOOPBACK } from './free-port.js';

export const DEFAULT_TOKEN_SERVICE = 'oras-test-registry';
export const DEFAULT_TOKEN_ISSUER = 'oras-test-token-issuer';
export const DEFAULT_TOKEN_EXPIRES_IN = 300;
export const TOKEN_PATH = '/token';
const MAX_FORM_BYTES = 64 * 1024;

/** @typedef {import('./token-issuer.d.ts').AccessRule} AccessRule */
/** @typedef {import('./token-issuer.d.ts').TokenAccess} TokenAccess */
/** @typedef {import('./token-issuer.d.ts').TokenRequestRecord} TokenRequestRecord */

/** @type {readonly AccessRule[]} */
export const DEFAULT_ACCESS_RULES = Object.freeze([
  { account: '*', type: 'repository', name: '*', actions: ['*'] },
  { account: '*', type: 'registry', name: 'catalog', actions: ['*'] },
]);

/**
 * Parses `type:name:actions` (the name may hold colons, as in `host:5000/repo`).
 * @param {string} scope
 * @returns {TokenAccess | undefined}
 */
export function parseScope(scope) {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '');
  if (!name || actions.length === 0) return undefined;
  return { type, name, actions };
}

/** @param {string} pattern @param {string} name */
function nameMatches(pattern, name) {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/**
 * @param {readonly AccessRule[]} rules
 * @param {string} account '' for the anonymous caller
 * @param {TokenAccess} wanted
 * @returns {string[]}
 */
export function grantedActions(rules, account, wanted) {
  /** @type {Set<string>} */
  const allowed = new Set();
  for (const rule of rules) {
    const who = rule.account === account || (rule.account === '*' && account !== '');
    if (!who || (rule.type ?? 'repository') !== wanted.type || !nameMatches(rule.name, wanted.name)) continue;
    for (const action of rule.actions) allowed.add(action);
  }
  return wanted.actions.filter((a) => allowed.has('*') || allowed.has(a));
}

/** @param {string | undefined} header */
function parseBasic(header) {
  if (!header || !/^basic /i.test(header)) return undefined;
  const text = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return { username: text, password: '' };
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** @param {import('node:http').IncomingMessage} req @returns {Promise<string>} */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new Error('form too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** @param {import('./token-issuer.d.ts').TokenIssuerOptions} [options] */
export async function startTokenIssuer(options = {}) {
  const service = options.service ?? DEFAULT_TOKEN_SERVICE;
  const issuer = options.issuer ?? DEFAULT_TOKEN_ISSUER;
  let expiresIn = options.expiresIn ?? DEFAULT_TOKEN_EXPIRES_IN;
  const leeway = options.registryLeewaySeconds ?? 0;
  const refreshMode = options.refreshTokens ?? 'offline';
  const users = { ...(options.users ?? {}) };
  /** @type {AccessRule[]} */
  const rules = [...(options.access ?? DEFAULT_ACCESS_RULES)];
  if (options.anonymousPull) {
    const names = options.anonymousPull === true ? ['*'] : options.anonymousPull;
    for (const name of names) rules.push({ account: '', type: 'repository', name, actions: ['pull'] });
  }

  /** @type {string | undefined} */
  let tempDir;
  let signing = options.signing;
  if (!signing) {
    tempDir = await mkdtemp(join(tmpdir(), 'oras-token-issuer-'));
    signing = await createSigningCertificate(tempDir);
  }
  const certPem = signing.certPem;
  const privateKey = createPrivateKey(signing.keyPem);
  const certificate = new X509Certificate(certPem);
  const x5c = [certificate.raw.toString('base64')];

  /** @type {Map<string, string>} refresh token -> account */
  const refreshTokens = new Map();
  /** @type {TokenRequestRecord[]} */
  const requests = [];

  /**
   * @param {string} account
   * @param {readonly TokenAccess[]} access
   * @param {number} [seconds]
   */
  function issue(account, access, seconds = expiresIn) {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c };
    const claims = {
      iss: issuer,
      sub: account,
      aud: service,
      exp: now + seconds - leeway,
      nbf: now - 1,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access: access.map((a) => ({ type: a.type, name: a.name, actions: [...a.actions] })),
    };
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
    return `${input}.${signature}`;
  }

  /** @param {string} token */
  function verifyToken(token) {
    const parts = token.split('.');
    if (parts.length !== 3) throw new Error('token: not a compact JWS');
    const [h, p, s] = /** @type {[string, string, string]} */ (parts);
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    if (header.alg !== 'RS256') throw new Error(`token: unexpected alg ${header.alg}`);
    if (!verify('sha256', Buffer.from(`${h}.${p}`), certificate.publicKey, Buffer.from(s, 'base64url'))) {
      throw new Error('token: invalid signature');
    }
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (claims.iss !== issuer) throw new Error(`token: untrusted issuer ${claims.iss}`);
    if (claims.aud !== service) throw new Error(`token: audience ${claims.aud} is not ${service}`);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || now >= claims.exp + leeway) throw new Error('token: expired');
    if (typeof claims.nbf === 'number' && now < claims.nbf) throw new Error('token: not yet valid');
    return claims;
  }

  /**
   * @param {string} account
   * @param {readonly string[]} scopes
   */
  function grant(account, scopes) {
    /** @type {TokenAccess[]} */
    const access = [];
    for (const scope of scopes) {
      const wanted = parseScope(scope);
      if (!wanted) continue;
      const actions = grantedActions(rules, account, wanted);
      if (actions.length > 0) access.push({ ...wanted, actions });
    }
    return access;
  }

  function newRefreshToken(/** @type {string} */ account) {
    const token = `rt-${randomBytes(18).toString('hex')}`;
    refreshTokens.set(token, account);
    return token;
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {number} status
   * @param {unknown} body
   * @param {Record<string, string>} [headers]
   */
  function send(res, status, body, headers = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(text);
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://issuer');
    /** @type {TokenRequestRecord} */
    const record = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      scopes: [],
      account: undefined,
      status: 0,
      granted: [],
    };
    requests.push(record);
    const reply = (
      /** @type {number} */ status,
      /** @type {unknown} */ body,
      /** @type {Record<string,string>} */ headers = {},
    ) => {
      record.status = status;
      send(res, status, body, headers);
    };
    if (url.pathname !== TOKEN_PATH) return reply(404, { error: 'not_found' });
    const issuedAt = new Date().toISOString();

    if (req.method === 'GET') {
      const svc = url.searchParams.get('service');
      if (svc !== null && svc !== service) {
        return reply(400, { error: 'invalid_request', error_description: `unknown service ${svc}` });
      }
      record.scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
      const basic = parseBasic(req.headers.authorization);
      let account = '';
      if (req.headers.authorization) {
        if (!basic || users[basic.username] === undefined || users[basic.username] !== basic.password) {
          return reply(
            401,
            { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] },
            { 'www-authenticate': `Basic realm="${service}"` },
          );
        }
        account = basic.username;
      }
      record.account = account;
      const access = grant(account, record.scopes);
      record.granted = access;
      const token = issue(account, access);
      /** @type {Record<string, unknown>} */
      const body = { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt };
      if (account && (url.searchParams.get('offline_token') === 'true' || refreshMode === 'always')) {
        body.refresh_token = newRefreshToken(account);
      }
      return reply(200, body);
    }

    if (req.method === 'POST') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') {
        return reply(400, { error: 'invalid_request', error_description: 'expected a form body' });
      }
      let form;
      try {
        form = new URLSearchParams(await readBody(req));
      } catch {
        return reply(400, { error: 'invalid_request', error_description: 'form too large' });
      }
      record.form = Object.fromEntries([...form].map(([k, v]) => [k, k === 'password' ? '<redacted>' : v]));
      const svc = form.get('service');
      if (svc !== service) {
        return reply(400, { error: 'invalid_request', error_description: `unknown service ${svc}` });
      }
      if (!form.get('client_id')) {
        return reply(400, { error: 'invalid_request', error_description: 'client_id is required' });
      }
      record.scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const grantType = form.get('grant_type');
      let account;
      if (grantType === 'password') {
        const username = form.get('username') ?? '';
        if (users[username] === undefined || users[username] !== form.get('password')) {
          return reply(401, { error: 'invalid_grant', error_description: 'invalid username or password' });
        }
        account = username;
      } else if (grantType === 'refresh_token') {
        account = refreshTokens.get(form.get('refresh_token') ?? '');
        if (account === undefined) {
          return reply(401, { error: 'invalid_grant', error_description: 'unknown refresh token' });
        }
      } else {
        return reply(400, { error: 'unsupported_grant_type', error_description: `grant_type ${grantType}` });
      }
      record.account = account;
      const access = grant(account, record.scopes);
      record.granted = access;
      const token = issue(account, access);
      /** @type {Record<string, unknown>} */
      const body = {
        access_token: token,
        scope: access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' '),
        expires_in: expiresIn,
        issued_at: issuedAt,
      };
      if (refreshMode !== 'never' && (form.get('access_type') === 'offline' || refreshMode === 'always')) {
        body.refresh_token =
          grantType === 'refresh_token' ? form.get('refresh_token') : newRefreshToken(account);
      }
      return reply(200, body);
    }
    return reply(405, { error: 'method_not_allowed' }, { allow: 'GET, POST' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, 500, { error: 'server_error', error_description: String(error) });
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${LOOPBACK}:${port}`;

  return {
    url,
    realm: `${url}${TOKEN_PATH}`,
    service,
    issuer,
    certPem,
    get expiresIn() {
      return expiresIn;
    },
    setExpiresIn(/** @type {number} */ seconds) {
      expiresIn = seconds;
    },
    users: Object.freeze({ ...users }),
    requests,
    issue,
    verify: verifyToken,
    grant,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    },
  };
}
