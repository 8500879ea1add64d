/**
 * What every part of a repository shares: where it is (host, name, URLs, token scopes), how a
 * request goes out (one client, aborts, transport errors, `Warning` headers, the deadline of
 * metadata exchanges), the two requests blobs and manifests have in common (`HEAD` and `DELETE`
 * by digest), and what has been learnt
 * about the registry so far (whether it has the referrers API, which blobs it just said it
 * lacks). Manifests, blobs, uploads, referrers and tags each take a context and nothing else.
 */
import type { OperationOptions } from '@oras/content';
import { AuthClient } from '@oras/auth';
import {
  AbortedError,
  DEFAULT_MANIFEST_ACCEPT,
  type Descriptor,
  InvalidArgumentError,
  isManifestMediaType,
  NotFoundError,
  parseDigest,
  parseReference,
  type Reference,
} from '@oras/spec';
import type { Dispatcher } from 'undici';
import { withDeadline, withDeadlineRestarting } from '../deadline.js';
import { transportError } from '../errors.js';
import {
  discard,
  header,
  type RegistryClient,
  type RegistryRequest,
  type RegistryResponse,
  toResponseError,
  USER_AGENT,
} from '../http.js';
import { createTransport } from '../transport.js';
import { schemeFor } from '../urls.js';
import {
  DEFAULT_MAX_METADATA_BYTES,
  DEFAULT_METADATA_TIMEOUT_MS,
  listPageLimit,
  type RemoteRepositoryOptions,
} from './options.js';

/** A warning a registry sent in a `Warning` header (distribution-spec "Warnings"). */
export interface RegistryWarning {
  /** The registry host. */
  readonly host: string;
  /** The warning text. */
  readonly text: string;
}

let sharedTransport: Dispatcher | undefined;

/** An anonymous `AuthClient` on the process-wide default transport. */
export function defaultClient(): RegistryClient {
  sharedTransport ??= createTransport();
  return new AuthClient({ dispatcher: sharedTransport, userAgent: USER_AGENT });
}

/** Warnings already reported, per handler: `host\ntext`. */
const reportedWarnings = new WeakMap<object, Set<string>>();

/** How many blob digests the registry said it lacks are remembered (see {@link RepositoryContext.absent}). */
const MAX_REMEMBERED_ABSENT = 10_000;

/** One repository's addressing, client and what was learnt about its registry. */
export class RepositoryContext {
  /** The registry as addressed in URLs (`registry-1.docker.io` for `docker.io`). */
  readonly host: string;
  /** The repository name. */
  readonly name: string;
  /** The reference the repository was made from. */
  readonly reference: Reference;
  readonly client: RegistryClient;
  readonly options: RemoteRepositoryOptions;
  readonly maxMetadataBytes: number;
  /** The cap on one page of a listing (`maxListPageBytes`). */
  readonly maxListPageBytes: number;
  /** The overall deadline of a metadata exchange (`metadataTimeoutMs`). */
  readonly metadataTimeoutMs: number;
  /** Whether the registry has the referrers API: `undefined` until found out. */
  referrersCapability: boolean | undefined;
  /**
   * Blob digests the registry just said it lacks, so a push right after (what `copy` does:
   * `exists`, then `push`) skips its own `HEAD`: a quarter of the requests of a push of many
   * small blobs. Each answer is used once; were the blob pushed meanwhile by someone else, it is
   * only uploaded again.
   */
  readonly absent = new Set<string>();
  readonly #scheme: string;

  constructor(options: RemoteRepositoryOptions) {
    this.reference =
      typeof options.reference === 'string' ? parseReference(options.reference) : options.reference;
    this.host = this.reference.host;
    this.name = this.reference.repository;
    this.options = options;
    this.client = options.client ?? defaultClient();
    this.#scheme = schemeFor(this.host, options.plainHttp);
    this.maxMetadataBytes = options.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES;
    this.maxListPageBytes = listPageLimit(options);
    this.metadataTimeoutMs = options.metadataTimeoutMs ?? DEFAULT_METADATA_TIMEOUT_MS;
    this.referrersCapability = options.referrersCapability;
  }

  /** `<scheme>://<host>/v2/<name>/<path>`. */
  url(path: string): URL {
    return new URL(`${this.#scheme}://${this.host}/v2/${this.name}/${path}`);
  }

  /** The token scope of this repository for `actions`. */
  scopes(...actions: string[]): string[] {
    return [`repository:${this.name}:${actions.join(',')}`];
  }

  /**
   * Sends a request: an aborted signal gives `AbortedError`, a failure of the connection a
   * transport error naming the request, and the registry's `Warning` headers reach the handler.
   */
  async send(req: RegistryRequest): Promise<RegistryResponse> {
    checkAborted(req.signal);
    let res: RegistryResponse;
    try {
      res = await this.client.request(req);
    } catch (err) {
      if (req.signal?.aborted)
        throw new AbortedError(`${req.method} ${this.host}/${this.name}: aborted`, { cause: err });
      const url = new URL(String(req.url));
      throw transportError(`${req.method} ${url.origin}${url.pathname}`, err, url);
    }
    this.#reportWarnings(res);
    return res;
  }

  #reportWarnings(res: RegistryResponse): void {
    const handler = this.options.handleWarning;
    if (!handler) return;
    const texts = parseWarnings(res.headers.warning);
    if (texts.length === 0) return;
    let seen = reportedWarnings.get(handler);
    if (!seen) {
      seen = new Set();
      reportedWarnings.set(handler, seen);
    }
    for (const text of texts) {
      const key = `${this.host}\n${text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      handler({ host: this.host, text });
    }
  }

  /**
   * Runs one metadata exchange (the request and the reading of its answer) under the overall
   * deadline `metadataTimeoutMs`: `exchange` gets options whose signal fires at the deadline.
   * A `GET` whose answer broke mid-body and could not be resumed is run again from the start
   * within the same deadline ({@link withDeadlineRestarting}).
   */
  metadata<T, O extends OperationOptions>(
    method: string,
    url: URL,
    options: O,
    exchange: (options: O) => Promise<T>,
  ): Promise<T> {
    const what = `${method} ${url.origin}${url.pathname}`;
    if (method !== 'GET') return withDeadline(this.metadataTimeoutMs, what, options, exchange);
    return withDeadlineRestarting(this.metadataTimeoutMs, what, options, exchange);
  }

  /** Whether `desc` is a manifest (a known manifest type, or one of `manifestMediaTypes`). */
  isManifest(desc: Descriptor): boolean {
    return (
      isManifestMediaType(desc.mediaType) || (this.options.manifestMediaTypes ?? []).includes(desc.mediaType)
    );
  }

  /** Splits `reference` into a tag or digest of this repository (a full reference must name it). */
  referenceOf(reference: string): string {
    let ref = reference;
    if (reference.includes('/')) {
      const parsed = parseReference(reference);
      if (parsed.host !== this.host || parsed.repository !== this.name) {
        throw new InvalidArgumentError(`${reference}: not a reference of ${this.host}/${this.name}`);
      }
      if (parsed.reference === undefined) throw new InvalidArgumentError(`${reference}: no tag or digest`);
      ref = parsed.reference;
    }
    if (ref.includes(':')) parseDigest(ref);
    else this.reference.withReference(ref);
    return ref;
  }

  /** The `Accept` header of manifest requests. */
  accept(): string {
    return (this.options.manifestMediaTypes ?? DEFAULT_MANIFEST_ACCEPT).join(', ');
  }

  /** Remembers that the registry just said it lacks a blob (see {@link RepositoryContext.absent}). */
  noteAbsent(digest: string): void {
    if (this.absent.size >= MAX_REMEMBERED_ABSENT) this.absent.clear();
    this.absent.add(digest);
  }

  /**
   * Whether the blob or manifest exists: `HEAD` on its endpoint by digest (the `Accept` of a
   * manifest is its own media type).
   */
  async exists(kind: 'blobs' | 'manifests', target: Descriptor, options: OperationOptions): Promise<boolean> {
    const url = this.url(`${kind}/${target.digest}`);
    const res = await this.metadata('HEAD', url, options, async (o) => {
      const answer = await this.send({
        method: 'HEAD',
        url,
        ...(kind === 'manifests' ? { headers: { accept: target.mediaType } } : {}),
        scopes: this.scopes('pull'),
        ...signalOf(o),
      });
      await discard(answer);
      return answer;
    });
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) {
      if (kind === 'blobs') this.noteAbsent(target.digest);
      return false;
    }
    throw await toResponseError('HEAD', res);
  }

  /** `DELETE` of a blob or manifest by digest; rejects with `NotFoundError` when it is absent. */
  async delete(kind: 'blobs' | 'manifests', target: Descriptor, options: OperationOptions): Promise<void> {
    const url = this.url(`${kind}/${target.digest}`);
    await this.metadata('DELETE', url, options, async (o) => {
      const res = await this.send({ method: 'DELETE', url, scopes: this.scopes('delete'), ...signalOf(o) });
      if (res.statusCode === 404) {
        await discard(res);
        throw new NotFoundError(`${this.host}/${this.name}@${target.digest}: ${target.mediaType}: not found`);
      }
      if (res.statusCode !== 202 && res.statusCode !== 200 && res.statusCode !== 204)
        throw await toResponseError('DELETE', res);
      await discard(res);
    });
  }
}

/** The `signal` field of a request, when the caller gave one. */
export function signalOf(options: OperationOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

/** Throws `AbortedError` when the signal has fired. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('operation aborted', { cause: signal.reason });
}

/** The media type of a response (its `Content-Type` without parameters). */
export function mediaTypeOf(res: RegistryResponse): string {
  return (header(res.headers, 'content-type') ?? '').split(';')[0]!.trim();
}

function parseWarnings(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    const re = /299\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
    for (let m = re.exec(item); m; m = re.exec(item)) out.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
  }
  return out;
}
