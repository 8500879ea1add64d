/**
 * The errors of the file store. Each carries a stable code from `@oras/spec`'s `ErrorCode` (the
 * CLI maps those to messages and exit codes) and a lower-case message that puts context first.
 */
import { ErrorCode, OrasError } from '@oras/spec';

/**
 * A name, a tar entry or a link would put something outside the output directory: `..`, an
 * absolute path, a Windows drive path, a symlink that leads out, or a link made by another layer.
 * Raised before anything is written.
 */
export class PathTraversalError extends OrasError {
  static override readonly code: string = ErrorCode.PathTraversal;
}

/**
 * The stable codes of the file store's errors that `@oras/spec`'s `ErrorCode` does not list (yet).
 * They are as stable as those: the CLI may map them.
 */
export const FileErrorCode = {
  /** See {@link PathConflictError}. */
  PathConflict: 'ORAS_ERR_PATH_CONFLICT',
  /** See {@link FileSystemError}. */
  FileSystem: 'ORAS_ERR_FILE_SYSTEM',
} as const;

/**
 * A name the store will not write: it contains a NUL or another control character (a title
 * `evil\u0000name`, a tar entry with an escape sequence), it is too long for the file system, or
 * it names the output directory itself or one of its parents (`.`, `a/..`, `../out` for a file).
 * Raised before anything is written.
 *
 * Why not a {@link PathTraversalError}: nothing here leaves the output directory, so the way out
 * of a traversal refusal (`--allow-path-traversal`) is no answer to it. Why its own code:
 * `@oras/spec`'s `ErrorCode` has no entry for an invalid name yet; the code is stable all the same.
 */
export class InvalidNameError extends OrasError {
  static override readonly code: string = ErrorCode.InvalidName;
}

/** A file exists where content was to be written, and the store was told not to overwrite. */
export class OverwriteDisallowedError extends OrasError {
  static override readonly code: string = ErrorCode.OverwriteDisallowed;
}

/** Two pieces of content carry the same name (title annotation) in one store. */
export class DuplicateNameError extends OrasError {
  static override readonly code: string = ErrorCode.DuplicateName;
}

/** Content needs a name and has none (`add` with an empty name). */
export class MissingNameError extends OrasError {
  static override readonly code: string = ErrorCode.MissingName;
}

/**
 * The store was used after `close()`.
 *
 * Why its own code: `@oras/spec`'s `ErrorCode` has no entry for a closed store yet; the code is
 * stable all the same.
 */
export class StoreClosedError extends OrasError {
  static override readonly code: string = ErrorCode.StoreClosed;
}

/**
 * Something on disk is in the way of a name: a folder where a file goes (`cannot write "a": a
 * directory is in the way`), or a file or a broken symlink where a folder goes. Nothing was
 * changed under the name.
 */
export class PathConflictError extends OrasError {
  static override readonly code: string = FileErrorCode.PathConflict;
}

/**
 * The file system refused a write for a reason of its own (`cannot write "a": permission
 * denied`, no space left, read-only). The `cause` is Node's error.
 */
export class FileSystemError extends OrasError {
  static override readonly code: string = FileErrorCode.FileSystem;
}
