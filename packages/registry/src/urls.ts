/**
 * URLs: the scheme a registry is spoken to with, and the URLs a registry hands back (the `Link`
 * header of paginated lists and the `Location` of uploads). Those are checked to stay on the
 * registry's origin: a registry that could point the client anywhere could make it carry
 * credentials or request internal hosts (GHSA-h7vf-4x9w-h99v, GHSA-jxpm-75mh-9fp7).
 */
import { UnsafeError } from '@oras/spec';

/**
 * Returns the `rel="next"` URL of a `Link` header, resolved against `base`; undefined when there is
 * none. Throws {@link UnsafeError} when it points to another origin.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 * @see https://www.rfc-editor.org/rfc/rfc8288
 */
export function parseNextLink(header: string | string[] | undefined, base: URL): URL | undefined {
  if (header === undefined) return undefined;
  const values = Array.isArray(header) ? header : [header];
  for (const value of values) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const match = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(part);
      if (!match) continue;
      const params = match[2] ?? '';
      if (!/;\s*rel\s*=\s*"?(?:[^"]*\s)?next(?:\s[^"]*)?"?/i.test(params)) continue;
      const next = new URL(match[1] ?? '', base);
      if (next.origin !== base.origin) {
        throw new UnsafeError(
          `link header: next page ${next.origin} is not on the registry origin ${base.origin}`,
        );
      }
      return next;
    }
  }
  return undefined;
}

/**
 * Resolves an upload `Location` against the request URL and checks it stays on the same host and
 * does not downgrade from https to http. Throws {@link UnsafeError} otherwise.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 */
export function resolveUploadLocation(location: string | undefined, base: URL): URL {
  if (!location) throw new UnsafeError(`${base.origin}${base.pathname}: upload answer has no location`);
  const next = new URL(location, base);
  if (next.host !== base.host || (base.protocol === 'https:' && next.protocol !== 'https:')) {
    throw new UnsafeError(
      `${base.origin}${base.pathname}: upload location ${next.origin} is not on the registry origin ${base.origin}`,
    );
  }
  return next;
}

/** Whether `host` (with or without a port) is this machine: `localhost`, `127.0.0.1` or `::1`. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '127.0.0.1' || name === '::1';
}

/** The scheme of a registry: `plainHttp` when set, else `http` for this machine only. */
export function schemeFor(host: string, plainHttp: boolean | undefined): 'http' | 'https' {
  return (plainHttp ?? isLoopback(host)) ? 'http' : 'https';
}
