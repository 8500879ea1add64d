import type { IncomingHttpHeaders } from 'node:http';

/** The service name the issuer and its registry agree on (the JWT `aud`), unless configured. */
export declare const DEFAULT_TOKEN_SERVICE: 'oras-test-registry';
/** The JWT `iss` claim the registry trusts, unless configured. */
export declare const DEFAULT_TOKEN_ISSUER: 'oras-test-token-issuer';
/** Token lifetime in seconds, unless configured. */
export declare const DEFAULT_TOKEN_EXPIRES_IN: 300;
/** The path of the token endpoint: the realm is `<issuer url>/token`. */
export declare const TOKEN_PATH: '/token';

/**
 * One rule of the issuer's access table: who may do what on which resource.
 *
 * `account` is a user name, `'*'` for any authenticated user, or `''` for the anonymous caller.
 * `name` is exact, a prefix ending in `*` (`team/*`), or `*`. `actions` are distribution actions
 * (`pull`, `push`, `delete`, or `*` for all).
 */
export interface AccessRule {
  readonly account: string;
  /** `repository` (default) or `registry` (for `registry:catalog:*`). */
  readonly type?: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** One entry of a token's `access` claim (distribution `jwt.md`). */
export interface TokenAccess {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** The claims of a token the issuer signed. */
export interface TokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly exp: number;
  readonly nbf: number;
  readonly iat: number;
  readonly jti: string;
  readonly access: readonly TokenAccess[];
}

/** What the issuer logs of one request, for tests to assert on. */
export interface TokenRequestRecord {
  readonly method: string;
  readonly path: string;
  /** Query parameters (the last value of repeated ones; see `scopes` for all scopes). */
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** The form of a POST, with `password` redacted. */
  form?: Readonly<Record<string, string>>;
  /** Every scope asked for. */
  scopes: readonly string[];
  /** The authenticated account (`''` when anonymous), or undefined when authentication failed. */
  account: string | undefined;
  /** The access the token grants. */
  granted: readonly TokenAccess[];
  /** The status the issuer answered. */
  status: number;
}

/** Options of {@link startTokenIssuer}. */
export interface TokenIssuerOptions {
  /** User name -> password. */
  readonly users?: Readonly<Record<string, string>>;
  /** The access table (default {@link DEFAULT_ACCESS_RULES}: every user may do anything). */
  readonly access?: readonly AccessRule[];
  /** Let the anonymous caller pull every repository (`true`) or the ones matching these names. */
  readonly anonymousPull?: boolean | readonly string[];
  /** `expires_in` in seconds (default 300); a few seconds lets tests watch tokens expire. */
  readonly expiresIn?: number;
  /**
   * Seconds subtracted from the `exp` claim, for a registry that accepts tokens that long after
   * `exp` (clock-skew leeway), so that tokens really stop working after `expires_in`. Default 0.
   */
  readonly registryLeewaySeconds?: number;
  /**
   * When refresh tokens are issued: `offline` (default) for GET `offline_token=true` and POST
   * `access_type=offline`, `always` for every authenticated request, `never`.
   */
  readonly refreshTokens?: 'offline' | 'always' | 'never';
  /** The service name (JWT `aud`, default {@link DEFAULT_TOKEN_SERVICE}). */
  readonly service?: string;
  /** The issuer name (JWT `iss`, default {@link DEFAULT_TOKEN_ISSUER}). */
  readonly issuer?: string;
  /** The signing certificate and key (default: a new one made with openssl). */
  readonly signing?: { readonly certPem: string; readonly keyPem: string };
  /** The port (default 0: any free port). */
  readonly port?: number;
}

/** A running token issuer. */
export interface TokenIssuer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The realm registries put in their challenge: `<url>/token`. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The signing certificate (PEM): the registry's `rootcertbundle`. */
  readonly certPem: string;
  /** The `expires_in` of new tokens, in seconds. */
  readonly expiresIn: number;
  /** Changes the lifetime of tokens issued from now on. */
  setExpiresIn(seconds: number): void;
  readonly users: Readonly<Record<string, string>>;
  /** Every request received, in order. */
  readonly requests: TokenRequestRecord[];
  /** Signs a token for `account` with exactly this access (no access check). */
  issue(account: string, access: readonly TokenAccess[], expiresInSeconds?: number): string;
  /** Checks a token's signature, issuer, audience and lifetime; throws an Error saying why not. */
  verify(token: string): TokenClaims;
  /** The access the table gives `account` (`''` anonymous) for these scope strings. */
  grant(account: string, scopes: readonly string[]): TokenAccess[];
  /** Stops the server and removes its temporary files. */
  close(): Promise<void>;
}

/** The default access table: every authenticated user may do anything, the anonymous caller nothing. */
export declare const DEFAULT_ACCESS_RULES: readonly AccessRule[];

/** Parses a scope `type:name:actions` (the name may hold colons); undefined when malformed. */
export declare function parseScope(scope: string): TokenAccess | undefined;

/** The actions of `wanted` that `rules` give `account` (`''` for the anonymous caller). */
export declare function grantedActions(
  rules: readonly AccessRule[],
  account: string,
  wanted: TokenAccess,
): string[];

/**
 * Starts a token issuer on 127.0.0.1 that implements the distribution token protocol:
 * `GET /token?service=&scope=` with basic or no credentials answers
 * `{token, access_token, expires_in, issued_at}`; `POST /token` with a form
 * `grant_type=password|refresh_token` answers `{access_token, refresh_token?, expires_in, scope}`.
 * Scopes outside the access table are left out of the token (the registry then denies), bad
 * credentials answer 401. Tokens are RS256 JWTs with the certificate in `x5c`, which is how
 * distribution v2.8 finds the key it checks against its `rootcertbundle`.
 * @see https://distribution.github.io/distribution/spec/auth/token/
 */
export declare function startTokenIssuer(options?: TokenIssuerOptions): Promise<TokenIssuer>;
