/**
 * The vitest adapter of `@oras/content/testing` for this workspace's tests: registers each store
 * behaviour case as an `it`, reported skipped when the store lacks the capability it checks.
 * Kept out of the published package, which imports no test framework.
 */
import { describe, it } from 'vitest';
import type { Target } from '../interfaces.js';
import { type StoreBehaviourOptions, storeBehaviourCases } from '../testing/index.js';

/** Registers `describe('store behaviour: <name>')` with one `it` per case of the store contract. */
export function describeStoreBehaviour<T extends Target>(
  name: string,
  makeStore: () => T | Promise<T>,
  options: StoreBehaviourOptions<T> = {},
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
