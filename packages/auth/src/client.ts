/**
 * The authenticating HTTP client every registry request goes through, after oras-go's
 * `auth.Client`: it sends a request with the cached credential for its host and scope set, and on
 * `401` answers the `WWW-Authenticate` challenge (Basic; Bearer by token `GET` or OAuth2 `POST`),
 * caches what it got, and sends the request again.
 *
 * @see https://distribution.github.io/distribution/spec/auth/token/
 * @see https://distribution.github.io/distribution/spec/auth/oauth/
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import {
  AbortedError,
  ConnectionError,
  describeErrorEntries,
  type DistributionErrorEntry,
  ErrorCode,
  OrasError,
  parseErrorBody,
  UnsafeError,
} from '@oras/spec';
import type { Dispatcher } from 'undici';
import { type Challenge, parseChallenges } from './challenge.js';
import { type Credential, type CredentialFunc, EMPTY_CREDENTIAL } from './credential.js';
import { DeniedError, transportError, UnauthorizedError } from './errors.js';
import { checkRealmUrl, type InternalIpKind, internalIpKind, literalHostKind } from './realm.js';
import { REDACTED, redactHeaders, redactUrl } from './redact.js';
import { cleanScopes, isResourceScope } from './scope.js';
import { defaultDispatcher } from './proxy.js';
import { takeBody } from './lean-request.js';
import { dispatchRequest } from './undici.js';
import { AuthScheme, type CachedToken, TokenCache } from './token-cache.js';

/** The OAuth2 `client_id` sent when none is configured. */
export const DEFAULT_CLIENT_ID = 'oras-ts';
/** The `User-Agent` sent when none is configured. */
export const DEFAULT_USER_AGENT = 'oras-ts';
/** The most bytes read from a token endpoint's response (128 KiB). */
export const DEFAULT_MAX_TOKEN_RESPONSE_BYTES = 128 * 1024;
/** The most redirects followed for one request. */
export const DEFAULT_MAX_REDIRECTS = 10;
/** A token's lifetime when the token response names none, in seconds (distribution token spec). */
export const DEFAULT_TOKEN_EXPIRES_IN = 60;

/** How many times a token answer that broke mid-body is asked for again (see `#fetchToken`). */
const TOKEN_RESTARTS = 2;

/** A token answer that broke mid-body: `error` says how; `#fetchToken` asks again. */
class BrokenAnswer {
  constructor(readonly error: ConnectionError) {}
}

/** A streamed request body. */
export type RequestBodySource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Readable;

/** Options for {@link AuthClient}. */
export interface AuthClientOptions {
  /** Resolves the credential for a host; anonymous when absent. */
  readonly credential?: CredentialFunc;
  /**
   * The undici dispatcher for every request (TLS, retries, pooling); by default undici's global
   * one, or one that honours `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` when the
   * environment names a proxy (see `defaultDispatcher`).
   */
  readonly dispatcher?: Dispatcher;
  /** The token cache; a fresh one per client by default. Share one to share tokens. */
  readonly cache?: TokenCache;
  /** The OAuth2 `client_id`; {@link DEFAULT_CLIENT_ID} by default. */
  readonly clientId?: string;
  /** Use the OAuth2 password grant (`POST`) for bearer tokens even without a refresh token. */
  readonly forceAttemptOAuth2?: boolean;
  /** The `User-Agent` header; {@link DEFAULT_USER_AGENT} by default. */
  readonly userAgent?: string;
  /** Extra headers for the registry origin only (never sent after a cross-origin redirect). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Receives a debug trace, one line per request and response, already redacted. */
  readonly log?: (line: string) => void;
  /** The most bytes read from a token response; {@link DEFAULT_MAX_TOKEN_RESPONSE_BYTES}. */
  readonly maxTokenResponseBytes?: number;
  /** The most redirects followed for one request; {@link DEFAULT_MAX_REDIRECTS}. */
  readonly maxRedirects?: number;
  /**
   * Resolves a host name to its addresses, for the redirect check (see {@link AuthClient}); the
   * system resolver (`dns.lookup`) by default. Tests and custom resolvers pass their own.
   */
  readonly lookup?: (hostname: string) => Promise<readonly string[]>;
}

/** One request through {@link AuthClient.request}. */
export interface AuthRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The absolute URL. */
  readonly url: string | URL;
  /** Request headers. An `Authorization` header is sent as-is, and no challenge is answered. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The body. A function returns a fresh stream each time it is called, so the request can be
   * sent again after a challenge or an expired token; a one-shot stream cannot be.
   */
  readonly body?: Uint8Array | string | (() => RequestBodySource) | null;
  /** Scope hints, e.g. `['repository:a/b:pull,push']`, merged with the challenge's scope. */
  readonly scopes?: readonly string[];
  /**
   * Whether the client follows `GET`/`HEAD` redirects itself (default `true`). A redirect to
   * another origin drops `Authorization`, cookies and the custom headers.
   */
  readonly followRedirects?: boolean;
  /** Aborts the request (and any token fetch it waits for). */
  readonly signal?: AbortSignal;
  /**
   * Whether the caller resumes a body that breaks mid-way itself (a `GET` of a blob, asked for
   * again with `Range`). The dispatch options then carry {@link CALLER_RESUMES}, which tells a
   * retrying transport that it need not prepare to resume this answer: it still retries a request
   * that got no answer or a retryable status. Default `false`.
   */
  readonly callerResumes?: boolean;
}

/**
 * The dispatch option (a symbol key, so it meets no option of undici's) that
 * {@link AuthRequest.callerResumes} sets to `true`: the retry interceptor of `@oras/registry`
 * reads it. `Symbol.for`, so that two copies of this package agree on it.
 */
export const CALLER_RESUMES: unique symbol = Symbol.for('@oras/auth.callerResumes');

/** The response to an {@link AuthRequest}. Read its body to the end or cancel it. */
export interface AuthResponse {
  /** The HTTP status. */
  readonly statusCode: number;
  /** The response headers, lower-cased. */
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body. */
  readonly body: Dispatcher.ResponseData['body'];
  /** The final URL, after redirects. */
  readonly url: URL;
}

/** What was sent on one attempt: the scheme, token and scope set it came from. */
interface Attempt {
  readonly scheme: AuthScheme;
  readonly token: string;
  readonly scopeKey: string;
}

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const CROSS_ORIGIN_DROPPED: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * The authenticating client. One instance (and its {@link TokenCache}) should serve a whole run,
 * so that every request to a host reuses its tokens.
 *
 * What it does with a `401`:
 * - **Basic**: `Authorization: Basic base64(user:pass)` from the credential; with no credential it
 *   throws {@link UnauthorizedError}, and when the registry answers `401` to the credential it
 *   throws one that says the credentials were rejected (with the registry's error codes).
 * - **Bearer**: merges the challenge's `scope` with the request's scope hints, then takes a
 *   registry token from the credential as-is, or fetches one: OAuth2 `POST` with the refresh token
 *   (or the password with `forceAttemptOAuth2`), otherwise `GET realm?service=&scope=` with Basic
 *   auth or anonymously. Tokens are cached per host and scope set until shortly before they expire.
 * - A challenge from another origin (after a redirect) is ignored; the realm is validated
 *   (see {@link validateRealm}; an internal realm only for a registry on that kind of address).
 * - If the registry still answers `401` with `error="insufficient_scope"` after a fresh token, the
 *   client throws {@link DeniedError}. Any other response is returned for the caller to judge.
 *
 * Why tokens are fetched before the `401` when possible: once a host has sent a bearer challenge,
 * a request with scope hints fetches its token first, so a large upload is not sent only to be
 * refused, and a token that expired during a long transfer is renewed before the next request.
 */
export class AuthClient {
  /** The token cache this client uses. */
  readonly cache: TokenCache;
  readonly #credential: CredentialFunc;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #clientId: string;
  readonly #forceOAuth2: boolean;
  readonly #userAgent: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #log: ((line: string) => void) | undefined;
  readonly #maxTokenBytes: number;
  readonly #maxRedirects: number;
  readonly #lookup: (hostname: string) => Promise<readonly string[]>;
  /** The network kind of each host name seen in a redirect check, looked up once. */
  readonly #hostKinds = new Map<string, Promise<HostKind>>();
  /** The cleaned scope key of each set of scopes asked for (most requests ask the same). */
  readonly #scopeKeys = new Map<string, string>();

  constructor(options: AuthClientOptions = {}) {
    this.cache = options.cache ?? new TokenCache();
    this.#credential = options.credential ?? (async () => EMPTY_CREDENTIAL);
    this.#dispatcher = options.dispatcher;
    this.#clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    this.#forceOAuth2 = options.forceAttemptOAuth2 ?? false;
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.#headers = options.headers ?? {};
    this.#log = options.log;
    this.#maxTokenBytes = options.maxTokenResponseBytes ?? DEFAULT_MAX_TOKEN_RESPONSE_BYTES;
    this.#maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.#lookup = options.lookup ?? systemLookup;
  }

  /**
   * Sends `req`, answering auth challenges and following `GET`/`HEAD` redirects.
   *
   * @throws UnauthorizedError when a challenge needs a credential there is none of, or the
   *   registry (Basic) or its token service (Bearer) rejects the credential that was sent.
   * @throws ConnectionError when the connection cannot be made or breaks (refused, no such host,
   *   reset, TLS), and TimeoutError when it runs out of time (both from `@oras/spec`).
   * @throws DeniedError when the token does not grant the access asked for.
   * @throws UnsafeError when a realm or redirect fails a safety check.
   */
  async request(req: AuthRequest): Promise<AuthResponse> {
    const method = req.method.toUpperCase();
    // (a URL given is used as it is, never changed: parsing its text again costs a few us a request)
    const first = typeof req.url === 'string' ? new URL(req.url) : req.url;
    const follow = (req.followRedirects ?? true) && (method === 'GET' || method === 'HEAD');
    let url = first;
    for (let hops = 0; ; hops++) {
      let res: AuthResponse;
      if (url === first || url.origin === first.origin) {
        // To the registry origin, with auth. The usual request (a token known, or none needed)
        // runs here, in this one async frame: each layer of async functions costs a promise, a
        // frame and a turn of the microtask queue, on every request of a pull of many blobs.
        const headers = this.#requestHeaders(req, true);
        if (hasAuthorization(headers)) {
          res = await this.#send(method, url, headers, req);
        } else {
          const known = this.#cachedAttempt(url, this.#scopeKeyOf(req, url.host), req.signal);
          const attempt = known instanceof Promise ? await known : known;
          const sent = withAuth(headers, attempt);
          let answer: Dispatcher.ResponseData;
          try {
            answer = await this.#dispatch(method, url, sent, req, false);
          } catch (err) {
            throw this.#sendFailure(method, url, req, err);
          }
          res = this.#received(method, url, answer);
          if (res.statusCode === 401) res = await this.#challenged(req, method, url, headers, attempt, res);
        }
      } else {
        res = await this.#send(method, url, this.#requestHeaders(req, false), req);
      }
      const location = headerValue(res.headers.location);
      if (!follow || !REDIRECTS.has(res.statusCode) || location === undefined) return res;
      await discard(res);
      if (hops >= this.#maxRedirects) {
        throw new OrasError(`${method} ${redactUrl(first)}: stopped after ${this.#maxRedirects} redirects`);
      }
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new UnsafeError(`${method} ${redactUrl(first)}: redirect to a ${next.protocol} URL refused`);
      }
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new UnsafeError(`${method} ${redactUrl(first)}: redirect from https to http refused`);
      }
      await this.#assertAddress(`${method} ${redactUrl(first)}: redirect to`, first, next);
      url = next;
    }
  }

  /**
   * Refuses a redirect (or a token realm named by host name) to a loopback, private or link-local
   * address unless the registry itself is on that kind of address (a registry on 127.0.0.1 may
   * send blobs to another local port, one on 10.0.0.5 to storage on 10.0.0.9). A registry elsewhere that points a client at
   * 169.254.169.254 wants it to fetch cloud credentials (SSRF): the request must never go out.
   * Host names are resolved too (`metadata.evil.example` may resolve to 169.254.169.254); when a
   * name does not resolve, the check cannot tell and lets the connection attempt fail or succeed
   * on its own, except that an internal IP literal is refused unless the registry is known to be
   * on that network. (A name that resolves differently at connect time, DNS rebinding, is not
   * caught here.)
   */
  async #assertAddress(what: string, first: URL, next: URL): Promise<void> {
    const kind = await this.#kindOf(next.hostname);
    if (kind === undefined || kind === 'unknown') return;
    const own = await this.#kindOf(first.hostname);
    if (own === kind) return;
    if (own === 'unknown' && isIP(stripBrackets(next.hostname)) === 0) return;
    throw new UnsafeError(
      `${what} the ${kind} address ${next.hostname} refused: the registry is not on a ${kind} address`,
    );
  }

  /** The internal network a host is on, `undefined` for a public one, `unknown` when it does not resolve. */
  #kindOf(hostname: string): Promise<HostKind> {
    const host = stripBrackets(hostname).toLowerCase();
    if (isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost')) {
      return Promise.resolve(literalHostKind(host));
    }
    let kind = this.#hostKinds.get(host);
    if (kind === undefined) {
      kind = this.#lookup(host).then(
        (addresses) => {
          const kinds = addresses.map((a) => internalIpKind(a));
          // the most dangerous kind an address of the name has decides
          return (['link-local', 'private', 'loopback'] as const).find((k) => kinds.includes(k));
        },
        () => 'unknown' as const,
      );
      this.#hostKinds.set(host, kind);
    }
    return kind;
  }

  /** The scope key of a request to `host`: its scope hints and the challenge's extra scopes. */
  #scopeKeyOf(req: AuthRequest, host: string): string {
    const extra = this.cache.getChallenge(host)?.extraScopes ?? [];
    return this.#scopeKey(req.scopes ?? [], extra);
  }

  /**
   * The registry answered `attempt` (headers `headers`, no credential of the caller's own) with a
   * `401`: answers its challenge and sends the request again; the answer to return.
   */
  async #challenged(
    req: AuthRequest,
    method: string,
    url: URL,
    headers: Record<string, string>,
    attempt: Attempt | undefined,
    first: AuthResponse,
  ): Promise<AuthResponse> {
    const host = url.host;
    const hints = req.scopes ?? [];
    let res = first;
    const challenge = pickChallenge(parseChallenges(res.headers['www-authenticate']));
    if (!challenge) return res;
    await discard(res);
    const answer = await this.#answer(host, url, challenge, hints, attempt, req.signal);
    res = await this.#send(method, url, withAuth(headers, answer), req);
    if (res.statusCode === 401 && answer.scheme === AuthScheme.Bearer) {
      const again = pickChallenge(parseChallenges(res.headers['www-authenticate']));
      if (again?.params.error === 'insufficient_scope') {
        await discard(res);
        const scope = again.params.scope ?? answer.scopeKey;
        throw new DeniedError(
          `${method} ${redactUrl(url)}: denied: the token does not grant ${scope === '' ? 'the access asked for' : `"${scope}"`}`,
        );
      }
    }
    if (res.statusCode === 401 && answer.scheme === AuthScheme.Basic) {
      // the registry saw the username and password and said no
      this.cache.invalidate(host, AuthScheme.Basic, '', answer.token);
      const body = await errorDetail(res);
      const { errors } = body;
      const detail = errors.length > 0 ? describeErrorEntries(errors) : body.detail;
      throw new UnauthorizedError(
        `${method} ${redactUrl(url)}: the credentials were rejected (401)${detail === '' ? '' : `: ${detail}`}`,
        { statusCode: 401, errors },
      );
    }
    return res;
  }

  /** `cleanScopes` of `hints` and `extra` as one string, remembered (up to 256 sets of scopes). */
  #scopeKey(hints: readonly string[], extra: readonly string[]): string {
    // cleanScopes splits each entry on spaces: the entries joined by spaces clean the same
    const raw = extra.length === 0 ? hints.join(' ') : `${hints.join(' ')} ${extra.join(' ')}`;
    let key = this.#scopeKeys.get(raw);
    if (key === undefined) {
      key = cleanScopes([raw]).join(' ');
      if (this.#scopeKeys.size >= 256) this.#scopeKeys.clear();
      this.#scopeKeys.set(raw, key);
    }
    return key;
  }

  /**
   * The cached (or, for a known bearer host with scope hints, freshly fetched) token to send: a
   * token known is returned at once, a token to fetch as a promise.
   */
  #cachedAttempt(
    url: URL,
    scopeKey: string,
    signal?: AbortSignal,
  ): Attempt | undefined | Promise<Attempt | undefined> {
    const host = url.host;
    const scheme = this.cache.getScheme(host);
    if (scheme === AuthScheme.Basic) {
      const token = this.cache.getToken(host, scheme, '');
      return token === undefined ? undefined : { scheme, token, scopeKey: '' };
    }
    if (scheme !== AuthScheme.Bearer) return undefined;
    const cached = this.cache.getToken(host, scheme, scopeKey);
    if (cached !== undefined) return { scheme, token: cached, scopeKey };
    const challenge = this.cache.getChallenge(host);
    if (!challenge || scopeKey === '') return undefined;
    return this.#fetchAttempt(url, challenge, scopeKey, signal);
  }

  /** {@link AuthClient.#cachedAttempt} of a bearer token to fetch first. */
  async #fetchAttempt(
    url: URL,
    challenge: { realm: string; service?: string | undefined },
    scopeKey: string,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const token = await abortable(
      this.cache.fetch(url.host, AuthScheme.Bearer, scopeKey, () =>
        this.#fetchToken(url, new URL(challenge.realm), challenge.service, scopeKey.split(' ')),
      ),
      signal,
    );
    return { scheme: AuthScheme.Bearer, token, scopeKey };
  }

  /** Answers a challenge: the token to send next. */
  async #answer(
    host: string,
    url: URL,
    challenge: Challenge,
    hints: readonly string[],
    attempt: Attempt | undefined,
    signal?: AbortSignal,
  ): Promise<Attempt> {
    if (challenge.scheme === AuthScheme.Basic) {
      const cred = await this.#credential(host);
      if (!cred.username && !cred.password) {
        throw new UnauthorizedError(`${host}: basic credential not found`);
      }
      const token = Buffer.from(`${cred.username ?? ''}:${cred.password ?? ''}`).toString('base64');
      this.cache.set(host, AuthScheme.Basic, '', { token });
      return { scheme: AuthScheme.Basic, token, scopeKey: '' };
    }
    const realm = challenge.params.realm;
    if (!realm) throw new UnauthorizedError(`${host}: bearer challenge has no realm`);
    // the realm's address is held to the rule of a redirect: an internal one only for a
    // registry on that kind of address (names of both resolved)
    const realmUrl = checkRealmUrl(realm, url);
    await this.#assertAddress(`${host}: token realm`, url, realmUrl);
    const service = challenge.params.service;
    const scopes = cleanScopes([...hints, ...(challenge.params.scope ? [challenge.params.scope] : [])]);
    const scopeKey = scopes.join(' ');
    const extraScopes = cleanScopes([challenge.params.scope ?? '']).filter((s) => !isResourceScope(s));
    this.cache.setScheme(host, AuthScheme.Bearer, {
      realm: realmUrl.toString(),
      ...(service === undefined ? {} : { service }),
      ...(extraScopes.length > 0 ? { extraScopes } : {}),
    });
    if (attempt?.scheme === AuthScheme.Bearer) {
      this.cache.invalidate(host, AuthScheme.Bearer, attempt.scopeKey, attempt.token);
    }
    const cached = this.cache.getToken(host, AuthScheme.Bearer, scopeKey);
    if (cached !== undefined && cached !== attempt?.token) {
      return { scheme: AuthScheme.Bearer, token: cached, scopeKey };
    }
    if (cached !== undefined) this.cache.invalidate(host, AuthScheme.Bearer, scopeKey, cached);
    const token = await abortable(
      this.cache.fetch(host, AuthScheme.Bearer, scopeKey, () =>
        this.#fetchToken(url, realmUrl, service, scopes),
      ),
      signal,
    );
    return { scheme: AuthScheme.Bearer, token, scopeKey };
  }

  /**
   * Fetches a bearer token from `realm` for `scopes`. It takes no signal: the fetch is shared by
   * every request waiting for the same token, and one of them giving up must not fail the others.
   *
   * An answer whose connection broke mid-body is asked for again from the start, up to
   * {@link TOKEN_RESTARTS} times: a retrying transport resumes a broken answer with `Range`,
   * which token services ignore (and a dispatcher without retries does not resume it at all),
   * but a token can simply be asked for again. Every other failure is thrown at once.
   */
  async #fetchToken(
    registry: URL,
    realm: URL,
    service: string | undefined,
    scopes: readonly string[],
  ): Promise<CachedToken> {
    for (let restart = 0; ; restart++) {
      try {
        return await this.#requestToken(registry, realm, service, scopes);
      } catch (err) {
        if (!(err instanceof BrokenAnswer)) throw err;
        if (restart >= TOKEN_RESTARTS) throw err.error;
        this.#log?.(`! ${err.error.message}: asking again`);
      }
    }
  }

  /** One token exchange: the request and the answer read whole. */
  async #requestToken(
    registry: URL,
    realm: URL,
    service: string | undefined,
    scopes: readonly string[],
  ): Promise<CachedToken> {
    const host = registry.host;
    const cred = await this.#credential(host);
    if (cred.accessToken) return { token: cred.accessToken };
    const hasPassword = Boolean(cred.username || cred.password);
    if (cred.refreshToken || (this.#forceOAuth2 && hasPassword)) {
      const form = new URLSearchParams();
      if (cred.refreshToken) {
        form.set('grant_type', 'refresh_token');
        form.set('refresh_token', cred.refreshToken);
      } else {
        form.set('grant_type', 'password');
        form.set('username', cred.username ?? '');
        form.set('password', cred.password ?? '');
      }
      if (service !== undefined) form.set('service', service);
      form.set('client_id', this.#clientId);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      const res = await this.#sendToken(
        registry,
        'POST',
        realm,
        { 'user-agent': this.#userAgent, 'content-type': 'application/x-www-form-urlencoded' },
        form.toString(),
      );
      // Token services without OAuth2 answer 404 to a POST; docker falls back to GET then.
      if (res.statusCode !== 404 || cred.refreshToken) return this.#readToken(host, realm, res, cred);
      await discard(res);
    }
    const url = new URL(realm);
    if (service !== undefined) url.searchParams.append('service', service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = { 'user-agent': this.#userAgent };
    if (hasPassword) {
      headers.authorization = `Basic ${Buffer.from(`${cred.username ?? ''}:${cred.password ?? ''}`).toString('base64')}`;
    }
    const res = await this.#sendToken(registry, 'GET', url, headers);
    return this.#readToken(host, realm, res, cred);
  }

  /**
   * Sends a token request to `realm`, following its redirects as oras-go's HTTP client does (a
   * realm that moved, from `http` to `https` say), each hop held to the realm's own rules: http or
   * https, no `http` after an `https` registry or hop, no internal address the registry is not on
   * (`#assertAddress`), at most `maxRedirects`. A `GET` loses its `Authorization` for good at the
   * first hop to another origin (scheme, host or port), as oras-go drops it since
   * GHSA-vh4v-2xq2-g5cg (Go's own rule keeps it on another port of the same host); a `POST`,
   * whose form carries the credential, follows 307 and 308 only (the others would make it a
   * `GET` without its form) and only within its origin.
   */
  async #sendToken(
    registry: URL,
    method: 'GET' | 'POST',
    realm: URL,
    headers: Record<string, string>,
    body?: string,
  ): Promise<AuthResponse> {
    // (named as #readToken names it: the realm without the query of a GET)
    const named = new URL(realm);
    named.search = '';
    const what = `${registry.host}: token request to ${redactUrl(named)}`;
    let url = realm;
    let sent = headers;
    for (let hops = 0; ; hops++) {
      // (a POST is idempotent here: a token asked for twice is harmless, so a transport that
      // retries may send it again after a 503 or a reset, as it would a GET)
      const res = await this.#send(method, url, sent, body === undefined ? {} : { body }, method === 'POST');
      const location = headerValue(res.headers.location);
      const follows =
        method === 'POST' ? res.statusCode === 307 || res.statusCode === 308 : REDIRECTS.has(res.statusCode);
      if (!follows || location === undefined) return res;
      await discard(res);
      if (hops >= this.#maxRedirects) {
        throw new OrasError(`${what}: stopped after ${this.#maxRedirects} redirects`);
      }
      let target: URL;
      try {
        target = new URL(location, url);
      } catch {
        throw new UnsafeError(`${what}: redirect to a location that is not a URL`);
      }
      const next = checkRealmUrl(target.href, registry);
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new UnsafeError(`${what}: redirect from https to http refused`);
      }
      await this.#assertAddress(`${what}: redirect to`, registry, next);
      if (next.origin !== url.origin) {
        if (method === 'POST') {
          throw new UnsafeError(
            `${what}: redirect to ${next.origin} refused: the token request carries the credential`,
          );
        }
        sent = withoutCredentials(sent);
      }
      url = next;
    }
  }

  /** Reads a token response (capped), or throws a redacted error for a failed one. */
  async #readToken(host: string, realm: URL, res: AuthResponse, cred: Credential): Promise<CachedToken> {
    const where = `${host}: token request to ${redactUrl(realm)}`;
    if (res.statusCode !== 200) {
      const body = await errorDetail(res);
      const detail = scrub(body.detail, cred);
      const suffix = detail === '' ? '' : `: ${detail}`;
      if (res.statusCode === 401) {
        const sent = Boolean(cred.username || cred.password || cred.refreshToken);
        throw new UnauthorizedError(
          sent
            ? `${where}: the credentials were rejected (401)${suffix}`
            : `${where}: 401 unauthorized${suffix}`,
          {
            statusCode: 401,
            errors: body.errors.map((e) => ({ ...e, message: scrub(e.message, cred) })),
          },
        );
      }
      if (res.statusCode === 403) throw new DeniedError(`${where}: 403 denied${suffix}`);
      throw new OrasError(`${where}: unexpected status ${res.statusCode}${suffix}`, {
        code: ErrorCode.Response,
      });
    }
    let text: string;
    try {
      text = await readCapped(res, this.#maxTokenBytes, where);
    } catch (err) {
      if (OrasError.is(err)) throw err;
      // the connection broke mid-answer (and resuming it failed): named as the token request's
      const failure = transportError(where, err, realm);
      throw ConnectionError.is(failure) ? new BrokenAnswer(failure) : failure;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UnauthorizedError(`${where}: token response is not JSON`);
    }
    const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const token = [body.access_token, body.token].find((t): t is string => typeof t === 'string' && t !== '');
    if (token === undefined) throw new UnauthorizedError(`${where}: token response has no token`);
    const expiresIn =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_EXPIRES_IN;
    const lifetime = expiresIn * 1000;
    // Stop using a token a little before it expires, so it does not expire on the wire.
    const margin = Math.min(30_000, lifetime / 10);
    return { token, expiresAt: Date.now() + lifetime - margin };
  }

  /** The headers for a request: ours, the custom ones (registry origin only), the caller's. */
  #requestHeaders(req: AuthRequest, sameOrigin: boolean): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': this.#userAgent };
    if (sameOrigin) Object.assign(headers, this.#headers);
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      if (!sameOrigin && CROSS_ORIGIN_DROPPED.has(name.toLowerCase())) continue;
      headers[name] = value;
    }
    return headers;
  }

  /**
   * Sends one request through the dispatcher and traces it. `idempotent` (undici's flag) tells a
   * retrying transport that it may send the request again, body and all.
   */
  async #send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    req: Pick<AuthRequest, 'body' | 'signal' | 'callerResumes'>,
    idempotent = false,
  ): Promise<AuthResponse> {
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#dispatch(method, url, headers, req, idempotent);
    } catch (err) {
      throw this.#sendFailure(method, url, req, err);
    }
    return this.#received(method, url, res);
  }

  /** The dispatch of {@link AuthClient.#send} (traced): a failure to start it is a rejection. */
  #dispatch(
    method: string,
    url: URL,
    headers: Record<string, string>,
    req: Pick<AuthRequest, 'body' | 'signal' | 'callerResumes'>,
    idempotent: boolean,
  ): Promise<Dispatcher.ResponseData> {
    this.#log?.(`> ${method} ${redactUrl(url)} ${JSON.stringify(redactHeaders(headers))}`);
    try {
      const dispatcher = this.#dispatcher ?? defaultDispatcher();
      const options: Dispatcher.RequestOptions = {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: bodyOf(req.body),
      };
      if (req.signal) options.signal = req.signal;
      if (idempotent) (options as { idempotent?: boolean }).idempotent = true;
      if (req.callerResumes === true) (options as { [CALLER_RESUMES]?: boolean })[CALLER_RESUMES] = true;
      return dispatchRequest(dispatcher, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The error {@link AuthClient.#send} throws when its dispatch failed with `err` (traced). */
  #sendFailure(method: string, url: URL, req: Pick<AuthRequest, 'signal'>, err: unknown): unknown {
    // an abort stays what it is: the caller knows it asked for it
    if (req.signal?.aborted) return err;
    const failure = transportError(`${method} ${redactUrl(url)}`, err, url);
    this.#log?.(`! ${method} ${redactUrl(url)}: ${failure.message}`);
    return failure;
  }

  /** The answer {@link AuthClient.#send} returns for the response `res` (traced). */
  #received(method: string, url: URL, res: Dispatcher.ResponseData): AuthResponse {
    this.#log?.(
      `< ${res.statusCode} ${method} ${redactUrl(url)} ${JSON.stringify(redactHeaders(res.headers))}`,
    );
    return { statusCode: res.statusCode, headers: res.headers, body: res.body, url };
  }
}

/** Whether the caller's headers carry their own credential. */
function hasAuthorization(headers: Record<string, string>): boolean {
  for (const name in headers) if (name.toLowerCase() === 'authorization') return true;
  return false;
}

function bodyOf(body: AuthRequest['body']): string | Uint8Array | Readable | null {
  if (body === undefined || body === null) return null;
  if (typeof body !== 'function') return body;
  const source = body();
  if (source instanceof Readable) return source;
  if (source instanceof ReadableStream)
    return Readable.fromWeb(source as import('node:stream/web').ReadableStream);
  return Readable.from(source, { objectMode: false });
}

/** Waits for `promise`, or rejects when `signal` aborts first (the promise itself goes on). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortedError('request aborted', { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError('request aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** `headers` without the ones that carry credentials ({@link CROSS_ORIGIN_DROPPED}). */
function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !CROSS_ORIGIN_DROPPED.has(name.toLowerCase())),
  );
}

function withAuth(headers: Record<string, string>, attempt: Attempt | undefined): Record<string, string> {
  if (!attempt) return headers;
  const scheme = attempt.scheme === AuthScheme.Basic ? 'Basic' : 'Bearer';
  return { ...headers, authorization: `${scheme} ${attempt.token}` };
}

/** The challenge to answer: Bearer if offered, else Basic, else none. */
function pickChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return (
    challenges.find((c) => c.scheme === AuthScheme.Bearer) ??
    challenges.find((c) => c.scheme === AuthScheme.Basic)
  );
}

/** A host's network: an internal kind, `undefined` when public, `unknown` when it does not resolve. */
type HostKind = InternalIpKind | 'unknown' | undefined;

async function systemLookup(hostname: string): Promise<readonly string[]> {
  return (await dnsLookup(hostname, { all: true })).map((a) => a.address);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Drains a body we do not need, so its connection goes back to the pool. */
async function discard(res: AuthResponse): Promise<void> {
  const taking = takeBody(res.body, 64 * 1024);
  if (taking) {
    // past the limit the connection is closed, as `dump` does
    await taking;
    return;
  }
  try {
    await res.body.dump({ limit: 64 * 1024 });
  } catch {
    // The connection is closed instead; nothing to report.
  }
}

/** Reads a body as text, failing once it goes over `max` bytes. */
async function readCapped(res: AuthResponse, max: number, where: string): Promise<string> {
  const declared = Number(headerValue(res.headers['content-length']));
  if (Number.isFinite(declared) && declared > max) {
    res.body.destroy();
    throw new OrasError(`${where}: response of ${declared} bytes exceeds the ${max} byte limit`, {
      code: ErrorCode.SizeExceedsLimit,
    });
  }
  const taking = takeBody(res.body, max);
  if (taking) {
    const taken = await taking;
    if (taken.error) throw taken.error;
    if (taken.over) {
      throw new OrasError(`${where}: response exceeds the ${max} byte limit`, {
        code: ErrorCode.SizeExceedsLimit,
      });
    }
    return Buffer.concat(taken.chunks, taken.size).toString('utf8');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) {
      res.body.destroy();
      throw new OrasError(`${where}: response exceeds the ${max} byte limit`, {
        code: ErrorCode.SizeExceedsLimit,
      });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A short, human-readable reason from an error body (at most 200 characters), and the
 * distribution-spec error entries it holds.
 */
async function errorDetail(res: AuthResponse): Promise<{ detail: string; errors: DistributionErrorEntry[] }> {
  let text: string;
  try {
    text = await readCapped(res, 4096, '');
  } catch {
    return { detail: '', errors: [] };
  }
  let detail = text.trim();
  const { errors } = parseErrorBody(new TextEncoder().encode(text));
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const list = Array.isArray(body.errors) ? (body.errors as Record<string, unknown>[]) : [];
    const first = list[0];
    const candidates = [first?.message, body.error_description, body.details, body.message, body.error];
    detail = String(candidates.find((c) => typeof c === 'string' && c !== '') ?? '');
  } catch {
    // Not JSON: the text itself.
  }
  return { detail: detail.replace(/\s+/g, ' ').slice(0, 200), errors };
}

/** Removes a credential's secrets from text that came back from a server. */
function scrub(text: string, cred: Credential): string {
  let out = text;
  for (const secret of [cred.password, cred.refreshToken, cred.accessToken]) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}
