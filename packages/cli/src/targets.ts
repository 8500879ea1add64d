/**
 * Opens the targets a command works on, from parsed flags: a `RemoteRepository` behind the
 * `AuthClient` of its side (credentials from the flags or the Docker config, its own token cache,
 * a transport with the TLS, `--resolve` and retry settings), or an OCI image layout (writable, or
 * read-only from a directory or a tar file). Loaded only when a command runs.
 */
import { setMaxListeners } from 'node:events';
import {
  AuthClient,
  type Credential,
  type CredentialFunc,
  createCredentialStore,
  credentialFuncFromStore,
  redactHeaders,
  redactUrl,
  staticCredential,
} from '@oras/auth';
import type { GraphTarget, ReadOnlyGraphTarget } from '@oras/content';
import {
  createTransport,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RegistryClient,
  RemoteRepository,
  type RemoteRepositoryOptions,
} from '@oras/registry';
import type { CliContext } from './context.js';
import { installHttpTrace, writeDebugEntry } from './debug-trace.js';
import { CliError } from './errors.js';
import { printable } from './output/escape.js';
import type { CommonOptions } from './options/common.js';
import { type RemoteOptions, readSecret, usePlainHttp } from './options/remote.js';
import type { RegistryTargetSpec, TargetOptions, TargetSpec } from './options/target.js';
import { userAgent } from './version-info.js';
import { connectionsFor } from './schedule.js';

/**
 * The credential for one registry from the flags (reading `--password-stdin` or
 * `--identity-token-stdin`), or `undefined` to use the credential store.
 */
export async function flagCredential(
  remote: RemoteOptions,
  ctx: CliContext,
): Promise<Credential | undefined> {
  let { password, identityToken } = remote;
  if (remote.passwordStdin) password = await readSecret(ctx.stdin);
  if (remote.identityTokenStdin) identityToken = await readSecret(ctx.stdin);
  // an empty secret is no secret (as in oras): the credential store answers instead
  if (identityToken) return { refreshToken: identityToken };
  if (password && remote.username === undefined) return { refreshToken: password };
  if (remote.username !== undefined) return { username: remote.username, password: password ?? '' };
  return undefined;
}

/** The credential function for a registry: the flags' credential, else the Docker config files. */
export async function credentialFunc(
  host: string,
  remote: RemoteOptions,
  ctx: CliContext,
): Promise<CredentialFunc> {
  const cred = await flagCredential(remote, ctx);
  if (cred) return staticCredential(host, cred);
  const store = createCredentialStore({
    ...(remote.registryConfig.length > 0 ? { configPaths: remote.registryConfig } : {}),
    allowPlaintextPut: true,
    env: ctx.env as NodeJS.ProcessEnv,
  });
  return credentialFuncFromStore(store);
}

/** Joins repeated `-H` values into one header each. */
export function headerRecord(headers: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(headers)) out[name] = values.join(', ');
  return out;
}

/**
 * With `--debug`: starts the HTTP trace (oras's `Request #n` / `Response #n` entries on stderr)
 * and returns the writer of other debug entries (retries); `undefined` without `--debug`.
 */
export function debugLog(common: CommonOptions, ctx: CliContext): ((line: string) => void) | undefined {
  if (!common.debug) return undefined;
  installHttpTrace(ctx.stderr, redactHeaders, redactUrl);
  return (line) => writeDebugEntry(ctx.stderr, line);
}

/** Options of {@link openRepository}. */
export interface OpenRepositoryOptions {
  /** Forces the referrers API or the tag schema (`--distribution-spec`). */
  readonly referrersCapability?: boolean | undefined;
  /** The transfer concurrency, to size the connection pool. */
  readonly concurrency?: number;
}

/** The environment variable that sets the request timeout, in seconds (`0`: none). */
export const REQUEST_TIMEOUT_ENV = 'ORAS_REQUEST_TIMEOUT';

/**
 * The request timeout from `ORAS_REQUEST_TIMEOUT` (seconds, fractions allowed, `0` for none), in
 * milliseconds; the library's default (60 s) when unset.
 */
export function requestTimeoutMs(env: CliContext['env']): number {
  const raw = env[REQUEST_TIMEOUT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_REQUEST_TIMEOUT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new CliError(`invalid ${REQUEST_TIMEOUT_ENV} ${JSON.stringify(raw)}`, {
      hint: 'use a number of seconds, e.g. 60 (0 waits for ever)',
    });
  }
  return Math.round(seconds * 1000);
}

/**
 * One transport per registry and TLS setting for the whole run, so two repositories of one
 * registry (`cp`, `attach`, mounts) share a connection pool instead of opening their own.
 */
const TRANSPORTS = new Map<string, Transport>();

type Transport = ReturnType<typeof createTransport>;

/** The shared transport for `host` with the flags' TLS, `--resolve` and timeout settings. */
export function transportFor(
  host: string,
  remote: RemoteOptions,
  ctx: CliContext,
  connections = 5,
  log?: (line: string) => void,
): Transport {
  const settings = {
    registryHosts: [host],
    ...(remote.caFile ? { caFile: remote.caFile } : {}),
    ...(remote.certFile ? { certFile: remote.certFile } : {}),
    ...(remote.keyFile ? { keyFile: remote.keyFile } : {}),
    insecure: remote.insecure,
    resolve: remote.resolve,
    timeoutMs: requestTimeoutMs(ctx.env),
  };
  const key = JSON.stringify(settings);
  let dispatcher = TRANSPORTS.get(key);
  if (!dispatcher) {
    dispatcher = createTransport({
      ...settings,
      connections,
      ...(log
        ? {
            retry: {
              onRetry: (r) =>
                log(
                  `retry ${r.attempt} of ${r.method} to ${r.origin} in ${r.delayMs} ms (${r.statusCode ?? r.errorCode ?? 'error'})`,
                ),
            },
          }
        : {}),
    });
    TRANSPORTS.set(key, dispatcher);
  }
  return dispatcher;
}

/**
 * The auth clients of each run, by registry and side (see {@link authClientFor}). Keyed by the
 * run's context, so runs in one process (tests) never share tokens.
 */
const CLIENTS = new WeakMap<CliContext, Map<string, Promise<AuthClient>>>();

/**
 * The auth client of one side of a run for `host`: its credential (flags, `--password-stdin`, or
 * its config files), its headers, its transport (TLS and client certificate) and its own token
 * cache. Two repositories opened with the same flags share one client, so a cross-repository
 * mount reuses its tokens and `--password-stdin` is read once; two sides whose flags differ in
 * anything (`cp --from-username ... --to-username ...`, `--from-registry-config`,
 * `--from-header`, `--from-cert-file` ...) never share a credential, a header or a token, even on
 * one registry.
 */
export function authClientFor(
  host: string,
  remote: RemoteOptions,
  common: CommonOptions,
  ctx: CliContext,
  connections = 5,
): Promise<AuthClient> {
  let clients = CLIENTS.get(ctx);
  if (!clients) {
    clients = new Map();
    CLIENTS.set(ctx, clients);
  }
  const key = JSON.stringify([host, remote]);
  let client = clients.get(key);
  if (!client) {
    const log = debugLog(common, ctx);
    client = credentialFunc(host, remote, ctx).then(
      (credential) =>
        new AuthClient({
          credential,
          dispatcher: transportFor(host, remote, ctx, connections, log),
          userAgent: userAgent(),
          headers: headerRecord(remote.headers),
          ...(log ? { log } : {}),
        }),
    );
    clients.set(key, client);
  }
  return client;
}

/**
 * `client`, with every request also aborted by `signal` (the run's interrupt), except `DELETE`s:
 * after an interrupt the library cancels its open upload sessions with `DELETE`, and those must
 * still reach the registry.
 */
export function interruptibleClient(client: RegistryClient, signal: AbortSignal | undefined): RegistryClient {
  if (!signal) return client;
  // The requests of one operation mostly share its signal (a copy's blobs: one per copy), and
  // `AbortSignal.any` is costly (a signal, weak references, listeners: ~0.1 ms of CPU and as much
  // in the collector per call, measured on a pull of 1,000 blobs): each signal is combined once.
  const combined = new WeakMap<AbortSignal, AbortSignal>();
  const withInterrupt = (own: AbortSignal): AbortSignal => {
    let both = combined.get(own);
    if (both === undefined) {
      both = AbortSignal.any([own, signal]);
      // shared by the operation's requests in flight, each with its abort listener
      setMaxListeners(0, both);
      combined.set(own, both);
    }
    return both;
  };
  return {
    request: (req) => {
      if (req.method === 'DELETE') return client.request(req);
      return client.request({ ...req, signal: req.signal ? withInterrupt(req.signal) : signal });
    },
  };
}

/** Opens a remote repository for a registry target. */
export async function openRepository(
  spec: RegistryTargetSpec,
  remote: RemoteOptions,
  common: CommonOptions,
  ctx: CliContext,
  options: OpenRepositoryOptions = {},
): Promise<RemoteRepository> {
  const host = spec.reference.host;
  const connections = connectionsFor(options.concurrency ?? 3);
  const client = await authClientFor(host, remote, common, ctx, connections);
  const warned = new Set<string>();
  const settings: RemoteRepositoryOptions = {
    reference: spec.reference,
    client: interruptibleClient(client, ctx.signal),
    plainHttp: usePlainHttp(remote, spec.reference.registry),
    skipReferrersGc: true,
    handleWarning: (w) => {
      const text = typeof w === 'string' ? w : JSON.stringify(w);
      if (warned.has(text)) return;
      warned.add(text);
      ctx.stderr.write(
        `Warning from ${spec.reference.registry}: ${printable((w as { text?: string }).text ?? text)}\n`,
      );
    },
  };
  if (options.referrersCapability === true) await requireReferrersApi(settings, spec, ctx);
  return new RemoteRepository({
    ...settings,
    ...(options.referrersCapability !== undefined
      ? { referrersCapability: options.referrersCapability }
      : {}),
  });
}

/** A subject no registry has: listing its referrers finds out whether the API is there. */
const PROBE_SUBJECT = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'0'.repeat(64)}`,
  size: 0,
} as const;

/**
 * With `--distribution-spec v1.1-referrers-api`, fails unless the registry serves the referrers
 * API, which it finds out as oras-go does (`GET /v2/<name>/referrers/<zero digest>`: an image
 * index, or a plain 404; a 404 `NAME_UNKNOWN` says only that the repository is new). Forced onto a
 * registry without it, an attached referrer would be pushed
 * without the tag-schema index that lists it, where nothing could ever find it again.
 */
async function requireReferrersApi(
  settings: RemoteRepositoryOptions,
  spec: RegistryTargetSpec,
  ctx: CliContext,
): Promise<void> {
  const probe = new RemoteRepository(settings);
  const options = ctx.signal ? { signal: ctx.signal } : {};
  try {
    for await (const _page of probe.referrers(PROBE_SUBJECT, options)) break;
  } catch (error) {
    // a repository that does not exist yet leaves the question open: the flag is trusted, as oras trusts it
    if (nameUnknown(error)) return;
    throw error;
  }
  if (probe.referrersCapability === true) return;
  throw new CliError(
    `the registry ${spec.reference.registry} does not serve the referrers API, which v1.1-referrers-api requires`,
    {
      hint: 'Use the distribution spec v1.1-referrers-tag (the referrers tag schema), or leave the flag out to let oras find out.',
    },
  );
}

/** Whether a registry answered `NAME_UNKNOWN` (the repository does not exist). */
function nameUnknown(error: unknown): boolean {
  const errors = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown }).code === 'NAME_UNKNOWN');
}

/** A target opened for a command, with the name results print it under. */
export interface OpenedTarget<T> {
  /** The store or repository. */
  readonly target: T;
  /** The parsed target. */
  readonly spec: TargetSpec;
  /** The name in results: `registry/repository`, or the layout path. */
  readonly name: string;
  /** The tag or digest the argument named, if any. */
  readonly reference: string | undefined;
}

/** The name results print a target under. */
export function targetName(spec: TargetSpec): string {
  return spec.kind === 'registry' ? `${spec.reference.registry}/${spec.reference.repository}` : spec.path;
}

/** The OCI layout store, loaded only for a command on a layout (start-up time). */
async function ociLayouts() {
  return (await import('@oras/content/oci')).OciLayoutStore;
}

/** Opens a target for reading and writing. */
export async function openTarget(
  target: TargetOptions,
  common: CommonOptions,
  ctx: CliContext,
  options: Pick<OpenRepositoryOptions, 'concurrency'> = {},
): Promise<OpenedTarget<GraphTarget & Partial<RemoteRepository>>> {
  const base = { spec: target.spec, name: targetName(target.spec), reference: target.reference };
  if (target.remote === undefined)
    return { ...base, target: await (await ociLayouts()).open(target.spec.path) };
  return {
    ...base,
    target: await openRepository(target.spec, target.remote, common, ctx, {
      ...options,
      referrersCapability: target.referrersCapability,
    }),
  };
}

/** Opens a target for reading only: a layout may then be a directory or a tar file. */
export async function openReadOnlyTarget(
  target: TargetOptions,
  common: CommonOptions,
  ctx: CliContext,
  options: Pick<OpenRepositoryOptions, 'concurrency'> = {},
): Promise<OpenedTarget<ReadOnlyGraphTarget & Partial<RemoteRepository>>> {
  const base = { spec: target.spec, name: targetName(target.spec), reference: target.reference };
  if (target.remote === undefined)
    return { ...base, target: await (await ociLayouts()).openReadOnly(target.spec.path) };
  return {
    ...base,
    target: await openRepository(target.spec, target.remote, common, ctx, {
      ...options,
      referrersCapability: target.referrersCapability,
    }),
  };
}
