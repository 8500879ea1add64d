import { ErrorCode, OrasError } from '@oras/spec';

/**
 * The error codes of the distribution spec ("Error Codes"), plus the ones distribution and
 * Docker Hub send that clients meet in practice (`TOOMANYREQUESTS`).
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
export const DistributionErrorCode = {
  BlobUnknown: 'BLOB_UNKNOWN',
  BlobUploadInvalid: 'BLOB_UPLOAD_INVALID',
  BlobUploadUnknown: 'BLOB_UPLOAD_UNKNOWN',
  DigestInvalid: 'DIGEST_INVALID',
  ManifestBlobUnknown: 'MANIFEST_BLOB_UNKNOWN',
  ManifestInvalid: 'MANIFEST_INVALID',
  ManifestUnknown: 'MANIFEST_UNKNOWN',
  NameInvalid: 'NAME_INVALID',
  NameUnknown: 'NAME_UNKNOWN',
  PaginationNumberInvalid: 'PAGINATION_NUMBER_INVALID',
  SizeInvalid: 'SIZE_INVALID',
  TagInvalid: 'TAG_INVALID',
  Unauthorized: 'UNAUTHORIZED',
  Denied: 'DENIED',
  Unsupported: 'UNSUPPORTED',
  TooManyRequests: 'TOOMANYREQUESTS',
  RangeInvalid: 'RANGE_INVALID',
  Unknown: 'UNKNOWN',
} as const;

/** One of the {@link DistributionErrorCode} values. */
export type DistributionErrorCode = (typeof DistributionErrorCode)[keyof typeof DistributionErrorCode];

/**
 * An error the test registry answers with: an HTTP status and a distribution error body
 * `{"errors":[{code, message, detail}]}`. Thrown inside request handling, never to a test.
 */
export class RegistryApiError extends OrasError {
  static override readonly code: string = ErrorCode.Response;
  /** The HTTP status to answer with. */
  readonly status: number;
  /** The distribution error code in the body. */
  readonly errorCode: DistributionErrorCode;
  /** The `detail` of the error body. */
  readonly detail: unknown;
  /** Extra response headers (a challenge, `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    errorCode: DistributionErrorCode,
    message: string,
    options: { readonly detail?: unknown; readonly headers?: Readonly<Record<string, string>> } = {},
  ) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.detail = options.detail ?? null;
    this.headers = options.headers ?? {};
  }

  /** The JSON error body. */
  body(): Uint8Array {
    return Buffer.from(
      JSON.stringify({ errors: [{ code: this.errorCode, message: this.message, detail: this.detail }] }),
    );
  }
}
