/**
 * The registry's error answers: {@link ResponseError} carries the method, a redacted URL, the status
 * and the distribution-spec error codes of the body.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
import {
  type DistributionErrorEntry,
  describeErrorEntries,
  ErrorCode,
  OrasError,
  type OrasErrorOptions,
} from '@oras/spec';

export { parseErrorBody } from '@oras/spec';
export type { DistributionErrorEntry } from '@oras/spec';

/** What a {@link ResponseError} is built from. */
export interface ResponseErrorInit extends OrasErrorOptions {
  /** The HTTP method. */
  readonly method: string;
  /** The request URL; it is redacted (user info and query values) before it is stored. */
  readonly url: string | URL;
  /** The HTTP status. */
  readonly statusCode: number;
  /** The error codes the registry sent, if any. */
  readonly errors?: readonly DistributionErrorEntry[];
  /** The first bytes of a body that was not a distribution error (plain text, HTML). */
  readonly bodySnippet?: string;
}

/** The query parameters whose values are safe to show (they hold no secrets). */
const SAFE_QUERY_KEYS = new Set(['n', 'last', 'digest', 'mount', 'from', 'artifactType']);

/**
 * Returns `url` as a {@link ResponseError} stores it: without user info, and with the value of
 * every query parameter replaced by `***` (presigned blob-storage URLs carry signatures there)
 * except the spec's own (`n`, `last`, `digest`, `mount`, `from`, `artifactType`). Unlike
 * `redactUrl` of `@oras/auth` (for debug traces, which keeps the user name and marks what it
 * hides), nothing of the user info is left in an error message.
 */
export function redactResponseUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '<invalid url>';
  }
  parsed.username = '';
  parsed.password = '';
  const redacted = new URLSearchParams();
  for (const [key, value] of parsed.searchParams) {
    redacted.append(key, SAFE_QUERY_KEYS.has(key) ? value : '***');
  }
  parsed.search = redacted.toString();
  return parsed.toString();
}

/**
 * Whether a 400 looks like a TLS server's answer to plain HTTP: Go's `net/http` (distribution,
 * Harbor, Zot) answers a plain request on a TLS port with a bare 400, never with a
 * distribution-spec error body. Loopback registries are spoken to in plain HTTP by default, so
 * this is what a TLS registry on 127.0.0.1 gives.
 */
function isPlainHttpToTls(
  url: string,
  statusCode: number,
  errors: readonly DistributionErrorEntry[],
): boolean {
  return statusCode === 400 && errors.length === 0 && url.startsWith('http:');
}

function codeFor(statusCode: number): string {
  if (statusCode === 404) return ErrorCode.NotFound;
  if (statusCode === 401) return ErrorCode.Unauthorized;
  if (statusCode === 403) return ErrorCode.Denied;
  return ErrorCode.Response;
}

/**
 * A registry answered with an unexpected status. The message reads
 * `GET https://host/v2/repo/manifests/v1: response status code 404: manifest unknown: ...` (a bare
 * 400 to a plain-HTTP request says the registry may speak TLS); `code` is `ORAS_ERR_NOT_FOUND`
 * for 404, `ORAS_ERR_UNAUTHORIZED` for 401, `ORAS_ERR_DENIED` for 403 and `ORAS_ERR_RESPONSE`
 * otherwise, so `NotFoundError.is(err)` holds for a 404.
 */
export class ResponseError extends OrasError {
  static override readonly code: string = ErrorCode.Response;
  /** The HTTP method of the failed request. */
  readonly method: string;
  /** The URL of the failed request, redacted. */
  readonly url: string;
  /** The HTTP status. */
  readonly statusCode: number;
  /** The distribution-spec error entries of the body (empty when the body had none). */
  readonly errors: readonly DistributionErrorEntry[];

  /** Builds the error from the response's parts. */
  constructor(init: ResponseErrorInit);
  /** Builds an error with a message only (for `OrasError` compatibility); status 0. */
  constructor(message: string, options?: OrasErrorOptions & { readonly code?: string });
  constructor(
    initOrMessage: ResponseErrorInit | string,
    options: OrasErrorOptions & { readonly code?: string } = {},
  ) {
    const init: ResponseErrorInit =
      typeof initOrMessage === 'string'
        ? { method: '', url: '', statusCode: 0, cause: options.cause }
        : initOrMessage;
    const url = typeof initOrMessage === 'string' ? '' : redactResponseUrl(init.url);
    const errors = init.errors ?? [];
    let detail = '';
    if (errors.length > 0) detail = `: ${describeErrorEntries(errors)}`;
    else if (init.bodySnippet) detail = `: ${init.bodySnippet}`;
    super(
      typeof initOrMessage === 'string'
        ? initOrMessage
        : isPlainHttpToTls(url, init.statusCode, errors)
          ? `${init.method} ${url}: the registry answered 400 to plain HTTP; is it TLS? set plainHttp: false`
          : `${init.method} ${url}: response status code ${init.statusCode}${detail}`,
      { cause: init.cause, code: options.code ?? codeFor(init.statusCode) },
    );
    this.method = init.method;
    this.url = url;
    this.statusCode = init.statusCode;
    this.errors = errors;
  }

  /** Whether `value` is a {@link ResponseError} (by brand and shape, across package copies). */
  static override is<T extends typeof OrasError>(this: T, value: unknown): value is InstanceType<T> {
    return (
      OrasError.is(value) &&
      typeof (value as { statusCode?: unknown }).statusCode === 'number' &&
      typeof (value as { method?: unknown }).method === 'string'
    );
  }

  /** Whether the registry sent `code` (e.g. `MANIFEST_UNKNOWN`) among its error entries. */
  hasCode(code: string): boolean {
    return this.errors.some((entry) => entry.code === code);
  }
}

/**
 * Turns a transport failure into a `ConnectionError` or `TimeoutError` (from `@oras/spec`): the
 * one mapping, from `@oras/auth`, which every request of this package goes through.
 */
export { transportError } from '@oras/auth';
