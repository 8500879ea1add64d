/**
 * Validation of bearer token realms, against the SSRF and downgrade attacks behind
 * GHSA-28r5-37g7-p6mp and GHSA-xf85-363p-868w: a registry must not send our credentials to an
 * arbitrary place by naming it as its token realm.
 */
import { isIP } from 'node:net';
import { UnsafeError } from '@oras/spec';
import { redactUrl } from './redact.js';

/**
 * The realm as a URL, if it is safe to send a token request to: `http:` or `https:`; not `http:`
 * when the registry was reached over `https:`; and not a loopback, private, link-local or
 * unspecified IP literal unless the registry itself has that host.
 *
 * @throws UnsafeError when the realm fails one of those checks.
 */
export function validateRealm(realm: string, registry: URL): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new UnsafeError(`${registry.host}: token realm is not a URL: ${redactUrl(realm)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UnsafeError(
      `${registry.host}: token realm ${redactUrl(url)}: scheme ${url.protocol} is not http(s)`,
    );
  }
  if (registry.protocol === 'https:' && url.protocol === 'http:') {
    throw new UnsafeError(
      `${registry.host}: token realm ${redactUrl(url)}: refusing to downgrade https to http`,
    );
  }
  const host = stripBrackets(url.hostname);
  if (isIP(host) && isInternalIp(host) && host !== stripBrackets(registry.hostname)) {
    throw new UnsafeError(
      `${registry.host}: token realm ${redactUrl(url)}: refusing an internal address that is not the registry's own host`,
    );
  }
  return url;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Whether an IP literal is loopback, private (RFC 1918, fc00::/7), link-local or unspecified. */
export function isInternalIp(ip: string): boolean {
  return internalIpKind(ip) !== undefined;
}

/**
 * Which internal network an IP literal (brackets allowed) is on: `loopback` (the unspecified
 * address too, which reaches this host), `private` (RFC 1918, fc00::/7) or `link-local`
 * (169.254.0.0/16, fe80::/10, where cloud metadata services answer); `undefined` for any other
 * address and for host names.
 */
export function internalIpKind(ip: string): InternalIpKind | undefined {
  const host = stripBrackets(ip);
  const v = isIP(host);
  if (v === 4) return ipv4Kind(host);
  if (v !== 6) return undefined;
  const words = expandIpv6(host);
  if (!words) return undefined;
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are judged as IPv4.
  if (words.slice(0, 5).every((w) => w === 0) && (words[5] === 0xffff || words[5] === 0) && words[6] !== 0) {
    const [hi = 0, lo = 0] = [words[6] ?? 0, words[7] ?? 0];
    return ipv4Kind(`${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`);
  }
  const first = words[0] ?? 0;
  if (words.every((w) => w === 0)) return 'loopback'; // ::
  if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return 'loopback'; // ::1
  if ((first & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((first & 0xff0f) === 0xff02) return 'link-local'; // ff02::/16 link-local multicast
  return undefined;
}

/** The internal networks {@link internalIpKind} tells apart. */
export type InternalIpKind = 'loopback' | 'private' | 'link-local';

function ipv4Kind(ip: string): InternalIpKind | undefined {
  const [a = 0, b = 0, c = 0] = ip.split('.').map(Number);
  if (a === 0 || a === 127) return 'loopback'; // unspecified, loopback
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if ((a === 169 && b === 254) || (a === 224 && b === 0 && c === 0)) return 'link-local';
  return undefined;
}

function expandIpv6(ip: string): number[] | undefined {
  let s = ip;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // A trailing dotted IPv4 part becomes two words.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((w) => Number.parseInt(w, 16));
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const words = [...head, ...new Array<number>(fill).fill(0), ...rest];
  return words.length === 8 ? words : undefined;
}
