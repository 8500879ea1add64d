import { inject } from 'vitest';
import type { DistributionMode } from './distribution.js';

/** What tests learn of one real registry the global setup started (plain data: it crosses workers). */
export interface RealRegistry {
  readonly mode: DistributionMode;
  /** `http(s)://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** The run CA (`basic-tls`), PEM text and file. */
  readonly caPem?: string;
  readonly caFile?: string;
  /** User name -> password (`basic-tls`, `token`): `oras` may do anything, `reader` only pull (token). */
  readonly users?: Readonly<Record<string, string>>;
  /** The token issuer (`token`). */
  readonly tokenIssuer?: {
    readonly url: string;
    readonly realm: string;
    readonly service: string;
    readonly issuer: string;
    readonly certPem: string;
    readonly expiresIn: number;
  };
}

/** One mode's outcome in the global setup: running, or the reason it is not. */
export type RealRegistryStatus =
  | { readonly ok: true; readonly registry: RealRegistry }
  | { readonly ok: false; readonly mode: DistributionMode; readonly error: string };

/** The key under which the global setup provides the real registries. */
export const REAL_REGISTRIES_KEY = 'orasRealRegistries';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The real registries started by `@oras-internal/test-registry/global-setup`. */
    orasRealRegistries: Readonly<Record<DistributionMode, RealRegistryStatus>>;
  }
}

/**
 * The real registry (Debian's `docker-registry`) the global setup started in `mode`. Throws, so
 * the calling test fails, with the reason when the mode did not start or the package's vitest
 * config lacks the global setup: a test that needs a registry never passes by skipping.
 */
export function realRegistry(mode: DistributionMode): RealRegistry {
  return selectRealRegistry(inject(REAL_REGISTRIES_KEY), mode);
}

/** {@link realRegistry} on what the global setup provided (undefined when it did not run). */
export function selectRealRegistry(
  provided: Readonly<Partial<Record<DistributionMode, RealRegistryStatus>>> | undefined,
  mode: DistributionMode,
): RealRegistry {
  if (!provided) {
    throw new Error(
      `${mode} registry: not provided; add '@oras-internal/test-registry/global-setup' to test.globalSetup in vitest.config.ts`,
    );
  }
  const status = provided[mode];
  if (!status) throw new Error(`${mode} registry: not provided by the global setup`);
  if (!status.ok) {
    const reason = status.error.startsWith(`${mode} registry: `)
      ? status.error.slice(mode.length + 11)
      : status.error;
    throw new Error(`${mode} registry: did not start in the global setup: ${reason}`);
  }
  return status.registry;
}
