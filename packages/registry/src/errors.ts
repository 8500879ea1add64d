/**
 * The registry's error answers: {@link ResponseError} carries the method, a redacted URL, the status
 * and the distribution-spec error codes of the body.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
import { ErrorCode, OrasError, type OrasErrorOptions } from '@oras/spec';

/** One entry of a distribution-spec error body: `{"errors":[{"code","message","detail"}]}`. */
export interface DistributionErrorEntry {
  /** The error code, e.g. `MANIFEST_UNKNOWN`, `DENIED`, `TOOMANYREQUESTS`. */
  readonly code: string;
  /** The registry's message. */
  readonly message: string;
  /** Free-form detail, as sent. */
  readonly detail?: unknown;
}

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
 * Returns `url` without user info and with the values of query parameters replaced by `***`
 * (presigned blob-storage URLs carry signatures there), except the spec's own parameters.
 */
export function redactUrl(url: string | URL): string {
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

function describeEntries(errors: readonly DistributionErrorEntry[]): string {
  return errors
    .map((entry) => {
      const code = entry.code.toLowerCase().replaceAll('_', ' ');
      return entry.message ? `${code}: ${entry.message}` : code;
    })
    .join('; ');
}

function codeFor(statusCode: number): string {
  if (statusCode === 404) return ErrorCode.NotFound;
  if (statusCode === 401) return ErrorCode.Unauthorized;
  if (statusCode === 403) return ErrorCode.Denied;
  return ErrorCode.Response;
}

/**
 * A registry answered with an unexpected status. The message reads
 * `GET https://host/v2/repo/manifests/v1: 404: manifest unknown: ...`; `code` is `ORAS_ERR_NOT_FOUND`
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
    const url = typeof initOrMessage === 'string' ? '' : redactUrl(init.url);
    const errors = init.errors ?? [];
    let detail = '';
    if (errors.length > 0) detail = `: ${describeEntries(errors)}`;
    else if (init.bodySnippet) detail = `: ${init.bodySnippet}`;
    super(
      typeof initOrMessage === 'string'
        ? initOrMessage
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

const MAX_SNIPPET = 200;

/**
 * Parses an error body leniently: the distribution-spec JSON when it is one, otherwise a printable
 * snippet of the text (Docker Hub's anti-abuse 429 answers plain text).
 */
export function parseErrorBody(body: Uint8Array): {
  errors: DistributionErrorEntry[];
  bodySnippet?: string;
} {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body).trim();
  if (text.length === 0) return { errors: [] };
  try {
    const parsed = JSON.parse(text) as unknown;
    const list = (parsed as { errors?: unknown })?.errors;
    if (Array.isArray(list)) {
      const errors: DistributionErrorEntry[] = [];
      for (const item of list) {
        if (typeof item !== 'object' || item === null) continue;
        const { code, message, detail } = item as Record<string, unknown>;
        errors.push({
          code: typeof code === 'string' ? code : 'UNKNOWN',
          message: typeof message === 'string' ? message : '',
          ...(detail === undefined ? {} : { detail }),
        });
      }
      return { errors };
    }
  } catch {
    // not JSON: fall through to the snippet
  }
  const printable = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return {
    errors: [],
    bodySnippet: printable.length > MAX_SNIPPET ? `${printable.slice(0, MAX_SNIPPET)}...` : printable,
  };
}

/** undici's error codes of a request that ran out of time. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Turns a transport failure (a reset, a refused connection, a timeout) into an `OrasError` whose
 * message names the request (`what`, with no secrets) and the failure in words: code
 * `ORAS_ERR_TIMEOUT` when the request ran out of time, `ORAS_ERR_NETWORK` otherwise. An
 * `OrasError` is returned as it is.
 */
export function transportError(what: string, err: unknown): OrasError {
  if (OrasError.is(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    const phase =
      code === 'UND_ERR_HEADERS_TIMEOUT'
        ? 'no response'
        : code === 'UND_ERR_BODY_TIMEOUT'
          ? 'the response stalled'
          : 'could not connect';
    return new OrasError(`${what}: timed out (${phase})`, { cause: err, code: ErrorCode.Timeout });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new OrasError(`${what}: ${message}`, { cause: err, code: ErrorCode.Network });
}
