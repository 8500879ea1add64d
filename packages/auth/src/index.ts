/**
 * `@oras/auth`: registry credentials (docker `config.json`, credential helpers, memory), the
 * `WWW-Authenticate` challenge parser, token scopes and cache, and the authenticating HTTP client
 * that `@oras/registry` sends every request through.
 * @packageDocumentation
 */
export { parseChallenges } from './challenge.js';
export type { Challenge } from './challenge.js';
export {
  AuthClient,
  CALLER_RESUMES,
  DEFAULT_CLIENT_ID,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_TOKEN_RESPONSE_BYTES,
  DEFAULT_TOKEN_EXPIRES_IN,
  DEFAULT_USER_AGENT,
} from './client.js';
export type { AuthClientOptions, AuthRequest, AuthResponse, RequestBodySource } from './client.js';
export { EMPTY_CREDENTIAL, isDockerHubHost, isEmptyCredential, staticCredential } from './credential.js';
export type { Credential, CredentialFunc } from './credential.js';
export { CredentialsError, DeniedError, UnauthorizedError, transportError } from './errors.js';
export type { UnauthorizedErrorOptions } from './errors.js';
export { type InternalIpKind, internalIpKind, isInternalIp, validateRealm } from './realm.js';
export { REDACTED, redactHeaders, redactUrl } from './redact.js';
export {
  SCOPE_REGISTRY_CATALOG,
  ScopeAction,
  cleanScopes,
  isResourceScope,
  scopeRepository,
} from './scope.js';
export { AuthScheme, TokenCache } from './token-cache.js';
export type { BearerChallenge, CachedToken, TokenCacheOptions } from './token-cache.js';
export { DOCKER_CONFIG_FILE, DockerConfigFile, defaultConfigPath } from './config-file.js';
export {
  CredentialStoreWithFallbacks,
  DOCKER_HUB_SERVER_ADDRESS,
  MemoryCredentialStore,
  credentialFuncFromStore,
  serverAddressFromRegistry,
} from './credential-store.js';
export type { CredentialStore } from './credential-store.js';
export { DockerConfigCredentialStore, createCredentialStore } from './dynamic-store.js';
export type { CredentialStoreOptions, DynamicCredentialStore } from './dynamic-store.js';
export { FileCredentialStore } from './file-store.js';
export type { FileCredentialStoreOptions } from './file-store.js';
export { checkCredentials, login, logout } from './login.js';
export type { LoginOptions } from './login.js';
export { CREDENTIAL_HELPER_PREFIX, IDENTITY_TOKEN_USERNAME, NativeCredentialStore } from './native-store.js';
export type { NativeCredentialStoreOptions } from './native-store.js';
export { Agent, RetryHandler, buildConnector, dispatchRequest, globalDispatcher } from './undici.js';
export { takeBody } from './lean-request.js';
export type { TakenBody } from './lean-request.js';
export { defaultDispatcher, proxyAgentFactory, proxyConfigFromEnv, proxyForUrl } from './proxy.js';
export type { ProxyAgentFactoryOptions, ProxyConfig } from './proxy.js';
