/**
 * The error base shared by every ORAS package, and one subclass per meaning that more than one
 * package needs. Package-specific errors (HTTP responses, copy failures, path traversal) extend
 * {@link OrasError} in their own package with a code from {@link ErrorCode}.
 *
 * Why a brand: two installed copies of `@oras/spec` (a CLI and a plugin, say) each have their own
 * classes, so `instanceof` fails across them. `OrasError.is(err)` checks a `Symbol.for` brand and
 * the stable `code`, so it works whichever copy made the error.
 */

/** Stable error codes. They never change meaning once published; the CLI maps them to messages. */
export const ErrorCode = {
  /** Generic failure with no more specific code. */
  Unknown: 'ORAS_ERR_UNKNOWN',
  /** The requested content, tag or repository does not exist. */
  NotFound: 'ORAS_ERR_NOT_FOUND',
  /** The content already exists where it was to be created. */
  AlreadyExists: 'ORAS_ERR_ALREADY_EXISTS',
  /** A digest string does not follow the image-spec digest grammar. */
  InvalidDigest: 'ORAS_ERR_INVALID_DIGEST',
  /** Content did not hash to the digest it was fetched or pushed as. */
  MismatchedDigest: 'ORAS_ERR_MISMATCHED_DIGEST',
  /** Content was shorter or longer than its descriptor says. */
  MismatchedSize: 'ORAS_ERR_MISMATCHED_SIZE',
  /** Content went on after the size its descriptor says. */
  TrailingData: 'ORAS_ERR_TRAILING_DATA',
  /** A reference string could not be parsed. */
  InvalidReference: 'ORAS_ERR_INVALID_REFERENCE',
  /** A reference (tag or digest) was required but absent. */
  MissingReference: 'ORAS_ERR_MISSING_REFERENCE',
  /** A size exceeds a configured limit (manifest cap, token response cap, ...). */
  SizeExceedsLimit: 'ORAS_ERR_SIZE_EXCEEDS_LIMIT',
  /** The operation, algorithm or media type is not supported. */
  Unsupported: 'ORAS_ERR_UNSUPPORTED',
  /** A media type is malformed or not the expected one. */
  InvalidMediaType: 'ORAS_ERR_INVALID_MEDIA_TYPE',
  /** A manifest, index or descriptor failed validation. */
  InvalidManifest: 'ORAS_ERR_INVALID_MANIFEST',
  /** A platform string could not be parsed. */
  InvalidPlatform: 'ORAS_ERR_INVALID_PLATFORM',
  /** An argument given by the caller is not acceptable. */
  InvalidArgument: 'ORAS_ERR_INVALID_ARGUMENT',
  /** Pagination went over its page limit. */
  TooManyPages: 'ORAS_ERR_TOO_MANY_PAGES',
  /** The registry answered with an error response (see `ResponseError` in `@oras/registry`). */
  Response: 'ORAS_ERR_RESPONSE',
  /** Authentication failed or no credential was available. */
  Unauthorized: 'ORAS_ERR_UNAUTHORIZED',
  /** The credential is valid but lacks the permission asked for. */
  Denied: 'ORAS_ERR_DENIED',
  /**
   * A request must be sent again with its body (the registry asked for new credentials, say),
   * but the body was a one-shot stream already sent: fetch the content again and retry.
   */
  ResendRequired: 'ORAS_ERR_RESEND_REQUIRED',
  /** A network failure (reset, refused, DNS) that survived the retries. */
  Network: 'ORAS_ERR_NETWORK',
  /** An operation ran past its deadline. */
  Timeout: 'ORAS_ERR_TIMEOUT',
  /** The operation was aborted through its `AbortSignal`. */
  Aborted: 'ORAS_ERR_ABORTED',
  /** A copy failed; `origin` says whether the source or the destination failed. */
  Copy: 'ORAS_ERR_COPY',
  /** A path would be written outside the output directory. */
  PathTraversal: 'ORAS_ERR_PATH_TRAVERSAL',
  /** A file exists and overwriting was disallowed. */
  OverwriteDisallowed: 'ORAS_ERR_OVERWRITE_DISALLOWED',
  /** Two pieces of content carry the same name. */
  DuplicateName: 'ORAS_ERR_DUPLICATE_NAME',
  /** Content needs a name (title annotation) and has none. */
  MissingName: 'ORAS_ERR_MISSING_NAME',
  /** A credential store or helper failed. */
  Credentials: 'ORAS_ERR_CREDENTIALS',
  /** A security check refused a URL, realm or redirect. */
  Unsafe: 'ORAS_ERR_UNSAFE',
  /** A store was used after it was closed. */
  StoreClosed: 'ORAS_ERR_STORE_CLOSED',
  /** A name holds NUL or control characters, or is otherwise unusable as a file name. */
  InvalidName: 'ORAS_ERR_INVALID_NAME',
} as const;

/** One of the stable {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const BRAND: unique symbol = Symbol.for('@oras/error') as never;

/** Options accepted by every error constructor. */
export interface OrasErrorOptions {
  /** The underlying error, shown by the CLI's `--debug`. */
  readonly cause?: unknown;
}

/**
 * The base of every error thrown by ORAS packages: a lower-case message with context first,
 * a stable `code`, and an optional `cause`.
 */
export class OrasError extends Error {
  /** The stable code for this class of error. Subclasses override it. */
  static readonly code: string = ErrorCode.Unknown;
  /** The stable code of this error. */
  readonly code: string;
  /** @internal the brand that makes {@link OrasError.is} work across copies of the package. */
  readonly [BRAND] = true;

  constructor(message: string, options: OrasErrorOptions & { readonly code?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? (new.target as typeof OrasError).code;
    this.name = new.target.name;
  }

  /**
   * Whether `value` is an error of this class: any ORAS error for `OrasError.is`, and an error
   * with the matching code for a subclass (`NotFoundError.is(err)`), across package copies.
   */
  static is<T extends typeof OrasError>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) {
      return false;
    }
    return this.code === ErrorCode.Unknown || (value as OrasError).code === this.code;
  }
}

/** The content, tag or repository asked for does not exist. */
export class NotFoundError extends OrasError {
  static override readonly code: string = ErrorCode.NotFound;
}

/** The content already exists. */
export class AlreadyExistsError extends OrasError {
  static override readonly code: string = ErrorCode.AlreadyExists;
}

/** A digest string does not follow the digest grammar. */
export class InvalidDigestError extends OrasError {
  static override readonly code: string = ErrorCode.InvalidDigest;
}

/** Content hashed to another digest than expected. */
export class MismatchedDigestError extends OrasError {
  static override readonly code: string = ErrorCode.MismatchedDigest;
}

/** Content ended before the size its descriptor says. */
export class MismatchedSizeError extends OrasError {
  static override readonly code: string = ErrorCode.MismatchedSize;
}

/** Content went on past the size its descriptor says. */
export class TrailingDataError extends OrasError {
  static override readonly code: string = ErrorCode.TrailingData;
}

/** A reference string could not be parsed. */
export class InvalidReferenceError extends OrasError {
  static override readonly code: string = ErrorCode.InvalidReference;
}

/** A tag or digest was required and absent. */
export class MissingReferenceError extends OrasError {
  static override readonly code: string = ErrorCode.MissingReference;
}

/** A size goes over a limit. */
export class SizeExceedsLimitError extends OrasError {
  static override readonly code: string = ErrorCode.SizeExceedsLimit;
}

/** Something is not supported. */
export class UnsupportedError extends OrasError {
  static override readonly code: string = ErrorCode.Unsupported;
}

/** A media type is malformed or unexpected. */
export class InvalidMediaTypeError extends OrasError {
  static override readonly code: string = ErrorCode.InvalidMediaType;
}

/** A manifest, index or descriptor is invalid. */
export class InvalidManifestError extends OrasError {
  static override readonly code: string = ErrorCode.InvalidManifest;
}

/** A platform string is invalid. */
export class InvalidPlatformError extends OrasError {
  static override readonly code: string = ErrorCode.InvalidPlatform;
}

/** A caller's argument is not acceptable. */
export class InvalidArgumentError extends OrasError {
  static override readonly code: string = ErrorCode.InvalidArgument;
}

/** Pagination went over its limit. */
export class TooManyPagesError extends OrasError {
  static override readonly code: string = ErrorCode.TooManyPages;
}

/** The operation was aborted through an `AbortSignal`. */
export class AbortedError extends OrasError {
  static override readonly code: string = ErrorCode.Aborted;
}

/** A URL, realm or redirect was refused by a safety check. */
export class UnsafeError extends OrasError {
  static override readonly code: string = ErrorCode.Unsafe;
}

/** Options of {@link ConnectionError}. */
export interface ConnectionErrorOptions extends OrasErrorOptions {
  /** The host (`host[:port]`, as addressed in the URL) that could not be reached or talked to. */
  readonly host: string;
  /** The system or TLS error code behind it (`ECONNREFUSED`, `ENOTFOUND`, `ERR_SSL_WRONG_VERSION_NUMBER`, ...). */
  readonly systemCode?: string | undefined;
}

/**
 * A connection could not be made or broke: refused, no such host, reset, a TLS handshake that
 * failed (a plain-HTTP server spoken to over HTTPS, a certificate not trusted). Code
 * `ORAS_ERR_NETWORK`; `host` names the registry (or the proxy, or the storage it redirected to)
 * and `systemCode` the reason as Node.js reported it.
 */
export class ConnectionError extends OrasError {
  static override readonly code: string = ErrorCode.Network;
  /** The host (`host[:port]`) the connection was for. */
  readonly host: string;
  /** The system or TLS error code, when there was one. */
  readonly systemCode: string | undefined;

  constructor(message: string, options: ConnectionErrorOptions) {
    super(message, options);
    this.host = options.host;
    this.systemCode = options.systemCode;
  }
}

/** Options of {@link TimeoutError}. */
export interface TimeoutErrorOptions extends OrasErrorOptions {
  /** The host (`host[:port]`) that did not answer in time, when known. */
  readonly host?: string | undefined;
}

/**
 * An operation ran past its deadline: no connection, no response headers, or a response body
 * that stalled, within the configured time. Code `ORAS_ERR_TIMEOUT`.
 */
export class TimeoutError extends OrasError {
  static override readonly code: string = ErrorCode.Timeout;
  /** The host that did not answer in time, when known. */
  readonly host: string | undefined;

  constructor(message: string, options: TimeoutErrorOptions = {}) {
    super(message, options);
    this.host = options.host;
  }
}

/** The most errors {@link findError} looks at in one chain (a guard against endless chains). */
const MAX_CHAIN = 64;

/**
 * Finds the first error in the chain of `err` that is of kind `kind` (an ORAS error class, matched
 * with its `is()`, so across package copies) or carries the code `kind` (an {@link ErrorCode}):
 * `err` itself, its `cause`, the `cause` of that, and the `errors` of an `AggregateError`,
 * breadth first. Returns `undefined` when none matches.
 *
 * Why: operations wrap what failed underneath (`copy` rejects with a `CopyError` whose `cause` is
 * the registry's `NotFoundError`), so `NotFoundError.is(copyError)` is false while
 * `findError(copyError, NotFoundError)` finds it. It is Go's `errors.As`.
 *
 * @example
 * const missing = findError(err, NotFoundError);
 * if (missing) console.error(`not found: ${missing.message}`);
 */
export function findError<T extends typeof OrasError>(err: unknown, kind: T): InstanceType<T> | undefined;
/** Finds the first error in the chain of `err` whose `code` is `code` (see the overload above). */
export function findError(err: unknown, code: ErrorCode | (string & {})): OrasError | undefined;
export function findError(err: unknown, kind: typeof OrasError | string): OrasError | undefined {
  const matches =
    typeof kind === 'string'
      ? (value: unknown) => OrasError.is(value) && value.code === kind
      : (value: unknown) => kind.is(value);
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < MAX_CHAIN) {
    const current = queue.shift();
    if (current === undefined || current === null || seen.has(current)) continue;
    seen.add(current);
    if (matches(current)) return current as OrasError;
    if (typeof current !== 'object') continue;
    const nested = (current as { errors?: unknown }).errors;
    if (current instanceof AggregateError && Array.isArray(nested)) queue.push(...nested);
    queue.push((current as { cause?: unknown }).cause);
  }
  return undefined;
}
