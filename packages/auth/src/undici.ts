/**
 * The parts of undici the ORAS packages use, loaded one by one: the one place that loads undici
 * at run time (`@oras/registry` takes its `Agent`, `buildConnector` and `RetryHandler` from here).
 *
 * Why not `import { Agent } from 'undici'`: undici's root module loads every part it has (fetch,
 * WebSocket, EventSource, caches, mocks, proxies) before the first request: about 10 MiB of
 * memory and 0.2 s of start-up in every process, measured with `/usr/bin/time` (`node -e
 * "require('undici')"` 61 MiB against 51 MiB for the agent alone, with a bare `node` at 40 MiB).
 * Each part is taken from its own file; should a later undici move one, the root module is the
 * fallback, so nothing breaks, it only costs the memory again (`undici.test.ts` checks these are
 * the very classes and functions the root exports).
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import { makeLeanRequest, type UndiciRequestParts } from './lean-request.js';

const require = createRequire(import.meta.url);

/** Loads `undici/<path>`, or picks the export from undici's root module when the file is gone. */
function part<T>(path: string, pick: (root: typeof Undici) => T): T {
  try {
    return require(`undici/${path}`) as T;
  } catch {
    return pick(require('undici') as typeof Undici);
  }
}

/** undici's `Agent` (the dispatcher `@oras/registry`'s transport is made of), from its own file. */
export const Agent: typeof Undici.Agent = part('lib/dispatcher/agent.js', (u) => u.Agent);

/** undici's `buildConnector` (TLS settings per origin), from its own file. */
export const buildConnector: typeof Undici.buildConnector = part(
  'lib/core/connect.js',
  (u) => u.buildConnector,
);

/** undici's `RetryHandler` (retries of idempotent requests), from its own file. */
export const RetryHandler: typeof Undici.RetryHandler = part(
  'lib/handler/retry-handler.js',
  (u) => u.RetryHandler,
);

type RequestFn = (
  this: Undici.Dispatcher,
  options: Undici.Dispatcher.RequestOptions,
) => Promise<Undici.Dispatcher.ResponseData>;

/**
 * `Dispatcher.prototype.request`, which only undici's root module installs on the prototype:
 * loaded only when the lean request cannot be made.
 */
function requestOf(): RequestFn {
  return part('lib/api/api-request.js', (u) => u.Dispatcher.prototype.request as unknown as RequestFn);
}

/** undici's global dispatcher (created on first use), without loading undici's root module. */
export function globalDispatcher(): Undici.Dispatcher {
  return part<{ getGlobalDispatcher(): Undici.Dispatcher }>('lib/global.js', (u) => u).getGlobalDispatcher();
}

/** The lean request (see lean-request.ts), or undici's own when a part it needs is gone. */
const leanRequest = ((): ReturnType<typeof makeLeanRequest> | undefined => {
  try {
    const { Readable: BodyReadable } = require('undici/lib/api/readable.js') as {
      Readable: UndiciRequestParts['BodyReadable'];
    };
    const { RequestAbortedError } = require('undici/lib/core/errors.js') as Pick<
      UndiciRequestParts,
      'RequestAbortedError'
    >;
    if (typeof BodyReadable !== 'function' || typeof RequestAbortedError !== 'function') return undefined;
    return makeLeanRequest({ BodyReadable, RequestAbortedError });
  } catch {
    return undefined;
  }
})();

/**
 * Sends a request through any undici dispatcher and answers as `dispatcher.request(options)`
 * does, without loading undici's root module (which installs `request` on the prototype along
 * with fetch, WebSocket and the rest). The body is undici's, and can also be taken whole without
 * its stream ({@link takeBody}: the cheap way to read a small answer). `@oras/registry` uses it
 * too.
 */
export function dispatchRequest(
  dispatcher: Undici.Dispatcher,
  options: Undici.Dispatcher.RequestOptions,
): Promise<Undici.Dispatcher.ResponseData> {
  return leanRequest ? leanRequest(dispatcher, options) : requestOf().call(dispatcher, options);
}

/** undici's `Pool` (the connections to one origin), from its own file. */
export const Pool: typeof Undici.Pool = part('lib/dispatcher/pool.js', (u) => u.Pool);

/** undici's `Client` (one connection to one origin), from its own file. */
export const Client: typeof Undici.Client = part('lib/dispatcher/client.js', (u) => u.Client);

/**
 * undici's `ProxyAgent`, loaded on first use only: it brings the SOCKS support along, which a
 * process without a proxy never needs.
 */
export function proxyAgentClass(): typeof Undici.ProxyAgent {
  return part('lib/dispatcher/proxy-agent.js', (u) => u.ProxyAgent);
}

type ConnectFn = (
  this: Undici.Dispatcher,
  options: Undici.Dispatcher.ConnectOptions,
) => Promise<Undici.Dispatcher.ConnectData>;

/**
 * `Dispatcher.prototype.connect` (opens a `CONNECT` tunnel), which only undici's root module
 * installs on the prototype; `ProxyAgent` calls it on its connection to the proxy. Loaded on
 * first use, with the proxy agent.
 */
export function connectFunction(): ConnectFn {
  return part('lib/api/api-connect.js', (u) => u.Dispatcher.prototype.connect as unknown as ConnectFn);
}
