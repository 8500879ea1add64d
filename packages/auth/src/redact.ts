/**
 * Redaction for debug traces and error messages: secrets never leave the process in a log line.
 * `@oras/registry` and the CLI's `--debug` use these too.
 */

/** What replaces a secret. */
export const REDACTED = '<redacted>';

/** Headers whose whole value is secret. `authorization` keeps its scheme (`Bearer <redacted>`). */
const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-registry-auth',
  'x-amz-security-token',
  'x-api-key',
  'private-token',
  'x-auth-token',
]);

const SECRET_WORDS = /token|secret|passw|signature|sig$|^sig|credential|key|auth|code|session|jwt/i;

/** Whether a query parameter or header name suggests a secret value. */
function isSecretName(name: string): boolean {
  return SECRET_WORDS.test(name);
}

/** Headers whose value is a URL (or, for `link`, URLs in angle brackets) that may be presigned. */
const URL_HEADERS: ReadonlySet<string> = new Set(['location', 'content-location', 'link']);

const RELATIVE_BASE = 'http://relative.invalid';

/** {@link redactUrl} for an absolute or a relative URL (kept relative). */
function redactUrlReference(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return redactUrl(value);
  const redacted = redactUrl(new URL(value, RELATIVE_BASE));
  return redacted.startsWith(RELATIVE_BASE) ? redacted.slice(RELATIVE_BASE.length) : redacted;
}

/**
 * A copy of `headers` with secret values replaced: `Authorization` and `Proxy-Authorization` keep
 * their scheme, cookies and token headers are replaced whole, the URLs of `Location` and `Link`
 * lose their secret query values (a redirect to presigned blob storage carries its signature
 * there), other headers are kept.
 */
export function redactHeaders(
  headers: Readonly<Record<string, string | readonly string[] | number | undefined>>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const secret = SECRET_HEADERS.has(lower) || (lower.startsWith('x-') && isSecretName(lower.slice(2)));
    const one = (v: string): string => {
      if (URL_HEADERS.has(lower)) {
        return lower === 'link'
          ? v.replace(/<([^>]*)>/g, (_, url: string) => `<${redactUrlReference(url)}>`)
          : redactUrlReference(v);
      }
      if (!secret) return v;
      if (lower === 'authorization' || lower === 'proxy-authorization') {
        const space = v.indexOf(' ');
        return space > 0 ? `${v.slice(0, space)} ${REDACTED}` : REDACTED;
      }
      return REDACTED;
    };
    out[name] = Array.isArray(value) ? value.map((v) => one(String(v))) : one(String(value));
  }
  return out;
}

/**
 * The URL with its password and secret-looking query values (`token`, `X-Amz-Signature`,
 * `sig`, `X-Amz-Credential`, ...) replaced, for presigned blob-storage URLs in traces.
 * A string that does not parse as a URL is returned with anything after `?` removed.
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
    if (isSecretName(name)) {
      params.append(name, REDACTED);
      changed = true;
    } else {
      params.append(name, value);
    }
  }
  if (changed) u.search = params.toString();
  return u.toString().replaceAll('%3Credacted%3E', REDACTED);
}
