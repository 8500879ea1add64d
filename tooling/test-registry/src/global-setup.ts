/**
 * Vitest global setup: starts Debian's `docker-registry` once per test run in each mode (`plain`,
 * `basic-tls`, `token`), provides their connection info to every test (read it with
 * `realRegistry(mode)`), and stops them at the end. A mode that cannot start is provided with its
 * reason, so the tests that need it fail saying why. `ORAS_TEST_REGISTRY_MODES=plain,token`
 * starts only those modes.
 *
 * Use it from a package's `vitest.config.ts`:
 * `sharedConfig({ globalSetup: ['@oras-internal/test-registry/global-setup'] })`.
 */
import type { TestProject } from 'vitest/node';
import {
  DISTRIBUTION_MODES,
  type Distribution,
  type DistributionMode,
  startDistribution,
} from './distribution.js';
import { REAL_REGISTRIES_KEY, type RealRegistry, type RealRegistryStatus } from './real-registries.js';

/** The modes `ORAS_TEST_REGISTRY_MODES` asks for (default all three). */
function wantedModes(): readonly DistributionMode[] {
  const env = process.env.ORAS_TEST_REGISTRY_MODES;
  if (!env) return DISTRIBUTION_MODES;
  return env
    .split(',')
    .map((m) => m.trim())
    .filter((m): m is DistributionMode => (DISTRIBUTION_MODES as readonly string[]).includes(m));
}

function describe(registry: Distribution): RealRegistry {
  const issuer = registry.tokenIssuer;
  return {
    mode: registry.mode,
    url: registry.url,
    host: registry.host,
    ...(registry.caPem === undefined ? {} : { caPem: registry.caPem, caFile: registry.caFile }),
    ...(registry.users === undefined ? {} : { users: { ...registry.users } }),
    ...(issuer === undefined
      ? {}
      : {
          tokenIssuer: {
            url: issuer.url,
            realm: issuer.realm,
            service: issuer.service,
            issuer: issuer.issuer,
            certPem: issuer.certPem,
            expiresIn: issuer.expiresIn,
          },
        }),
  };
}

/** Starts the registries and provides them; returns the teardown that stops them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = wantedModes();
  const running: Distribution[] = [];
  const outcomes = await Promise.all(
    DISTRIBUTION_MODES.map(async (mode): Promise<RealRegistryStatus> => {
      if (!wanted.includes(mode)) {
        return {
          ok: false,
          mode,
          error: `not started (ORAS_TEST_REGISTRY_MODES=${process.env.ORAS_TEST_REGISTRY_MODES})`,
        };
      }
      try {
        const registry = await startDistribution({ mode });
        running.push(registry);
        return { ok: true, registry: describe(registry) };
      } catch (error) {
        return { ok: false, mode, error: (error as Error).message };
      }
    }),
  );
  project.provide(
    REAL_REGISTRIES_KEY,
    Object.fromEntries(outcomes.map((o) => [o.ok ? o.registry.mode : o.mode, o])) as Record<
      DistributionMode,
      RealRegistryStatus
    >,
  );
  return async () => {
    await Promise.all(running.map((registry) => registry.stop()));
  };
}
