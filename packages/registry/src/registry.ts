/**
 * `RemoteRegistry`: a registry as a whole, its API check and its catalog.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 */
import type { OperationOptions } from '@oras/content';
import { NotFoundError, parseReference, type Reference } from '@oras/spec';
import { discard, type RegistryClient, toResponseError } from './http.js';
import { withDeadline } from './deadline.js';
import type { Registry } from './interfaces.js';
import { defaultClient } from './repository/context.js';
import {
  DEFAULT_METADATA_TIMEOUT_MS,
  listPageLimit,
  type RemoteRepositoryOptions,
} from './repository/options.js';
import { paginate } from './repository/paging.js';
import { RemoteRepository } from './repository/remote-repository.js';
import { schemeFor } from './urls.js';

/** Default for {@link RemoteRegistryOptions.repositoryListMaxPages}. */
export const DEFAULT_REPOSITORY_LIST_MAX_PAGES = 1000;

/** Options of {@link RemoteRegistry}: the repository options, for a registry host instead of a reference. */
export interface RemoteRegistryOptions extends Omit<RemoteRepositoryOptions, 'reference'> {
  /** The registry host, with a port when not the default (`localhost:5000`, `ghcr.io`). */
  readonly registry: string;
  /** The `n` of catalog requests (the registry's default when absent). */
  readonly repositoryListPageSize?: number;
  /** Most catalog pages followed (default {@link DEFAULT_REPOSITORY_LIST_MAX_PAGES}). */
  readonly repositoryListMaxPages?: number;
}

/** A registry: ping, catalog, and its repositories (which share its client and options). */
export class RemoteRegistry implements Registry {
  /** The registry as addressed in URLs (`registry-1.docker.io` for `docker.io`). */
  readonly host: string;
  readonly #options: RemoteRegistryOptions;
  readonly #client: RegistryClient;
  readonly #base: Reference;

  constructor(options: RemoteRegistryOptions) {
    this.#base = parseReference(`${options.registry}/ping`);
    this.host = this.#base.host;
    this.#client = options.client ?? defaultClient();
    this.#options = { ...options, client: this.#client };
  }

  #origin(): string {
    return `${schemeFor(this.host, this.#options.plainHttp)}://${this.host}`;
  }

  /** Checks that the registry speaks the distribution API: `GET /v2/` answers 200 (after auth). */
  async ping(options: OperationOptions = {}): Promise<void> {
    const url = `${this.#origin()}/v2/`;
    await withDeadline(this.#deadlineMs(), `GET ${url}`, options, async (o) => {
      const res = await this.#client.request({
        method: 'GET',
        url,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      if (res.statusCode === 200) {
        await discard(res);
        return;
      }
      if (res.statusCode === 404) {
        await discard(res);
        throw new NotFoundError(`${this.host}: not an OCI registry (GET /v2/ answered 404)`);
      }
      throw await toResponseError('GET', res);
    });
  }

  #deadlineMs(): number {
    return this.#options.metadataTimeoutMs ?? DEFAULT_METADATA_TIMEOUT_MS;
  }

  /**
   * Yields repository names in pages from the catalog API (`GET /v2/_catalog?n=&last=`), following
   * `Link` headers on the same origin.
   */
  async *repositories(options: OperationOptions & { readonly last?: string } = {}): AsyncIterable<string[]> {
    const url = new URL(`${this.#origin()}/v2/_catalog`);
    if (this.#options.repositoryListPageSize)
      url.searchParams.set('n', String(this.#options.repositoryListPageSize));
    if (options.last) url.searchParams.set('last', options.last);
    yield* paginate(
      (req) => this.#client.request(req),
      url,
      ['registry:catalog:*'],
      this.#options.repositoryListMaxPages ?? DEFAULT_REPOSITORY_LIST_MAX_PAGES,
      listPageLimit(this.#options),
      'repositories',
      options.signal,
      this.#deadlineMs(),
    );
  }

  /** A repository of this registry, sharing the registry's client and options. */
  repository(name: string): RemoteRepository {
    return new RemoteRepository({ ...this.#options, reference: `${this.#base.registry}/${name}` });
  }
}
