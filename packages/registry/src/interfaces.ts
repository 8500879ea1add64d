/**
 * The registry roles on top of the content model: what a remote repository can do beyond a
 * `Target` (oras-go v2 `registry.Repository`). `Mounter`, `ReferenceFetcher` (with
 * `FetchedReference`) and `ReferencePusher` live in `@oras/content` (copy and the reference
 * helpers use them) and are re-exported here.
 */
import type {
  Deleter,
  FetchedReference,
  GraphTarget,
  Mounter,
  OperationOptions,
  ReferenceFetcher,
  ReferencePusher,
  Resolver,
  Storage,
  TagLister,
} from '@oras/content';
import type { Descriptor } from '@oras/spec';

/** Options of {@link ReferrerLister.referrers}. */
export interface ReferrersOptions extends OperationOptions {
  /** Only referrers of this artifact type. */
  readonly artifactType?: string;
}

/** Lists the manifests that refer to a subject. */
export interface ReferrerLister {
  /**
   * Yields the referrers of `subject` in pages.
   * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
   */
  referrers(subject: Descriptor, options?: ReferrersOptions): AsyncIterable<Descriptor[]>;
}

/** The blobs of a repository. */
export interface BlobStore extends Storage, Deleter, Resolver, ReferenceFetcher {}

/** The manifests of a repository. */
export interface ManifestStore extends Storage, Deleter, Resolver, ReferenceFetcher, ReferencePusher {
  /** Points `reference` at the manifest `target`. */
  tag(target: Descriptor, reference: string, options?: OperationOptions): Promise<void>;
}

/** A repository on a registry: a graph target with references, referrers, tags and mounts. */
export interface Repository
  extends GraphTarget,
    Deleter,
    ReferenceFetcher,
    ReferencePusher,
    ReferrerLister,
    TagLister,
    Mounter {
  /** The blob store of the repository. */
  blobs(): BlobStore;
  /** The manifest store of the repository. */
  manifests(): ManifestStore;
}

/** A registry: its repositories. */
export interface Registry {
  /** Checks that the registry speaks the distribution API (`GET /v2/`). */
  ping(options?: OperationOptions): Promise<void>;
  /** Yields repository names in pages (the catalog API), after `last` when given. */
  repositories(options?: OperationOptions & { readonly last?: string }): AsyncIterable<string[]>;
  /** A repository of this registry. */
  repository(name: string): Repository;
}

export type { FetchedReference, Mounter, ReferenceFetcher, ReferencePusher };
