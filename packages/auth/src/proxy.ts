/**
 * Proxies from the environment, as Go's `net/http` (and so `oras`) reads them: `HTTPS_PROXY` for
 * `https://` requests, `HTTP_PROXY` for `http://` ones, `NO_PROXY` for the hosts that go direct,
 * each in upper or lower case (upper first). `ALL_PROXY`, which Go ignores, is honoured as curl
 * does: for either scheme whose own variable is unset.
 *
 * What Go does and this does too:
 * - requests to `localhost` and loopback addresses (127.0.0.0/8, `::1`) are never proxied;
 * - `NO_PROXY` is a comma-separated list of `*` (nothing is proxied), IP addresses, CIDR ranges
 *   (`10.0.0.0/8`), and domain names, each name or address optionally with a port
 *   (`registry.local:5000`). A name matches itself and its subdomains (`example.com` matches
 *   `example.com` and `r.example.com`); with a leading dot (`.example.com`) or `*.` only its
 *   subdomains;
 * - a proxy written without a scheme (`proxy:3128`) is `http://proxy:3128`;
 * - in a CGI process (`REQUEST_METHOD` is set), `HTTP_PROXY` is ignored, since a request header
 *   `Proxy:` would set it (httpoxy).
 *
 * The proxy's credentials come from its URL (`http://user:password@proxy:3128`) and are sent as
 * `Proxy-Authorization: Basic`; messages show the URL with the password replaced.
 * @see https://pkg.go.dev/golang.org/x/net/http/httpproxy#Config
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { InvalidArgumentError } from '@oras/spec';
import type { Dispatcher } from 'undici';
import { redactUrl } from './redact.js';
import { Agent, Client, connectFunction, globalDispatcher, Pool, proxyAgentClass } from './undici.js';

/** Where requests go through a proxy, and which go direct. Every field is optional. */
export interface ProxyConfig {
  /** The proxy for `http://` requests (`HTTP_PROXY`). */
  readonly httpProxy?: string | undefined;
  /** The proxy for `https://` requests (`HTTPS_PROXY`). */
  readonly httpsProxy?: string | undefined;
  /** The proxy for either scheme whose own proxy is not set (`ALL_PROXY`, as curl reads it). */
  readonly allProxy?: string | undefined;
  /** The hosts that go direct, in `NO_PROXY` syntax (see the module comment). */
  readonly noProxy?: string | undefined;
}

/** The first of `names` set to a non-empty value in `env`. */
function envAny(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/**
 * Reads the proxy settings of the environment: `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and
 * `NO_PROXY`, upper case before lower case (Go's order). Fields whose variables are unset or
 * empty are left out; `HTTP_PROXY` is ignored in a CGI process.
 */
export function proxyConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  const cgi = envAny(env, 'REQUEST_METHOD') !== undefined;
  const httpProxy = cgi ? undefined : envAny(env, 'HTTP_PROXY', 'http_proxy');
  const httpsProxy = envAny(env, 'HTTPS_PROXY', 'https_proxy');
  const allProxy = envAny(env, 'ALL_PROXY', 'all_proxy');
  const noProxy = envAny(env, 'NO_PROXY', 'no_proxy');
  return {
    ...(httpProxy === undefined ? {} : { httpProxy }),
    ...(httpsProxy === undefined ? {} : { httpsProxy }),
    ...(allProxy === undefined ? {} : { allProxy }),
    ...(noProxy === undefined ? {} : { noProxy }),
  };
}

/** Whether `config` names any proxy at all. */
export function hasProxy(config: ProxyConfig): boolean {
  return Boolean(config.httpProxy || config.httpsProxy || config.allProxy);
}

const PROXY_SCHEMES = new Set(['http:', 'https:', 'socks5:']);

/**
 * Parses a proxy setting: a URL with scheme `http`, `https` or `socks5`, or `host:port` (taken as
 * `http://host:port`). Throws `InvalidArgumentError` naming the setting (password redacted).
 */
export function parseProxyUrl(value: string, setting = 'proxy'): URL {
  const attempt = (text: string): URL | undefined => {
    try {
      const url = new URL(text);
      return PROXY_SCHEMES.has(url.protocol) && url.hostname !== '' ? url : undefined;
    } catch {
      return undefined;
    }
  };
  const url =
    attempt(value) ?? (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? undefined : attempt(`http://${value}`));
  if (url === undefined) {
    throw new InvalidArgumentError(
      `${setting}: invalid proxy URL ${JSON.stringify(redactUrl(value))}: expected http://, https:// or socks5://host:port`,
    );
  }
  return url;
}

/** One `NO_PROXY` entry. */
type NoProxyEntry =
  | { readonly kind: 'cidr'; readonly bytes: Uint8Array; readonly bits: number }
  | { readonly kind: 'ip'; readonly ip: string; readonly port: string }
  | { readonly kind: 'domain'; readonly suffix: string; readonly matchSelf: boolean; readonly port: string };

/** The bytes of an IPv4 or IPv6 address (an IPv4-mapped IPv6 address as IPv4), or undefined. */
function ipBytes(address: string): Uint8Array | undefined {
  const host = address.replace(/^\[|\]$/g, '');
  if (isIP(host) === 4) return Uint8Array.from(host.split('.').map(Number));
  if (isIP(host) !== 6) return undefined;
  // the URL parser writes IPv6 canonically: lower case, compressed, an embedded IPv4 in hex
  const canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const out = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 0xff;
  });
  const mapped = out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff;
  return mapped ? out.slice(12) : out;
}

/** Parses a `NO_PROXY` value; unusable entries are skipped, as Go does. */
function parseNoProxy(value: string): { all: boolean; entries: NoProxyEntry[] } {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return { all: true, entries: [] };
    const slash = entry.indexOf('/');
    if (slash > 0) {
      const bytes = ipBytes(entry.slice(0, slash));
      const bits = Number(entry.slice(slash + 1));
      if (bytes && Number.isInteger(bits) && bits >= 0 && bits <= bytes.length * 8) {
        entries.push({ kind: 'cidr', bytes, bits });
      }
      continue;
    }
    let port = '';
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (withPort) {
      entry = withPort[1] as string;
      port = withPort[2] as string;
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (isIP(entry) !== 0) {
      entries.push({ kind: 'ip', ip: canonicalIp(entry), port });
      continue;
    }
    if (entry.startsWith('*.')) entry = entry.slice(1);
    const matchSelf = !entry.startsWith('.');
    const suffix = matchSelf ? `.${entry}` : entry;
    if (suffix.length > 1) entries.push({ kind: 'domain', suffix, matchSelf, port });
  }
  return { all: false, entries };
}

function canonicalIp(address: string): string {
  const bytes = ipBytes(address);
  return bytes === undefined ? address : Array.from(bytes).join('.');
}

function inCidr(ip: Uint8Array, entry: { bytes: Uint8Array; bits: number }): boolean {
  if (ip.length !== entry.bytes.length) return false;
  for (let bit = 0; bit < entry.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    const i = Math.floor(bit / 8);
    if (((ip[i] as number) & mask) !== ((entry.bytes[i] as number) & mask)) return false;
  }
  return true;
}

function isLoopback(host: string, ip: Uint8Array | undefined): boolean {
  if (host === 'localhost') return true;
  if (ip === undefined) return false;
  if (ip.length === 4) return ip[0] === 127;
  return ip.every((b, i) => b === (i === 15 ? 1 : 0));
}

/**
 * The proxy a request to `url` goes through under `config`, or `undefined` when it goes direct
 * (no proxy for its scheme, a loopback host, or a `NO_PROXY` match). Throws
 * `InvalidArgumentError` when the proxy setting is not a usable URL.
 */
export function proxyForUrl(url: string | URL, config: ProxyConfig): URL | undefined {
  const target = new URL(String(url));
  const setting =
    target.protocol === 'https:'
      ? (config.httpsProxy ?? config.allProxy)
      : target.protocol === 'http:'
        ? (config.httpProxy ?? config.allProxy)
        : undefined;
  if (setting === undefined) return undefined;
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const ip = ipBytes(host);
  if (isLoopback(host, ip)) return undefined;
  const { all, entries } = parseNoProxy(config.noProxy ?? '');
  if (all) return undefined;
  for (const entry of entries) {
    if (entry.kind === 'cidr') {
      if (ip !== undefined && inCidr(ip, entry)) return undefined;
    } else if (entry.kind === 'ip') {
      if (ip !== undefined && canonicalIp(host) === entry.ip && (entry.port === '' || entry.port === port))
        return undefined;
    } else if (
      (host.endsWith(entry.suffix) || (entry.matchSelf && host === entry.suffix.slice(1))) &&
      (entry.port === '' || entry.port === port)
    ) {
      return undefined;
    }
  }
  const name =
    setting === config.httpsProxy && target.protocol === 'https:'
      ? 'HTTPS_PROXY'
      : setting === config.httpProxy && target.protocol === 'http:'
        ? 'HTTP_PROXY'
        : 'ALL_PROXY';
  return parseProxyUrl(setting, name);
}

/** The options {@link proxyAgentFactory} passes on to every connection pool it makes. */
type PoolOptions = Record<string, unknown> & { readonly connections?: number | null };

/** Options of {@link proxyAgentFactory}. */
export interface ProxyAgentFactoryOptions {
  /**
   * The TLS settings of the connection to an `https://` origin reached through a proxy (a client
   * certificate and a CA for the registry, say); the system's defaults when it returns undefined.
   */
  readonly requestTls?: ((origin: URL) => ConnectionOptions | undefined) | undefined;
  /** The TLS settings of the connection to an `https://` proxy. */
  readonly proxyTls?: ConnectionOptions | undefined;
}

/**
 * A `factory` for an undici `Agent` that sends each origin `config` proxies through its proxy and
 * the others direct, as undici's default factory does. An `https://` origin is reached through a
 * `CONNECT` tunnel; an `http://` origin through an `http://` proxy is forwarded, the request
 * line naming the full URL (what Go does). Each proxied origin gets its own undici `ProxyAgent`;
 * the `Agent` closes them with itself.
 */
export function proxyAgentFactory(
  config: ProxyConfig,
  options: ProxyAgentFactoryOptions = {},
): (origin: string | URL, opts: object) => Dispatcher {
  // validate the settings now, not on the first request
  for (const [setting, value] of [
    ['HTTP_PROXY', config.httpProxy],
    ['HTTPS_PROXY', config.httpsProxy],
    ['ALL_PROXY', config.allProxy],
  ] as const) {
    if (value !== undefined) parseProxyUrl(value, setting);
  }
  const direct = (origin: string | URL, opts: PoolOptions): Dispatcher =>
    opts.connections === 1 ? new Client(origin, opts as never) : new Pool(origin, opts as never);
  return (origin, opts) => {
    const url = new URL(String(origin));
    const proxy = proxyForUrl(url, config);
    const poolOptions = opts as PoolOptions;
    if (proxy === undefined) return direct(origin, poolOptions);
    const { connect: _connect, factory: _factory, maxOrigins: _maxOrigins, ...shared } = poolOptions;
    const ProxyAgent = proxyAgentClass();
    const tunnel = connectFunction();
    const requestTls = url.protocol === 'https:' ? options.requestTls?.(url) : undefined;
    return new ProxyAgent({
      ...shared,
      uri: proxy.href,
      proxyTunnel: false,
      ...(requestTls === undefined ? {} : { requestTls }),
      ...(options.proxyTls === undefined ? {} : { proxyTls: options.proxyTls }),
      factory: (o: string | URL, more: object) => direct(o, { ...shared, ...(more as PoolOptions) }),
      // the connection to the proxy opens the tunnels: `connect` is not on the prototype here
      clientFactory: (o: string | URL, more: object) =>
        Object.assign(new Pool(o, more as never), { connect: tunnel }),
    } as never);
  };
}

/** The environment's decision, made on first use (Go reads it once too): a proxying agent, or none. */
let defaultProxied: Dispatcher | null | undefined;

/**
 * The dispatcher of an `AuthClient` given none: undici's global dispatcher, or, when the
 * environment names a proxy (see {@link proxyConfigFromEnv}, read on the first call), one
 * `Agent` per process that honours it. `@oras/registry`'s transport reads the environment the
 * same way, when it is made.
 */
export function defaultDispatcher(): Dispatcher {
  if (defaultProxied === undefined) {
    const config = proxyConfigFromEnv();
    defaultProxied = hasProxy(config) ? new Agent({ factory: proxyAgentFactory(config) as never }) : null;
  }
  return defaultProxied ?? globalDispatcher();
}
