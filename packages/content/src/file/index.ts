/**
 * `@oras/content/file`: the file store behind `oras push` and `oras pull`. Named content is a file
 * or a folder under a working directory; directories travel as tar+gzip and are unpacked with
 * every path-safety check of oras-go and its advisories.
 * @packageDocumentation
 */
export {
  DEFAULT_DIRECTORY_MEDIA_TYPE,
  DEFAULT_FALLBACK_LIMIT,
  DEFAULT_FILE_MEDIA_TYPE,
  DEFAULT_MAX_UNPACK_BYTES,
  DEFAULT_MAX_UNPACK_TOTAL_BYTES,
  FileStore,
  cleanupFileStoresSync,
} from './store.js';
export type { FileStoreAddOptions, FileStoreOptions } from './store.js';
export {
  DuplicateNameError,
  FileErrorCode,
  FileSystemError,
  InvalidNameError,
  MissingNameError,
  OverwriteDisallowedError,
  PathConflictError,
  PathTraversalError,
  StoreClosedError,
} from './errors.js';
export { reproducibleMtime } from './tar-writer.js';
