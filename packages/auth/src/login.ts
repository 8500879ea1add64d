/**
 * `login` and `logout`, after oras-go's `credentials.Login`: a credential is checked against the
 * registry (`GET /v2/`) and stored only if the registry accepts it.
 */
import { ErrorCode, OrasError } from '@oras/spec';
import type { Dispatcher } from 'undici';
import { AuthClient } from './client.js';
import { type Credential, isDockerHubHost, staticCredential } from './credential.js';
import { type CredentialStore, serverAddressFromRegistry } from './credential-store.js';
import { UnauthorizedError } from './errors.js';
import { redactUrl } from './redact.js';

/** Options for {@link checkCredentials} and {@link login}. */
export interface LoginOptions {
  /** The dispatcher (TLS settings, CA, retries); the global one by default. */
  readonly dispatcher?: Dispatcher;
  /** Talk plain HTTP when the registry is given as a bare host. */
  readonly plainHttp?: boolean;
  /** The `User-Agent` header. */
  readonly userAgent?: string;
  /** The OAuth2 client id. */
  readonly clientId?: string;
  /** Use the OAuth2 password grant for bearer tokens. */
  readonly forceAttemptOAuth2?: boolean;
  /** Receives the redacted debug trace. */
  readonly log?: (line: string) => void;
  /** Aborts the check. */
  readonly signal?: AbortSignal;
}

/** The API base URL for a registry given as `host[:port]` or as a URL. */
function registryBase(registry: string | URL, plainHttp: boolean): URL {
  if (registry instanceof URL) return new URL(registry.origin);
  if (/^https?:\/\//i.test(registry)) return new URL(new URL(registry).origin);
  const host = isDockerHubHost(registry) ? 'registry-1.docker.io' : registry;
  return new URL(`${plainHttp ? 'http' : 'https'}://${host}`);
}

/**
 * Checks `credential` against the registry with `GET /v2/`, answering whatever challenge it sends.
 *
 * @throws UnauthorizedError when the registry (or its token service) refuses the credential.
 * @throws OrasError with code `ORAS_ERR_RESPONSE` for any other unexpected answer.
 */
export async function checkCredentials(
  registryUrl: string | URL,
  credential: Credential,
  options: LoginOptions = {},
): Promise<void> {
  const base = registryBase(registryUrl, options.plainHttp ?? false);
  const client = new AuthClient({
    credential: staticCredential(base.host, credential),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.forceAttemptOAuth2 ? { forceAttemptOAuth2: true } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const url = new URL('/v2/', base);
  const res = await client.request({
    method: 'GET',
    url,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
  if (res.statusCode === 200) return;
  if (res.statusCode === 401) throw new UnauthorizedError(`${base.host}: login failed: 401 unauthorized`);
  throw new OrasError(`GET ${redactUrl(url)}: login check failed: unexpected status ${res.statusCode}`, {
    code: ErrorCode.Response,
  });
}

/**
 * Checks `credential` against `registry` and, if it works, stores it in `store` under the
 * registry's server address (Docker Hub's is `https://index.docker.io/v1/`).
 */
export async function login(
  store: CredentialStore,
  registry: string | URL,
  credential: Credential,
  options: LoginOptions = {},
): Promise<void> {
  await checkCredentials(registry, credential, options);
  const host = registry instanceof URL || /^https?:\/\//i.test(registry) ? new URL(registry).host : registry;
  await store.put(serverAddressFromRegistry(host), credential);
}

/** Removes the credential for `registry` from `store`. */
export async function logout(store: CredentialStore, registry: string): Promise<void> {
  const host = /^https?:\/\//i.test(registry) ? new URL(registry).host : registry;
  await store.delete(serverAddressFromRegistry(host));
}
