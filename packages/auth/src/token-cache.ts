/**
 * The token cache: per registry host, the auth scheme the host asked for, the last bearer
 * challenge it sent, and its tokens keyed by scope set (the sorted, space-joined scopes).
 *
 * Why share fetches: a copy pushes several blobs at once, and each would otherwise answer the same
 * 401 with its own token request. {@link TokenCache.fetch} runs one fetch per host and scope set
 * and hands its result to every caller that asked while it was running.
 */

/** The auth schemes the client answers. */
export const AuthScheme = {
  Basic: 'basic',
  Bearer: 'bearer',
} as const;

/** One of the {@link AuthScheme} values. */
export type AuthScheme = (typeof AuthScheme)[keyof typeof AuthScheme];

/** A token with the time (epoch milliseconds) after which it must not be used. */
export interface CachedToken {
  /** The token: base64 `user:pass` for Basic, the bearer token for Bearer. */
  readonly token: string;
  /** When the token stops being used, in epoch ms; `undefined` never expires (Basic). */
  readonly expiresAt?: number;
}

/** The realm and service of a host's last bearer challenge, to fetch tokens before a 401. */
export interface BearerChallenge {
  /** The token endpoint. */
  readonly realm: string;
  /** The `service` parameter, if the challenge had one. */
  readonly service?: string;
  /**
   * Opaque scopes the challenge named (ECR Public's `aws`), which every token request for the
   * host repeats, so the cache key of the next request matches the token already fetched.
   */
  readonly extraScopes?: readonly string[];
}

/** Options for {@link TokenCache}. */
export interface TokenCacheOptions {
  /** The clock, in epoch milliseconds. Tests pass a fake one. */
  readonly now?: () => number;
}

interface HostEntry {
  scheme?: AuthScheme;
  challenge?: BearerChallenge;
  tokens: Map<string, CachedToken>;
  inflight: Map<string, Promise<CachedToken>>;
}

/** The cache key for a scheme and scope set. */
function keyOf(scheme: AuthScheme, scopeKey: string): string {
  return `${scheme} ${scopeKey}`;
}

/**
 * A token cache shared by every request of an {@link AuthClient} (and by several clients if they
 * are given the same one). Safe for concurrent use within a process.
 */
export class TokenCache {
  readonly #hosts = new Map<string, HostEntry>();
  readonly #now: () => number;

  constructor(options: TokenCacheOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  #entry(host: string): HostEntry {
    let entry = this.#hosts.get(host);
    if (!entry) {
      entry = { tokens: new Map(), inflight: new Map() };
      this.#hosts.set(host, entry);
    }
    return entry;
  }

  /** The scheme `host` last asked for, if any. */
  getScheme(host: string): AuthScheme | undefined {
    return this.#hosts.get(host)?.scheme;
  }

  /** The last bearer challenge `host` sent, if any. */
  getChallenge(host: string): BearerChallenge | undefined {
    return this.#hosts.get(host)?.challenge;
  }

  /** Records the scheme (and, for Bearer, the challenge) `host` asked for. */
  setScheme(host: string, scheme: AuthScheme, challenge?: BearerChallenge): void {
    const entry = this.#entry(host);
    if (entry.scheme !== scheme) entry.tokens.clear();
    entry.scheme = scheme;
    if (challenge) entry.challenge = challenge;
  }

  /** The unexpired token for `host`, `scheme` and scope set, if there is one. */
  getToken(host: string, scheme: AuthScheme, scopeKey = ''): string | undefined {
    const entry = this.#hosts.get(host);
    const key = keyOf(scheme, scopeKey);
    const cached = entry?.tokens.get(key);
    if (!cached) return undefined;
    if (cached.expiresAt !== undefined && cached.expiresAt <= this.#now()) {
      entry?.tokens.delete(key);
      return undefined;
    }
    return cached.token;
  }

  /** Stores a token for `host`, `scheme` and scope set, and records the scheme. */
  set(host: string, scheme: AuthScheme, scopeKey: string, token: CachedToken): void {
    const entry = this.#entry(host);
    if (entry.scheme !== scheme) this.setScheme(host, scheme);
    entry.tokens.set(keyOf(scheme, scopeKey), token);
  }

  /**
   * Forgets the token for `host`, `scheme` and scope set, but only if it is still `token`: a
   * request that failed with an old token must not evict the fresh one another request fetched.
   */
  invalidate(host: string, scheme: AuthScheme, scopeKey: string, token: string): void {
    const entry = this.#hosts.get(host);
    const key = keyOf(scheme, scopeKey);
    if (entry?.tokens.get(key)?.token === token) entry.tokens.delete(key);
  }

  /**
   * The cached token for `host`, `scheme` and scope set, or the result of `fetch`, which is then
   * cached. Concurrent calls for the same key share one `fetch`; a failed fetch is not cached.
   */
  async fetch(
    host: string,
    scheme: AuthScheme,
    scopeKey: string,
    fetch: () => Promise<CachedToken>,
  ): Promise<string> {
    const cached = this.getToken(host, scheme, scopeKey);
    if (cached !== undefined) return cached;
    const entry = this.#entry(host);
    const key = keyOf(scheme, scopeKey);
    let pending = entry.inflight.get(key);
    if (!pending) {
      pending = fetch().then(
        (token) => {
          entry.inflight.delete(key);
          this.set(host, scheme, scopeKey, token);
          return token;
        },
        (err: unknown) => {
          entry.inflight.delete(key);
          throw err;
        },
      );
      entry.inflight.set(key, pending);
    }
    return (await pending).token;
  }

  /** Forgets everything about `host`, or about every host. */
  clear(host?: string): void {
    if (host === undefined) this.#hosts.clear();
    else this.#hosts.delete(host);
  }
}
