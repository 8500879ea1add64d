/**
 * `@oras/content`: the content model (role interfaces and nouns), verified streams, graph
 * operations (copy, extendedCopy) and packing. Stores live in subpath exports:
 * `@oras/content/memory`, `@oras/content/oci`, `@oras/content/file`.
 * @packageDocumentation
 */
export {
  isDeleter,
  isFetcher,
  isGraphStorage,
  isMounter,
  isGraphTarget,
  isPredecessorFinder,
  isPusher,
  isReadOnlyGraphTarget,
  isReadOnlyStorage,
  isReadOnlyTarget,
  isReferencePusher,
  isResolver,
  isStorage,
  isTagLister,
  isTagResolver,
  isTagger,
  isTarget,
  isUntagger,
} from './interfaces.js';
export type {
  ContentSource,
  Deleter,
  ExistenceChecker,
  Fetcher,
  GraphStorage,
  GraphTarget,
  Mounter,
  OperationOptions,
  PredecessorFinder,
  Pusher,
  ReadOnlyGraphStorage,
  ReadOnlyGraphTarget,
  ReadOnlyStorage,
  ReadOnlyTarget,
  ReferencePusher,
  Resolver,
  Storage,
  TagLister,
  TagResolver,
  Tagger,
  Target,
  Untagger,
} from './interfaces.js';
export {
  DEFAULT_BLOB_MEDIA_TYPE,
  DEFAULT_MAX_FETCH_BYTES,
  MAX_INITIAL_ALLOCATION,
  assertDescriptor,
  descriptorOf,
  drainVerified,
  fetchAll,
  pushBytes,
  readAll,
  toReadableStream,
  verifyStream,
  isVerified,
  markVerified,
  tapStream,
} from './stream.js';
export type { FetchAllOptions, StreamSource } from './stream.js';
export { describeReferrer, hasSuccessors, successors, successorsOf } from './successors.js';
export type { SuccessorsOptions } from './successors.js';
export {
  CopyError,
  DEFAULT_COPY_CONCURRENCY,
  DEFAULT_COPY_TRANSFER_ATTEMPTS,
  DEFAULT_COPY_MAX_METADATA_BYTES,
  SKIP_NODE,
  copy,
  copyGraph,
  extendedCopy,
  extendedCopyGraph,
  filterAnnotation,
  filterArtifactType,
  findRoots,
} from './copy.js';
export type {
  CopyErrorOptions,
  CopyGraphOptions,
  CopyOptions,
  CopyOrigin,
  ExtendedCopyGraphOptions,
  ExtendedCopyOptions,
  PreCopyResult,
} from './copy.js';
export { referrers } from './referrers.js';
export type { ReferrersOptions } from './referrers.js';
export { selectPlatform } from './platform.js';
export { PackManifestVersion, formatRfc3339, isRfc3339, packManifest } from './pack.js';
export type { PackManifestOptions } from './pack.js';
export type { SelectPlatformOptions } from './platform.js';

/** The package's name, for diagnostics. */
export const PACKAGE_NAME = '@oras/content';
