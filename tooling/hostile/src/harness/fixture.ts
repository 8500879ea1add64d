/**
 * The set-up every case file shares, in one place: a sandbox per case, test registries, token
 * issuers, fault proxies and lying servers, each started before and closed after the cases that
 * use it. A `use*` call registers the vitest hooks where it is made (at the top of a file or inside
 * a `describe`) and returns a handle: a stand-in that reads through to the instance of the case (or
 * file) running now, so the cases write `box.run(...)` and `registry.host` as if it were the
 * instance itself.
 *
 * Hooks run in the order of the calls and are torn down in reverse (vitest's `stack` order), so a
 * proxy made after its registry is closed before it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type FaultPlan, type FaultProxy, startFaultProxy } from '@oras-internal/fault-proxy';
import {
  type TestRegistry,
  type TestRegistryOptions,
  type TokenIssuer,
  type TokenIssuerOptions,
  startTestRegistry,
  startTokenIssuer,
} from '@oras-internal/test-registry';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import {
  type HostileHandler,
  type HostileServer,
  type HostileServerOptions,
  startHostileServer,
} from './hostile-server.js';
import { type Sandbox, createSandbox } from './sandbox.js';

/** How long a fixture lives: one instance per case (the default) or one for the whole file/describe. */
export type FixtureScope = 'case' | 'file';

/** A value, or a function giving it when the fixture starts (to read another fixture's handle). */
export type Lazy<T> = T | (() => T);

const resolve = <T>(value: Lazy<T>): T => (typeof value === 'function' ? (value as () => T)() : value);

/**
 * Starts `start()` before and `stop` after each case (or once around the file), and returns a
 * handle that reads through to the running instance. Reading the handle outside its cases throws.
 */
export function useFixture<T extends object>(
  name: string,
  start: () => Promise<T>,
  stop: (value: T) => Promise<unknown>,
  scope: FixtureScope = 'case',
): T {
  let current: T | undefined;
  const [before, after] = scope === 'case' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    current = await start();
  });
  after(async () => {
    const value = current;
    current = undefined;
    if (value !== undefined) await stop(value);
  });
  const instance = (): T => {
    if (current === undefined) throw new Error(`${name}: used outside the cases it was set up for`);
    return current;
  };
  return new Proxy({} as T, {
    get(_target, key) {
      const value = instance();
      const member = Reflect.get(value, key, value) as unknown;
      return typeof member === 'function' ? member.bind(value) : member;
    },
    set(_target, key, member) {
      return Reflect.set(instance(), key, member);
    },
    has: (_target, key) => Reflect.has(instance(), key),
  });
}

/** Options of {@link useSandbox}. */
export interface SandboxSeed {
  /** Files written before each case, by path under the sandbox (`work/a.txt`, `outside/canary`). */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Anything more to do to the fresh sandbox before each case. */
  readonly prepare?: (box: Sandbox) => unknown | Promise<unknown>;
}

/** A fresh sandbox for each case ({@link createSandbox}), seeded, and removed after it. */
export function useSandbox(seed: SandboxSeed = {}): Sandbox {
  return useFixture(
    'sandbox',
    async () => {
      const box = await createSandbox();
      for (const [path, data] of Object.entries(seed.files ?? {})) {
        const file = join(box.root, path);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, data);
      }
      await seed.prepare?.(box);
      return box;
    },
    (box) => box.remove(),
  );
}

/** A test registry (`@oras-internal/test-registry`) per case or per file. */
export function useTestRegistry(
  options: Lazy<TestRegistryOptions> = {},
  scope: FixtureScope = 'case',
): TestRegistry {
  return useFixture(
    'test registry',
    () => startTestRegistry(resolve(options)),
    (registry) => registry.close(),
    scope,
  );
}

/** A token issuer per file (or per case). */
export function useTokenIssuer(options: TokenIssuerOptions, scope: FixtureScope = 'file'): TokenIssuer {
  return useFixture(
    'token issuer',
    () => startTokenIssuer(options),
    (issuer) => issuer.close(),
    scope,
  );
}

/** A fault proxy in front of `upstream` (a registry's handle, say) for each case. */
export function useFaultProxy(
  upstream: { readonly port: number },
  faults?: FaultPlan,
  scope: FixtureScope = 'case',
): FaultProxy {
  return useFixture(
    'fault proxy',
    () =>
      startFaultProxy({
        upstream: { host: '127.0.0.1', port: upstream.port },
        ...(faults ? { faults } : {}),
      }),
    (proxy) => proxy.close(),
    scope,
  );
}

/** A lying server answering with `handler` for each case. */
export function useHostileServer(
  handler: HostileHandler,
  options: HostileServerOptions = {},
  scope: FixtureScope = 'case',
): HostileServer {
  return useFixture(
    'hostile server',
    () => startHostileServer(handler, options),
    (server) => server.close(),
    scope,
  );
}
