/**
 * The credential model shared by the stores and the auth client, after oras-go's
 * `auth.Credential`: a username and password, an identity (refresh) token for OAuth2, or a
 * registry (access) token that is sent as a bearer token as-is.
 */

/** What a client presents to a registry or its token service. Every field is optional. */
export interface Credential {
  /** The user name for Basic auth, the token GET, or the OAuth2 password grant. */
  readonly username?: string;
  /** The password that goes with {@link Credential.username}. */
  readonly password?: string;
  /** An identity (refresh) token for the OAuth2 `refresh_token` grant (docker `identitytoken`). */
  readonly refreshToken?: string;
  /** A registry (access) token sent as `Bearer` without a token fetch (docker `registrytoken`). */
  readonly accessToken?: string;
}

/** The empty credential: anonymous access. */
export const EMPTY_CREDENTIAL: Credential = Object.freeze({});

/**
 * Resolves the credential for a registry host (`host` or `host:port`, as in a URL's `host`).
 * Resolves to {@link EMPTY_CREDENTIAL} when there is none.
 */
export type CredentialFunc = (hostport: string) => Promise<Credential>;

/** Whether `cred` carries nothing at all. */
export function isEmptyCredential(cred: Credential | undefined): boolean {
  return !cred || (!cred.username && !cred.password && !cred.refreshToken && !cred.accessToken);
}

/** Docker Hub's names for itself: the reference host, the API host and the legacy index. */
const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([
  'docker.io',
  'registry-1.docker.io',
  'index.docker.io',
]);

/** Whether `host` is one of Docker Hub's names. */
export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_HOSTS.has(host.toLowerCase());
}

/**
 * A {@link CredentialFunc} that gives `cred` for `registry` and the empty credential for any other
 * host. `docker.io` also matches its API host `registry-1.docker.io`, as in oras-go.
 */
export function staticCredential(registry: string, cred: Credential): CredentialFunc {
  const want = registry.toLowerCase();
  const hub = isDockerHubHost(want);
  return async (hostport) => {
    const got = hostport.toLowerCase();
    return got === want || (hub && isDockerHubHost(got)) ? cred : EMPTY_CREDENTIAL;
  };
}
