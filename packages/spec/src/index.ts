/**
 * `@oras/spec`: OCI types, media types, annotations, digests, references, platforms, canonical
 * JSON, validation and the error base. No runtime dependencies.
 * @packageDocumentation
 */
export {
  AbortedError,
  AlreadyExistsError,
  ConnectionError,
  ErrorCode,
  InvalidArgumentError,
  InvalidDigestError,
  InvalidManifestError,
  InvalidMediaTypeError,
  InvalidPlatformError,
  InvalidReferenceError,
  MismatchedDigestError,
  MismatchedSizeError,
  MissingReferenceError,
  NotFoundError,
  OrasError,
  SizeExceedsLimitError,
  TimeoutError,
  TooManyPagesError,
  TrailingDataError,
  UnsafeError,
  UnsupportedError,
  findError,
} from './errors.js';
export type { ConnectionErrorOptions, OrasErrorOptions, TimeoutErrorOptions } from './errors.js';
export { describeErrorEntries, parseErrorBody } from './error-body.js';
export type { DistributionErrorEntry } from './error-body.js';
export {
  DEFAULT_MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  MEDIA_TYPE_PATTERN,
  MediaType,
  isIndexMediaType,
  isManifestMediaType,
  isNonDistributableMediaType,
  isValidMediaType,
} from './media-types.js';
export type { KnownMediaType } from './media-types.js';
export { Annotation } from './annotations.js';
export type { AnnotationKey } from './annotations.js';
export { EMPTY_DESCRIPTOR, EMPTY_JSON_TEXT, IMAGE_LAYOUT_VERSION, emptyJsonBytes } from './types.js';
export type {
  Descriptor,
  DockerManifest,
  DockerManifestList,
  History,
  ImageConfig,
  ImageExecConfig,
  ImageLayout,
  Index,
  Manifest,
  Platform,
  RootFS,
} from './types.js';
export {
  DEFAULT_DIGEST_ALGORITHM,
  DigestAlgorithm,
  createDigester,
  createDigesterFor,
  digestOf,
  digestOfStream,
  isDigest,
  parseDigest,
} from './digest.js';
export type { Digester, ParsedDigest } from './digest.js';
export {
  Reference,
  isValidRepository,
  isValidTag,
  parseReference,
  parseReferenceWithTags,
} from './reference.js';
export type { ReferenceParts, ReferenceWithTags } from './reference.js';
export { canonicalJson, serializeDescriptor, serializeIndex, serializeManifest } from './canonical-json.js';
export {
  DEFAULT_MAX_METADATA_BYTES,
  descriptorFromBytes,
  descriptorsEqual,
  parseIndex,
  parseManifest,
  validateDescriptor,
} from './validate.js';
export type { ParseManifestOptions } from './validate.js';
export { formatPlatform, matchPlatform, normalizePlatform, parsePlatform } from './platform.js';
export type { ParsePlatformOptions } from './platform.js';
