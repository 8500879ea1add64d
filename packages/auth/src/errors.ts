/**
 * The errors `@oras/auth` throws. Each extends {@link OrasError} with a stable code from
 * {@link ErrorCode}, so `UnauthorizedError.is(err)` works across installed copies of the package.
 *
 * No message ever carries a password, token or `Authorization` header: they name the host, the
 * URL (redacted) and the status, never the secret.
 */
import {
  ConnectionError,
  type DistributionErrorEntry,
  ErrorCode,
  OrasError,
  type OrasErrorOptions,
  TimeoutError,
} from '@oras/spec';

/** Options of {@link UnauthorizedError}. */
export interface UnauthorizedErrorOptions extends OrasErrorOptions {
  /** The HTTP status that said so (401), when a response did. */
  readonly statusCode?: number | undefined;
  /** The distribution-spec error entries of that response (`UNAUTHORIZED`, ...). */
  readonly errors?: readonly DistributionErrorEntry[] | undefined;
}

/**
 * Authentication failed: no credential was available for a challenge that needs one, or the
 * registry (or its token service) rejected the credential that was sent. In the second case the
 * message says the credentials were rejected, and `statusCode` and `errors` keep what the
 * server answered.
 */
export class UnauthorizedError extends OrasError {
  static override readonly code: string = ErrorCode.Unauthorized;
  /** The HTTP status that said so, when a response did. */
  readonly statusCode: number | undefined;
  /** The distribution-spec error entries the server sent (empty when none). */
  readonly errors: readonly DistributionErrorEntry[];

  constructor(message: string, options: UnauthorizedErrorOptions = {}) {
    super(message, options);
    this.statusCode = options.statusCode;
    this.errors = options.errors ?? [];
  }

  /** Whether the server sent `code` (e.g. `UNAUTHORIZED`) among its error entries. */
  hasCode(code: string): boolean {
    return this.errors.some((entry) => entry.code === code);
  }
}

/** The credential was accepted but does not grant the access asked for (`insufficient_scope`, 403). */
export class DeniedError extends OrasError {
  static override readonly code: string = ErrorCode.Denied;
}

/** A credential store, the docker config file or a credential helper failed. */
export class CredentialsError extends OrasError {
  static override readonly code: string = ErrorCode.Credentials;
}

/** undici's codes of a request that ran out of time, and what each means. */
const TIMEOUTS: Readonly<Record<string, string>> = {
  UND_ERR_HEADERS_TIMEOUT: 'no response',
  UND_ERR_BODY_TIMEOUT: 'the response stalled',
  UND_ERR_CONNECT_TIMEOUT: 'could not connect',
  ETIMEDOUT: 'could not connect',
};

/** Failures to connect at all, in the words Go's net package uses. */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'temporary failure in name resolution',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
};

/** A connection that broke after it was made. */
const BROKEN: Readonly<Record<string, string>> = {
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_CLOSED: 'the connection closed unexpectedly',
};

/** What a TLS client reads when the server answers its hello in plain HTTP. */
const PLAIN_HTTP_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);
const PLAIN_HTTP_TEXT = /wrong version number|packet length too long|http request/i;

/** undici's words for a proxy that refused a tunnel (`CONNECT`) or a forwarded request. */
const PROXY_REFUSAL = /Proxy response \((\d{3})\)|Proxy Authentication Required \((\d{3})\)/;

/** Certificate failures Node.js reports by code. */
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)|ERR_TLS_CERT/;

interface SystemErrorFields {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  errors?: unknown;
  message?: unknown;
}

/** The error that says most: an `AggregateError` of happy-eyeballs attempts gives its first. */
function innermost(err: unknown): SystemErrorFields {
  const fields = (typeof err === 'object' && err !== null ? err : {}) as SystemErrorFields;
  if (fields.code === undefined && Array.isArray(fields.errors) && fields.errors.length > 0) {
    return innermost(fields.errors[0]);
  }
  return fields;
}

/**
 * Turns a failure of the connection (refused, no such host, reset, a TLS handshake gone wrong, a
 * timeout) into a typed error: {@link TimeoutError} (`ORAS_ERR_TIMEOUT`) when it ran out of time,
 * {@link ConnectionError} (`ORAS_ERR_NETWORK`) otherwise, with `host` and the system error code.
 * `what` names the request without secrets (`GET https://host/v2/...`); `url` is the URL it
 * went to (its host goes into the message). An `OrasError` is returned as it is.
 *
 * The messages read like Go's: `cannot reach localhost:5999: connection refused`; a TLS request
 * that a plain-HTTP server answered: `the registry at localhost:5000 speaks plain HTTP: set
 * plainHttp: true`. When the refused address is not the URL's (a proxy, an address override),
 * it is named too.
 */
export function transportError(what: string, err: unknown, url?: string | URL): OrasError {
  if (OrasError.is(err)) return err;
  let host = '';
  if (url !== undefined) {
    try {
      host = new URL(String(url)).host;
    } catch {
      // no host to name
    }
  }
  const inner = innermost(err);
  const outerCode = (err as SystemErrorFields | null)?.code;
  const code =
    typeof outerCode === 'string' ? outerCode : typeof inner.code === 'string' ? inner.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const cause = { cause: err };
  const target = host || what;
  const systemCode = code;

  if (code !== undefined && TIMEOUTS[code] !== undefined) {
    return new TimeoutError(`${what}: timed out (${TIMEOUTS[code]})`, { ...cause, host: host || undefined });
  }
  if (code !== undefined && UNREACHABLE[code] !== undefined) {
    let via = '';
    const port = typeof inner.port === 'number' ? inner.port : undefined;
    if (url !== undefined && port !== undefined && typeof inner.address === 'string') {
      const parsed = new URL(String(url));
      const urlPort = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
      if (urlPort !== port)
        via = ` (by ${inner.address.includes(':') ? `[${inner.address}]` : inner.address}:${port})`;
    }
    return new ConnectionError(`cannot reach ${target}: ${UNREACHABLE[code]}${via}`, {
      ...cause,
      host,
      systemCode,
    });
  }
  if (
    (code !== undefined && PLAIN_HTTP_CODES.has(code)) ||
    (code === 'EPROTO' && PLAIN_HTTP_TEXT.test(message))
  ) {
    return new ConnectionError(`the registry at ${target} speaks plain HTTP: set plainHttp: true`, {
      ...cause,
      host,
      systemCode,
    });
  }
  if (code !== undefined && BROKEN[code] !== undefined) {
    return new ConnectionError(`${what}: ${BROKEN[code]}${host ? ` (${host})` : ''}`, {
      ...cause,
      host,
      systemCode,
    });
  }
  if (code === 'UND_ERR_REQ_RETRY') {
    // undici's RetryHandler tried to resume a response that broke mid-body, and the answer did
    // not continue it: a 200 to `Range` (a registry that ignores it), or another range or ETag
    const status = (err as { statusCode?: unknown }).statusCode;
    const why = /range header/i.test(message) ? 'it ignored the Range header' : message;
    return new ConnectionError(
      `${what}: the connection broke mid-response and the registry cannot resume it (${why}${
        typeof status === 'number' ? `, status ${status}` : ''
      })`,
      { ...cause, host, systemCode },
    );
  }
  const proxy = PROXY_REFUSAL.exec(message);
  if (proxy) {
    const status = proxy[1] ?? proxy[2] ?? '';
    const reason = status === '407' ? ': proxy authentication required' : '';
    return new ConnectionError(`${what}: the proxy answered ${status}${reason}`, {
      ...cause,
      host,
      systemCode,
    });
  }
  if (code !== undefined && CERTIFICATE_CODE.test(code)) {
    return new ConnectionError(`${what}: tls: ${message}`, { ...cause, host, systemCode });
  }
  return new ConnectionError(`${what}: ${message}`, { ...cause, host, systemCode });
}
