/**
 * `@oras/content`: the content model (role interfaces and nouns), verified streams, graph
 * operations (copy, extendedCopy) and packing. Stores live in subpath exports:
 * `@oras/content/memory`, `@oras/content/oci`, `@oras/content/file`.
 * @packageDocumentation
 */
export {
  isDeleter,
  isBytesFetcher,
  isFetcher,
  isGraphStorage,
  isMounter,
  isGraphTarget,
  isPredecessorFinder,
  isPusher,
  isReadOnlyGraphTarget,
  isReadOnlyStorage,
  isReadOnlyTarget,
  isReferenceFetcher,
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
  BytesFetcher,
  ContentSource,
  Deleter,
  ExistenceChecker,
  FetchedReference,
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
  ReferenceFetcher,
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
  toNodeReadable,
} from './stream.js';
export type { FetchAllOptions, StreamSource, ToNodeReadableOptions } from './stream.js';
export { describeReferrer, hasSuccessors, successors, successorsOf } from './successors.js';
export type { SuccessorsOptions } from './successors.js';
export {
  COPY_BUFFERED_BYTES,
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
export { findReferrers, referrers } from './referrers.js';
export type { FindReferrersOptions } from './referrers.js';
export {
  DEFAULT_TAG_CONCURRENCY,
  fetchBytes,
  fetchReference,
  resolveCopyRoot,
  resolveReference,
  tag,
  tagBytes,
  tagBytesN,
  tagN,
} from './by-reference.js';
export type {
  CopyRoot,
  FetchBytesOptions,
  FetchedBytes,
  FetchReferenceOptions,
  ResolveCopyRootOptions,
  ResolveReferenceOptions,
  TagNOptions,
} from './by-reference.js';
export { collectPages } from './pages.js';
export type { CollectPagesOptions } from './pages.js';
export { fetchToFile } from './fetch-to-file.js';
export type { FetchToFileOptions } from './fetch-to-file.js';
export { withProgress } from './progress.js';
export type { ProgressHandler, TransferProgress } from './progress.js';
export { selectPlatform } from './platform.js';
export { PackManifestVersion, formatRfc3339, isRfc3339, packManifest } from './pack.js';
export type { PackManifestOptions } from './pack.js';
export type { SelectPlatformOptions } from './platform.js';

/** The package's name, for diagnostics. */
export const PACKAGE_NAME = '@oras/content';
