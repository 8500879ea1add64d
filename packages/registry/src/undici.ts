/**
 * The parts of undici this package uses, loaded one by one.
 *
 * Why not `import { Agent } from 'undici'`: undici's root module loads every part it has (fetch,
 * WebSocket, EventSource, caches, mocks, proxies) before the first request: about 10 MiB of
 * memory and 0.2 s of start-up in every process, measured with `/usr/bin/time` (`node -e
 * "require('undici')"` 61 MiB against 51 MiB for the agent alone, with a bare `node` at 40 MiB).
 * Each part is taken from its own file; should a later undici move one, the root module is the
 * fallback, so nothing breaks, it only costs the memory again (`undici-parts.test.ts` checks
 * these are the very classes the root exports).
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

/** Loads `undici/<path>`, or picks the export from undici's root module when the file is gone. */
function part<T>(path: string, pick: (root: typeof Undici) => T): T {
  try {
    return require(`undici/${path}`) as T;
  } catch {
    return pick(require('undici') as typeof Undici);
  }
}

/** undici's `Agent`. */
export const Agent: typeof Undici.Agent = part('lib/dispatcher/agent.js', (u) => u.Agent);

/** undici's `buildConnector`. */
export const buildConnector: typeof Undici.buildConnector = part(
  'lib/core/connect.js',
  (u) => u.buildConnector,
);

/** undici's `RetryHandler`. */
export const RetryHandler: typeof Undici.RetryHandler = part(
  'lib/handler/retry-handler.js',
  (u) => u.RetryHandler,
);

/**
 * Sends a request through any undici dispatcher, and undici's global dispatcher: from
 * `@oras/auth`, which loads them the same way.
 */
export { dispatchRequest, globalDispatcher } from '@oras/auth';
