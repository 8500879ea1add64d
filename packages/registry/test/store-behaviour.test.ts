/**
 * The store behaviour cases of `@oras/content/testing`, run against `RemoteRepository` on the
 * in-process test registry (referrers API) and on the real docker-registry (v2.8, plain). Each case
 * is one vitest `it`, skipped when the repository lacks the capability the case checks.
 *
 * Why predecessors are hidden from the suite: a registry can list the referrers of a manifest but
 * not the manifests that use a layer, and the suite asks for both. Referrers as predecessors are
 * covered by this package's own tests.
 *
 * Why tags are hidden on docker-registry: the suite expects lexical order, and Debian's v2.8 lists
 * `v2` before `v10`. The client passes on the registry's order (it cannot sort across pages);
 * `distribution.test.ts` checks tag listing there without assuming an order.
 */
import { AuthClient } from '@oras/auth';
import { type StoreBehaviourOptions, storeBehaviourCases } from '@oras/content/testing';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { startTestRegistry, type TestRegistry } from '@oras-internal/test-registry';
import { RemoteRepository } from '../src/repository/remote-repository.js';
import { createTransport } from '../src/transport.js';

let testRegistry: TestRegistry;
let distribution: Distribution;
let dispatcher: Dispatcher;
let counter = 0;

beforeAll(async () => {
  dispatcher = createTransport({ retry: { baseDelayMs: 1 } });
  testRegistry = await startTestRegistry();
  distribution = await startDistribution({ mode: 'plain' });
});

afterAll(async () => {
  await testRegistry?.close();
  await distribution?.stop();
  await dispatcher?.close();
});

function storeOn(host: () => string, hidden: readonly string[] = ['predecessors']) {
  return () => {
    const repo = new RemoteRepository({
      reference: `${host()}/suite/store-${++counter}`,
      client: new AuthClient({ dispatcher }),
    });
    return new Proxy(repo, {
      get(target, key) {
        if (hidden.includes(String(key))) return undefined;
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
      has(target, key) {
        return !hidden.includes(String(key)) && Reflect.has(target, key);
      },
    });
  };
}

function describeStoreBehaviour(
  name: string,
  makeStore: () => RemoteRepository,
  options: StoreBehaviourOptions<RemoteRepository>,
): void {
  describe(`store behaviour: ${name}`, () => {
    for (const c of storeBehaviourCases(makeStore, options)) {
      it(c.name, async (ctx) => {
        const outcome = await c.run();
        if (outcome) ctx.skip(outcome.skipped);
      });
    }
  });
}

describeStoreBehaviour(
  'RemoteRepository on the test registry',
  storeOn(() => testRegistry.host),
  {
    duplicatePush: 'accept',
  },
);

describeStoreBehaviour(
  'RemoteRepository on docker-registry v2.8',
  storeOn(() => distribution.host, ['predecessors', 'tags']),
  {
    duplicatePush: 'accept',
  },
);
