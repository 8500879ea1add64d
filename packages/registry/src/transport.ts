/**
 * The transport: one undici `Agent` (keep-alive, pooled, sized to the concurrency, `HEAD`s
 * included) with the retry interceptor composed on top, TLS settings chosen per origin in the connector, and `--resolve`
 * style address overrides.
 *
 * Why per origin: a client certificate and an insecure-TLS switch are meant for the registry; blob
 * storage that a registry redirects to (S3, a CDN) must see neither the certificate nor a lowered
 * guard (GHSA-h3wm-jjqf-8jm2). An extra CA only adds trust, so it applies to every origin.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { InvalidArgumentError } from '@oras/spec';
import type { buildConnector as BuildConnector, Dispatcher } from 'undici';
import { Agent, buildConnector, type ProxyConfig, proxyAgentFactory, proxyConfigFromEnv } from '@oras/auth';
import { HostGates, type RetryOptions, retryInterceptor } from './retry.js';

/** Default number of connections per origin. */
export const DEFAULT_CONNECTIONS = 8;

/** Default keep-alive timeout of an idle pooled connection. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 30_000;

/**
 * Default request timeout: how long a request may wait for the response headers, and how long a
 * response body may go without a byte, before the connection is dropped (and the request retried
 * or resumed where it can be). undici's own defaults are five minutes each.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** A `--resolve host:port:address[:port]` rule. */
export interface ResolveRule {
  /** The host name as written in URLs. */
  readonly host: string;
  /** The port as written in URLs. */
  readonly port: number;
  /** The address to connect to instead. */
  readonly address: string;
  /** The port to connect to instead (the same port when absent). */
  readonly addressPort?: number;
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /**
   * The registry hosts (`host` or `host:port`) that get the client certificate and the insecure
   * switch. Other origins (blob storage, token realms) get neither; the CA is trusted everywhere.
   */
  readonly registryHosts?: readonly string[];
  /** PEM of extra CA certificates to trust (added to the system roots). */
  readonly ca?: string | Buffer;
  /** A file holding {@link TransportOptions.ca}. */
  readonly caFile?: string;
  /** PEM client certificate, presented to the registry hosts only. */
  readonly cert?: string | Buffer;
  /** A file holding {@link TransportOptions.cert}. */
  readonly certFile?: string;
  /** PEM private key of the client certificate. */
  readonly key?: string | Buffer;
  /** A file holding {@link TransportOptions.key}. */
  readonly keyFile?: string;
  /** Skip TLS verification for the registry hosts. */
  readonly insecure?: boolean;
  /** Address overrides, like curl's `--resolve` (strings `host:port:address[:port]` or rules). */
  readonly resolve?: readonly (string | ResolveRule)[];
  /** Connections per origin, usually the copy concurrency plus a little (default {@link DEFAULT_CONNECTIONS}). */
  readonly connections?: number;
  /** Keep-alive timeout of idle connections (default {@link DEFAULT_KEEP_ALIVE_TIMEOUT_MS}). */
  readonly keepAliveTimeoutMs?: number;
  /**
   * How long a request may wait for its response headers (counted from the last byte of the body
   * sent) and how long a response body may stall between two bytes, in milliseconds (default
   * {@link DEFAULT_REQUEST_TIMEOUT_MS}; `0` waits for ever). A request that times out fails with
   * an `OrasError` of code `ORAS_ERR_TIMEOUT` through `RemoteRepository`, after the retries.
   */
  readonly timeoutMs?: number;
  /** Retry settings; `false` turns retries off. */
  readonly retry?: RetryOptions | false;
  /**
   * The proxies: by default what the environment says (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`,
   * `NO_PROXY`, read the way Go reads them, see `proxyConfigFromEnv` of `@oras/auth`); a
   * {@link ProxyConfig} instead of the environment; `false` for none. Requests to `localhost` and
   * loopback addresses never go through a proxy.
   */
  readonly proxy?: ProxyConfig | false;
}

/**
 * Parses `host:port:address[:port]` (an IPv6 address in brackets: `h:443:[::1]:8443`).
 * @see https://curl.se/docs/manpage.html#--resolve
 */
export function parseResolveRule(rule: string): ResolveRule {
  const match = /^([^:\s]+):(\d{1,5}):(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(rule.trim());
  if (!match) {
    throw new InvalidArgumentError(`resolve rule ${JSON.stringify(rule)}: expected host:port:address[:port]`);
  }
  const [, host, port, address, addressPort] = match as unknown as [string, string, string, string, string?];
  const check = (value: string): number => {
    const n = Number(value);
    if (n < 1 || n > 65535)
      throw new InvalidArgumentError(`resolve rule ${JSON.stringify(rule)}: bad port ${value}`);
    return n;
  };
  return {
    host: host.toLowerCase(),
    port: check(port),
    address: address.replace(/^\[|\]$/g, ''),
    ...(addressPort === undefined ? {} : { addressPort: check(addressPort) }),
  };
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/**
 * Creates the dispatcher every request of a process shares: an undici `Agent` with keep-alive and
 * a connection pool, TLS per origin, address overrides, proxies (from the environment unless
 * told), and retries.
 *
 * Address overrides apply to direct connections only: a proxied request names its host to the
 * proxy, which resolves it.
 */
export function createTransport(options: TransportOptions = {}): Dispatcher {
  const read = (value: string | Buffer | undefined, file: string | undefined): string | Buffer | undefined =>
    value ?? (file === undefined ? undefined : readFileSync(file));
  const ca = read(options.ca, options.caFile);
  const cert = read(options.cert, options.certFile);
  const key = read(options.key, options.keyFile);
  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidArgumentError('client certificate: a certificate and its key must be given together');
  }
  const registryHosts = new Set((options.registryHosts ?? []).map((h) => h.toLowerCase()));
  const rules = (options.resolve ?? []).map((r) => (typeof r === 'string' ? parseResolveRule(r) : r));

  const trust = ca === undefined ? {} : { ca: [...rootCertificates, ca.toString()] };
  const plainConnector = buildConnector(trust);
  const registryTls = {
    ...trust,
    ...(cert === undefined ? {} : { cert, key }),
    ...(options.insecure ? { rejectUnauthorized: false } : {}),
  };
  const registryConnector = buildConnector(registryTls);

  const isRegistry = (hostname: string, port: number, protocol: string): boolean =>
    registryHosts.has(`${hostname}:${port}`) ||
    (port === defaultPort(protocol) && registryHosts.has(hostname));

  const connect: BuildConnector.connector = (opts, callback) => {
    const hostname = opts.hostname.toLowerCase();
    const port = Number(opts.port) || defaultPort(opts.protocol);
    const connector = isRegistry(hostname, port, opts.protocol) ? registryConnector : plainConnector;
    const rule = rules.find((r) => r.host === hostname && r.port === port);
    if (!rule) return connector(opts, callback);
    return connector(
      {
        ...opts,
        hostname: rule.address,
        port: String(rule.addressPort ?? port),
        // keep verifying the certificate against the name the URL used
        servername: opts.servername ?? (/^[\d.]+$|:/.test(hostname) ? null : hostname),
      } as BuildConnector.Options,
      callback,
    );
  };

  const timeout = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isFinite(timeout) || timeout < 0) {
    throw new InvalidArgumentError(
      `request timeout ${timeout}: expected a number of milliseconds, 0 or more`,
    );
  }
  const proxy = options.proxy === false ? undefined : (options.proxy ?? proxyConfigFromEnv());
  const factory =
    proxy !== undefined && (proxy.httpProxy || proxy.httpsProxy || proxy.allProxy)
      ? proxyAgentFactory(proxy, {
          // through a tunnel, the registry still gets its certificate and switch, others do not
          requestTls: (url) => {
            const port = Number(url.port) || defaultPort(url.protocol);
            return isRegistry(url.hostname.toLowerCase(), port, url.protocol) ? registryTls : trust;
          },
          proxyTls: trust,
        })
      : undefined;
  const agent = new Agent({
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connect,
    ...(factory === undefined ? {} : { factory: factory as never }),
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    pipelining: 1,
  });
  if (options.retry === false) return agent.compose(keepAliveAfterHead);
  return agent.compose(keepAliveAfterHead, retryInterceptor(options.retry ?? {}, new HostGates()));
}

/**
 * Keeps the connection of a `HEAD` open for the next request. undici closes it after every `HEAD`
 * (in case a server sends a body with the answer anyway, nodejs/undici#258), unless the request
 * says `reset: false`. Registries send no such body (distribution, Go's net/http, as HTTP
 * requires), and a push or a copy asks `HEAD` once per blob: `oras cp` of 200 small blobs opened
 * a new connection (a TCP handshake, and a TLS one on a real registry) for each.
 */
const keepAliveAfterHead: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) =>
  dispatch(opts.method === 'HEAD' && opts.reset === undefined ? { ...opts, reset: false } : opts, handler);
