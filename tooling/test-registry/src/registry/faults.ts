import type { RouteKind } from './router.js';

/**
 * Which requests a fault acts on. Unset fields match everything (within the fault's default
 * endpoints); `times` limits how many matching requests it acts on (default: all of them).
 */
export interface FaultTarget {
  /** HTTP methods, upper case. */
  readonly methods?: readonly string[];
  /** Endpoints. */
  readonly routes?: readonly RouteKind[];
  /** Only this repository. */
  readonly repository?: string;
  /** Act on the first `times` matching requests, then stop. */
  readonly times?: number;
}

/**
 * The switchable faults and quirks of the test registry, each one a named option. Unset means off.
 * Targeted faults act on blob GETs unless their `routes`/`methods` say otherwise, except
 * `tooManyRequests`, `serverError` and `slow`, which act on every request by default.
 */
export interface TestRegistryFaults {
  /**
   * On a GET: send the headers (full `Content-Length`) and `afterBytes` of the body, then destroy
   * the socket. On a POST, PUT or PATCH (target it with `methods`/`routes`): receive `afterBytes`
   * of the request body, then destroy the socket without storing any of it.
   */
  readonly dropConnection?: FaultTarget & { readonly afterBytes: number };
  /** Answer 429 `TOOMANYREQUESTS` with `Retry-After` (seconds, or an HTTP date; default 1). */
  readonly tooManyRequests?: FaultTarget & { readonly retryAfter?: number | string };
  /** Answer a 5xx (default 500) with an `UNKNOWN` error body. */
  readonly serverError?: FaultTarget & { readonly status?: number };
  /** Flip one byte of the blob body (default the middle one); headers still claim the real digest. */
  readonly corruptBlob?: FaultTarget & { readonly offset?: number };
  /** Send only the first `bytes` of the body, with a `Content-Length` that matches the short body. */
  readonly truncateBody?: FaultTarget & { readonly bytes: number };
  /**
   * Answer blob GETs with a redirect (default 307) to the storage origin (another port), which
   * serves the blob but answers 400 to any request that carries an `Authorization` header.
   */
  readonly redirectBlobs?: FaultTarget & { readonly status?: 301 | 302 | 303 | 307 | 308 };
  /** Wait `delayMs` before answering, and `bodyDelayMs` between the headers and the body. */
  readonly slow?: FaultTarget & { readonly delayMs: number; readonly bodyDelayMs?: number };
  /**
   * Answer the referrers endpoint with a false 200 (default an HTML page), as some registries'
   * catch-all routes do; pushes then return no `OCI-Subject`.
   */
  readonly falseReferrers?: FaultTarget & { readonly contentType?: string; readonly body?: string };
  /** Refuse PATCH chunks larger than this many bytes with 416 (GHCR allows 4 MiB). */
  readonly maxChunkSize?: number;
  /**
   * With bearer auth: the first PATCH or PUT of each upload that carries the token which started
   * the upload answers 401 `invalid_token`, as if the token had expired mid-upload. `{ times }`
   * does it to the first `times` uploads only (a token expires once, not on every upload).
   */
  readonly expireTokensMidUpload?: boolean | { readonly times: number };
}

/** The name of one fault. */
export type FaultName = keyof TestRegistryFaults;

/** The faults that take a {@link FaultTarget}. */
export type TargetedFaultName = Exclude<FaultName, 'maxChunkSize' | 'expireTokensMidUpload'>;

const DEFAULT_TARGETS: Readonly<Record<TargetedFaultName, FaultTarget>> = {
  dropConnection: { routes: ['blob'], methods: ['GET'] },
  tooManyRequests: {},
  serverError: {},
  corruptBlob: { routes: ['blob'], methods: ['GET'] },
  truncateBody: { routes: ['blob'], methods: ['GET'] },
  redirectBlobs: { routes: ['blob'], methods: ['GET'] },
  slow: {},
  falseReferrers: { routes: ['referrers'] },
};

/** What a fault is matched against. */
export interface FaultRequest {
  readonly method: string;
  readonly route?: RouteKind;
  readonly repository?: string;
}

/** The current faults and how often each has acted. */
export class FaultEngine {
  #faults: TestRegistryFaults = {};
  readonly #fired = new Map<FaultName, number>();

  /** Replaces every fault and resets the counters. */
  set(faults: TestRegistryFaults): void {
    this.#faults = { ...faults };
    this.#fired.clear();
  }

  /** The faults now in force. */
  get current(): TestRegistryFaults {
    return this.#faults;
  }

  /** How many times a fault has acted since the last {@link set}. */
  fired(name: FaultName): number {
    return this.#fired.get(name) ?? 0;
  }

  /** Counts one action of a fault that is not targeted (chunk size, token expiry). */
  count(name: FaultName): void {
    this.#fired.set(name, this.fired(name) + 1);
  }

  /** The fault's settings when it acts on this request (and counts it), else undefined. */
  take<K extends TargetedFaultName>(
    name: K,
    request: FaultRequest,
  ): NonNullable<TestRegistryFaults[K]> | undefined {
    const fault = this.#faults[name];
    if (!fault) return undefined;
    const target: FaultTarget = { ...DEFAULT_TARGETS[name], ...stripUndefined(fault) };
    if (target.methods && !target.methods.includes(request.method)) return undefined;
    if (target.routes && (!request.route || !target.routes.includes(request.route))) return undefined;
    if (target.repository !== undefined && target.repository !== request.repository) return undefined;
    if (target.times !== undefined && this.fired(name) >= target.times) return undefined;
    this.count(name);
    return fault as NonNullable<TestRegistryFaults[K]>;
  }
}

function stripUndefined(value: object): object {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
