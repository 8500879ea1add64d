/**
 * Redaction for debug traces and error messages: secrets never leave the process in a log line.
 * `@oras/registry` and the CLI's `--debug` use these too.
 *
 * The rule is an allow list, not a guess from names: a header's value is shown only when the
 * header is known to carry no secret (content type and length, digests, ranges, upload ids, rate
 * limits, dates, ...), and a URL's query value only when the parameter is one the distribution
 * or token protocol defines and holds no secret (`n`, `last`, `digest`, `mount`, `from`,
 * `artifactType`, `scope`, `service`). Everything else is replaced, names kept. Why: CDNs and API
 * gateways sign URLs and requests under names no word list foresees (`verify=`, `hmac=`,
 * `Ocp-Apim-Subscription-Key`, `Authentication`), and a trace that hides too much costs a reader
 * a little, one that shows a signature costs a credential.
 */

/** What replaces a secret. */
export const REDACTED = '<redacted>';

/** Headers whose values are shown as they are: none of them carries a secret. */
const SAFE_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-ranges',
  'age',
  'cache-control',
  'connection',
  'content-encoding',
  'content-length',
  'content-range',
  'content-type',
  'date',
  'docker-content-digest',
  'docker-distribution-api-version',
  'docker-upload-uuid',
  'etag',
  'expires',
  'host',
  'keep-alive',
  'last-modified',
  'oci-chunk-min-length',
  'oci-filters-applied',
  'oci-subject',
  'pragma',
  'range',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'server',
  'strict-transport-security',
  'transfer-encoding',
  'user-agent',
  'vary',
  'via',
  'x-content-type-options',
  'x-request-id',
  'x-amz-request-id',
  'x-ms-request-id',
]);

/** Headers whose value is a URL (or, for `link`, URLs in angle brackets): shown through {@link redactUrl}. */
const URL_HEADERS: ReadonlySet<string> = new Set(['location', 'content-location', 'link']);

/** Headers whose scheme is shown and whose credential is not. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization']);

/** Challenges: the scheme and the parameters below are shown, a realm through {@link redactUrl}. */
const CHALLENGE_HEADERS: ReadonlySet<string> = new Set(['www-authenticate', 'proxy-authenticate']);
const SAFE_CHALLENGE_PARAMS: ReadonlySet<string> = new Set([
  'realm',
  'service',
  'scope',
  'error',
  'error_description',
  'charset',
]);

/** Query parameters whose values are shown: the distribution and token protocols' own. */
const SAFE_QUERY_PARAMS: ReadonlySet<string> = new Set([
  'n',
  'last',
  'digest',
  'mount',
  'from',
  'artifactType',
  'scope',
  'service',
]);

const RELATIVE_BASE = 'http://relative.invalid';

/** {@link redactUrl} for an absolute or a relative URL (kept relative). */
function redactUrlReference(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return redactUrl(value);
  let url: URL;
  try {
    url = new URL(value, RELATIVE_BASE);
  } catch {
    return redactUrl(value);
  }
  const redacted = redactUrl(url);
  return redacted.startsWith(RELATIVE_BASE) ? redacted.slice(RELATIVE_BASE.length) : redacted;
}

/** A challenge with the values of parameters outside {@link SAFE_CHALLENGE_PARAMS} replaced. */
function redactChallenge(value: string): string {
  return value.replace(
    /([A-Za-z0-9_.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)/g,
    (_all, name: string, raw: string) => {
      const key = name.toLowerCase();
      if (!SAFE_CHALLENGE_PARAMS.has(key))
        return `${name}=${raw.startsWith('"') ? `"${REDACTED}"` : REDACTED}`;
      if (key !== 'realm') return `${name}=${raw}`;
      const quoted = raw.startsWith('"');
      const text = quoted ? raw.slice(1, -1) : raw;
      const shown = /^https?:\/\//i.test(text) ? redactUrlReference(text) : text;
      return `${name}=${quoted ? `"${shown}"` : shown}`;
    },
  );
}

/** One header value, redacted by the rule of its (lower-case) name. */
function redactHeaderValue(lower: string, value: string): string {
  if (SAFE_HEADERS.has(lower)) return value;
  if (URL_HEADERS.has(lower)) {
    return lower === 'link'
      ? value.replace(/<([^>]*)>/g, (_, url: string) => `<${redactUrlReference(url)}>`)
      : redactUrlReference(value);
  }
  if (CREDENTIAL_HEADERS.has(lower)) {
    const space = value.indexOf(' ');
    return space > 0 ? `${value.slice(0, space)} ${REDACTED}` : REDACTED;
  }
  if (CHALLENGE_HEADERS.has(lower)) return redactChallenge(value);
  return REDACTED;
}

/**
 * A copy of `headers` for a trace: the values of known-safe headers as they are, `Authorization`
 * and `Proxy-Authorization` as their scheme only, `Location`, `Content-Location` and `Link` with
 * their URLs through {@link redactUrl}, challenges with their safe parameters only, and every
 * other value (cookies, API keys, signatures, custom headers) replaced by {@link REDACTED}.
 */
export function redactHeaders(
  headers: Readonly<Record<string, string | readonly string[] | number | undefined>>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[name] = Array.isArray(value)
      ? value.map((v) => redactHeaderValue(lower, String(v)))
      : redactHeaderValue(lower, String(value));
  }
  return out;
}

/**
 * The URL for a trace: its password replaced, and the value of every query parameter but the
 * protocol's own (`n`, `last`, `digest`, `mount`, `from`, `artifactType`, `scope`, `service`)
 * replaced by {@link REDACTED}, names kept, so a presigned blob-storage URL shows where it goes
 * and not how it is signed. A string that does not parse as a URL loses everything after `?`.
 */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    const s = String(url);
    const q = s.indexOf('?');
    return q < 0 ? s : `${s.slice(0, q)}?${REDACTED}`;
  }
  if (u.password) u.password = 'xxxxx';
  let changed = false;
  const params = new URLSearchParams();
  for (const [name, value] of u.searchParams) {
    if (SAFE_QUERY_PARAMS.has(name)) {
      params.append(name, value);
    } else {
      params.append(name, REDACTED);
      changed = true;
    }
  }
  if (changed) u.search = params.toString();
  return u.toString().replaceAll('%3Credacted%3E', REDACTED);
}
