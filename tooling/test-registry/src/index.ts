/**
 * `@oras-internal/test-registry`: the registries our tests talk to. `startTestRegistry` is an
 * in-process OCI distribution v1.1 server with the referrers API and switchable faults;
 * `startDistribution` runs Debian's `docker-registry` (distribution v2.8) in three modes;
 * `startTokenIssuer` is the token server of the `token` mode. Private: never published.
 * @packageDocumentation
 */
export { startTestRegistry } from './registry/server.js';
export type { TestRegistry, TestRegistryOptions } from './registry/server.js';
export type { TestRegistryAuth } from './registry/auth.js';
export type { FaultName, FaultTarget, TestRegistryFaults } from './registry/faults.js';
export { DEFAULT_MAX_MANIFEST_BYTES } from './registry/handlers.js';
export type { TestRegistryQuirks } from './registry/handlers.js';
export type { RequestOrigin, RequestRecord } from './registry/request-log.js';
export type { RouteKind } from './registry/router.js';
export { DistributionErrorCode, RegistryApiError } from './registry/errors.js';
export { RegistryStorage } from './registry/storage.js';
export type { StoredManifest } from './registry/storage.js';
export {
  DEFAULT_DISTRIBUTION_BINARY,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_TOKEN_ACCESS,
  DEFAULT_USERS,
  DISTRIBUTION_MODES,
  DISTRIBUTION_TOKEN_LEEWAY_SECONDS,
  startDistribution,
} from './distribution.js';
export type { Distribution, DistributionMode, DistributionOptions } from './distribution.js';
export {
  DEFAULT_ACCESS_RULES,
  DEFAULT_TOKEN_EXPIRES_IN,
  DEFAULT_TOKEN_ISSUER,
  DEFAULT_TOKEN_SERVICE,
  TOKEN_PATH,
  startTokenIssuer,
} from './token-issuer.js';
export type {
  AccessRule,
  TokenAccess,
  TokenClaims,
  TokenIssuer,
  TokenIssuerOptions,
  TokenRequestRecord,
} from './token-issuer.js';
export { createSigningCertificate, createTlsCertificates } from './certificates.js';
export type { SigningCertificate, TlsCertificates, TlsCertificatesOptions } from './certificates.js';
export { LOOPBACK, findFreePort } from './free-port.js';
export { REAL_REGISTRIES_KEY, realRegistry, selectRealRegistry } from './real-registries.js';
export type { RealRegistry, RealRegistryStatus } from './real-registries.js';
