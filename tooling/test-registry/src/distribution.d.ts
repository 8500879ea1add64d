import type { TokenIssuer, TokenIssuerOptions, AccessRule } from './token-issuer.js';

/**
 * How the real registry runs: `plain` is HTTP without auth; `basic-tls` is HTTPS with a CA made
 * for the run and htpasswd basic auth; `token` is HTTP with bearer tokens from a token issuer.
 * Deletes are enabled in every mode.
 */
export type DistributionMode = 'plain' | 'basic-tls' | 'token';

/** The three modes, in order. */
export declare const DISTRIBUTION_MODES: readonly DistributionMode[];
/** The registry binary (Debian's `docker-registry`, CNCF distribution v2.8), unless `ORAS_DOCKER_REGISTRY` says otherwise. */
export declare const DEFAULT_DISTRIBUTION_BINARY: 'docker-registry';
/** How long to wait for `/v2/` to answer. */
export declare const DEFAULT_START_TIMEOUT_MS: 20000;
/** The users of the `basic-tls` and `token` modes: `oras` may do anything, `reader` (token mode) only pull. */
export declare const DEFAULT_USERS: Readonly<{ oras: string; reader: string }>;
/** The token mode's access table: `oras` everything (with the catalog), `reader` pull only. */
export declare const DEFAULT_TOKEN_ACCESS: readonly AccessRule[];

/**
 * distribution v2.8 accepts a token up to 60 s after its `exp`; token mode sets the issuer's
 * `registryLeewaySeconds` to this, so a token with `expires_in: 3` really stops working after 3 s.
 */
export declare const DISTRIBUTION_TOKEN_LEEWAY_SECONDS: 60;

/** Options of {@link startDistribution}. */
export interface DistributionOptions {
  readonly mode: DistributionMode;
  /** User name -> password for `basic-tls` and `token` (default {@link DEFAULT_USERS}). */
  readonly users?: Readonly<Record<string, string>>;
  /** Token issuer settings for `token` mode (access table, expiry, anonymous pull ...). */
  readonly token?: Omit<TokenIssuerOptions, 'users' | 'signing' | 'port'>;
  /** The registry binary (default `$ORAS_DOCKER_REGISTRY` or `docker-registry`). */
  readonly binary?: string;
  /** How long to wait for the registry to answer (default {@link DEFAULT_START_TIMEOUT_MS}). */
  readonly startTimeoutMs?: number;
  /** The registry's log level (default `info`). */
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

/** A running `docker-registry`. */
export interface Distribution {
  readonly mode: DistributionMode;
  /** `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1:<port>`: the registry part of a reference. */
  readonly host: string;
  readonly port: number;
  /**
   * The id of the process that supervises the registry (a `sh` that runs `docker-registry serve`
   * in its own process group). SIGTERM to it stops the registry; it also stops the registry and
   * removes `dir` by itself within a second of the starting process disappearing.
   */
  readonly pid: number;
  /** The temporary folder with the config, storage and certificates; removed by `stop()`. */
  readonly dir: string;
  /** The CA certificate that signed the server certificate (`basic-tls`), as PEM text ... */
  readonly caPem?: string;
  /** ... and as a file. */
  readonly caFile?: string;
  /** The users that can log in (`basic-tls`, `token`). */
  readonly users?: Readonly<Record<string, string>>;
  /** The token issuer the registry trusts (`token`). */
  readonly tokenIssuer?: TokenIssuer;
  /** What the registry has logged so far (the last 64 KiB). */
  logs(): string;
  /** Stops the registry (SIGTERM, then SIGKILL), the token issuer, and removes `dir`. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's `docker-registry` (CNCF distribution v2.8) on 127.0.0.1 with a free port and a
 * fresh storage folder, in one of three modes, and waits until `/v2/` answers. It rejects with
 * the reason (missing binary, the registry's own last log lines) when the registry cannot start.
 *
 * The registry has no referrers API; use `startTestRegistry` for that and for faults.
 */
export declare function startDistribution(options: DistributionOptions): Promise<Distribution>;
