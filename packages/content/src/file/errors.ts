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
 * A name no file system should hold: it contains a NUL or another control character (a title
 * `evil\u0000name`, a tar entry with an escape sequence). Raised before anything is written.
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
