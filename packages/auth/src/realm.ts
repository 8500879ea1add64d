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
 * when the registry was reached over `https:`; and not a loopback, private or link-local IP
 * literal unless the registry itself is on that kind of address (a registry on `localhost` or
 * 127.0.0.1 may name a token service on 127.0.0.1, one on 10.0.0.5 a service on 10.0.0.9). Here
 * the registry's kind is known from its IP literal or a `localhost` name only; the auth client
 * also resolves host names.
 *
 * @throws UnsafeError when the realm fails one of those checks.
 */
export function validateRealm(realm: string, registry: URL): URL {
  const url = checkRealmUrl(realm, registry);
  const kind = internalIpKind(url.hostname);
  if (kind !== undefined && kind !== literalHostKind(registry.hostname)) {
    throw new UnsafeError(
      `${registry.host}: token realm ${redactUrl(url)}: refusing an internal address (${kind}) the registry is not on`,
    );
  }
  return url;
}

/**
 * The realm as a URL if its scheme is safe (`http:` or `https:`, and not `http:` for a registry
 * reached over `https:`); the address is left to the caller.
 *
 * @throws UnsafeError when it is not.
 */
export function checkRealmUrl(realm: string, registry: URL): URL {
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
  return url;
}

/**
 * The internal network a host is on as far as its name tells without a lookup: an IP literal's,
 * and `loopback` for `localhost` and `*.localhost` (RFC 6761); `undefined` otherwise.
 */
export function literalHostKind(hostname: string): InternalIpKind | undefined {
  const host = stripBrackets(hostname).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  return internalIpKind(host);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Whether an IP literal is loopback, private (RFC 1918, shared 100.64.0.0/10, fc00::/7),
 * link-local or unspecified, directly or as the IPv4 address an IPv6 one carries.
 */
export function isInternalIp(ip: string): boolean {
  return internalIpKind(ip) !== undefined;
}

/**
 * Which internal network an IP literal (brackets allowed) is on: `loopback` (the unspecified
 * address too, which reaches this host), `private` (RFC 1918, the shared 100.64.0.0/10 of
 * carrier NAT and overlay networks, fc00::/7, the deprecated site-local fec0::/10, the local-use
 * NAT64 prefix 64:ff9b:1::/48) or `link-local` (169.254.0.0/16, fe80::/10, and the cloud
 * metadata services at 100.100.100.200 and fd00:ec2::254); `undefined` for any other address and
 * for host names.
 *
 * Why IPv6 addresses that carry an IPv4 one are judged by it: IPv4-mapped (`::ffff:a.b.c.d`),
 * IPv4-compatible, IPv4-translated (`::ffff:0:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`, which a NAT64
 * gateway turns into a connection to `a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`) addresses all reach
 * the IPv4 address inside them, so `64:ff9b::a9fe:a9fe` is 169.254.169.254. A Teredo address
 * (2001::/32, RFC 4380) carries two: its server's, and its client's with every bit flipped (the
 * one a relay delivers to); it is internal when either is.
 */
export function internalIpKind(ip: string): InternalIpKind | undefined {
  const host = stripBrackets(ip);
  const v = isIP(host);
  if (v === 4) return ipv4Kind(host);
  if (v !== 6) return undefined;
  const words = expandIpv6(host);
  if (!words) return undefined;
  const embedded = embeddedIpv4(words);
  if (embedded !== undefined) return ipv4Kind(embedded);
  const teredo = teredoIpv4s(words);
  if (teredo !== undefined) return ipv4Kind(teredo.client) ?? ipv4Kind(teredo.server);
  const first = words[0] ?? 0;
  if (words.every((w) => w === 0)) return 'loopback'; // ::
  if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return 'loopback'; // ::1
  if (words.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':')) return 'link-local'; // AWS metadata
  if ((first & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 site-local (deprecated)
  if (first === 0x64 && words[1] === 0xff9b && words[2] === 1) return 'private'; // 64:ff9b:1::/48
  if ((first & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((first & 0xff0f) === 0xff02) return 'link-local'; // ff02::/16 link-local multicast
  return undefined;
}

/** The IPv4 address an IPv6 address carries and reaches (see {@link internalIpKind}), if any. */
function embeddedIpv4(words: readonly number[]): string | undefined {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  const dotted = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (...ws: number[]) => ws.every((w) => w === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible; not :: or ::1), ::ffff:0:a.b.c.d (translated)
  if (zeros(w0, w1, w2, w3, w4) && w5 === 0xffff) return dotted(w6, w7);
  if (zeros(w0, w1, w2, w3, w4, w5) && w6 !== 0) return dotted(w6, w7);
  if (zeros(w0, w1, w2, w3, w5) && w4 === 0xffff) return dotted(w6, w7);
  if (w0 === 0x64 && w1 === 0xff9b && zeros(w2, w3, w4, w5)) return dotted(w6, w7); // 64:ff9b::/96
  if (w0 === 0x2002) return dotted(w1, w2); // 6to4 2002::/16
  return undefined;
}

/** The IPv4 addresses in a Teredo address (2001:0:SSSS:SSSS:flags:port:~CCCC:~CCCC), if it is one. */
function teredoIpv4s(words: readonly number[]): { server: string; client: string } | undefined {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, , , w6 = 0, w7 = 0] = words;
  if (w0 !== 0x2001 || w1 !== 0) return undefined;
  const dotted = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  return { server: dotted(w2, w3), client: dotted(w6 ^ 0xffff, w7 ^ 0xffff) };
}

/** The internal networks {@link internalIpKind} tells apart. */
export type InternalIpKind = 'loopback' | 'private' | 'link-local';

function ipv4Kind(ip: string): InternalIpKind | undefined {
  const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number);
  if (a === 0 || a === 127) return 'loopback'; // unspecified, loopback
  if (a === 100 && b === 100 && c === 100 && d === 200) return 'link-local'; // Alibaba Cloud metadata
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // 100.64.0.0/10 shared address space
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
