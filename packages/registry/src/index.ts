/**
 * `@oras/registry`: the OCI distribution client. {@link RemoteRepository} and
 * {@link RemoteRegistry} on top of an HTTP client (the `AuthClient` of `@oras/auth`), a transport
 * with TLS per origin, address overrides and retries ({@link createTransport}), and
 * {@link ResponseError} for the registry's error answers.
 * @packageDocumentation
 */
export { ResponseError, parseErrorBody, redactResponseUrl, transportError } from './errors.js';
export type { DistributionErrorEntry, ResponseErrorInit } from './errors.js';
export { DEFAULT_MAX_REDIRECTS, MAX_ERROR_BODY_BYTES, PlainClient, USER_AGENT, VERSION } from './http.js';
export type {
  PlainClientOptions,
  RegistryClient,
  RegistryRequest,
  RegistryResponse,
  RequestBody,
  RequestBodySource,
} from './http.js';
export type {
  BlobStore,
  FetchedReference,
  ManifestStore,
  Mounter,
  ReferenceFetcher,
  ReferencePusher,
  ReferrerLister,
  ReferrersOptions,
  Registry,
  Repository,
} from './interfaces.js';
export { DEFAULT_REPOSITORY_LIST_MAX_PAGES, RemoteRegistry } from './registry.js';
export type { RemoteRegistryOptions } from './registry.js';
export { defaultClient } from './repository/context.js';
export type { RegistryWarning } from './repository/context.js';
export {
  DEFAULT_BUFFERED_UPLOAD_BYTES,
  DEFAULT_MAX_LIST_PAGE_BYTES,
  DEFAULT_MAX_METADATA_BYTES,
  DEFAULT_MAX_UPLOAD_RESUMES,
  DEFAULT_METADATA_TIMEOUT_MS,
  DEFAULT_REFERRER_LIST_MAX_PAGES,
  DEFAULT_STREAM_CHUNK_SIZE,
  DEFAULT_TAG_LIST_MAX_PAGES,
} from './repository/options.js';
export type { PushFileOptions, PushStreamOptions, RemoteRepositoryOptions } from './repository/options.js';
export { referrersTag } from './repository/referrers/tag-schema.js';
export { RemoteRepository } from './repository/remote-repository.js';
export {
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_AFTER_MS,
  REFUSED_RETRY_DELAY_MS,
  HostGates,
  RETRY_STATUS_CODES,
  backoffDelay,
  parseRetryAfter,
  retryInterceptor,
} from './retry.js';
export type { RetryInfo, RetryOptions } from './retry.js';
export {
  DEFAULT_CONNECTIONS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  createTransport,
  parseResolveRule,
} from './transport.js';
export type { ResolveRule, TransportOptions } from './transport.js';
export { parseNextLink, resolveUploadLocation } from './urls.js';
export { DEFAULT_MAX_RESUMES } from './blob-download.js';
export type { ReopenableSource } from './upload-source.js';

/** The package's name, for diagnostics. */
export const PACKAGE_NAME = '@oras/registry';
