/**
 * The two parts of undici this package uses, loaded from their own files.
 *
 * Why not `import { getGlobalDispatcher } from 'undici'`: undici's root module loads every part
 * it has (fetch, WebSocket, caches, mocks) before the first request, about 10 MiB of memory and
 * 0.2 s of start-up a process (measured with `/usr/bin/time`). Should a later undici move a file,
 * the root module is the fallback (`undici.test.ts` checks they are the root's own functions).
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

function part<T>(path: string, pick: (root: typeof Undici) => T): T {
  try {
    return require(`undici/${path}`) as T;
  } catch {
    return pick(require('undici') as typeof Undici);
  }
}

type RequestFn = (
  this: Undici.Dispatcher,
  options: Undici.Dispatcher.RequestOptions,
) => Promise<Undici.Dispatcher.ResponseData>;

/** `Dispatcher.prototype.request`, which only undici's root module installs on the prototype. */
const requestOf: RequestFn = part(
  'lib/api/api-request.js',
  (u) => u.Dispatcher.prototype.request as unknown as RequestFn,
);

/** undici's global dispatcher (created on first use), without loading undici's root module. */
export function globalDispatcher(): Undici.Dispatcher {
  return part<{ getGlobalDispatcher(): Undici.Dispatcher }>('lib/global.js', (u) => u).getGlobalDispatcher();
}

/**
 * Sends a request through any undici dispatcher, as `dispatcher.request(options)` does, without
 * loading undici's root module (which installs `request` on the prototype along with fetch,
 * WebSocket and the rest). `@oras/registry` uses it too.
 */
export function dispatchRequest(
  dispatcher: Undici.Dispatcher,
  options: Undici.Dispatcher.RequestOptions,
): Promise<Undici.Dispatcher.ResponseData> {
  return requestOf.call(dispatcher, options);
}
