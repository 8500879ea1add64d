import { DistributionErrorCode, RegistryApiError } from './errors.js';
import {
  type ParsedManifest,
  TAG_PATTERN,
  type WireDescriptor,
  digestOf,
  isSupportedDigest,
  parseManifest,
} from './validation.js';

/** A manifest as stored: its bytes, its media type, and what the referrers API reports of it. */
export interface StoredManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  readonly parsed: ParsedManifest;
}

interface RepositoryState {
  readonly blobs: Set<string>;
  readonly manifests: Map<string, StoredManifest>;
  readonly tags: Map<string, string>;
}

/** Options of {@link RegistryStorage.putManifest}. */
export interface PutManifestOptions {
  /** Check that the blobs and manifests it references are in the repository (default true). */
  readonly verifyReferences?: boolean;
}

/**
 * The registry's content, in memory: blobs shared by digest across repositories (each repository
 * links the ones pushed or mounted into it), manifests and tags per repository.
 */
export class RegistryStorage {
  readonly #blobs = new Map<string, Uint8Array>();
  readonly #repositories = new Map<string, RepositoryState>();

  #repository(name: string): RepositoryState | undefined {
    return this.#repositories.get(name);
  }

  #ensure(name: string): RepositoryState {
    let repo = this.#repositories.get(name);
    if (!repo) {
      repo = { blobs: new Set(), manifests: new Map(), tags: new Map() };
      this.#repositories.set(name, repo);
    }
    return repo;
  }

  /** Whether the repository has anything in it. */
  hasRepository(name: string): boolean {
    return this.#repositories.has(name);
  }

  /** The blob's bytes when the repository holds it. */
  getBlob(repository: string, digest: string): Uint8Array | undefined {
    return this.#repository(repository)?.blobs.has(digest) ? this.#blobs.get(digest) : undefined;
  }

  /** Stores a blob whose digest the caller has checked. */
  putBlob(repository: string, digest: string, bytes: Uint8Array): void {
    this.#blobs.set(digest, bytes);
    this.#ensure(repository).blobs.add(digest);
  }

  /** Links a blob of `from` into `repository`; false when `from` does not hold it. */
  mountBlob(repository: string, from: string, digest: string): boolean {
    if (!this.#repository(from)?.blobs.has(digest)) return false;
    this.#ensure(repository).blobs.add(digest);
    return true;
  }

  /** Unlinks a blob from the repository; false when it was not there. */
  deleteBlob(repository: string, digest: string): boolean {
    return this.#repository(repository)?.blobs.delete(digest) ?? false;
  }

  /**
   * Validates and stores a manifest under a tag or a digest, and returns it.
   * Throws MANIFEST_INVALID, TAG_INVALID, DIGEST_INVALID or MANIFEST_BLOB_UNKNOWN.
   */
  putManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    contentType: string | undefined,
    options: PutManifestOptions = {},
  ): StoredManifest {
    const byDigest = reference.includes(':');
    if (byDigest && !isSupportedDigest(reference)) {
      throw new RegistryApiError(400, DistributionErrorCode.DigestInvalid, `${reference}: invalid digest`);
    }
    if (!byDigest && !TAG_PATTERN.test(reference)) {
      throw new RegistryApiError(400, DistributionErrorCode.TagInvalid, `${reference}: invalid tag`);
    }
    const parsed = parseManifest(bytes, contentType);
    const digest = digestOf(bytes, byDigest ? reference : 'sha256:');
    if (byDigest && digest !== reference) {
      throw new RegistryApiError(
        400,
        DistributionErrorCode.DigestInvalid,
        `${reference}: manifest digest does not match (content is ${digest})`,
        { detail: { digest: reference } },
      );
    }
    const repo = this.#repository(repository);
    if (options.verifyReferences ?? true) {
      const missing = (d: WireDescriptor, kind: string) =>
        new RegistryApiError(
          400,
          DistributionErrorCode.ManifestBlobUnknown,
          `${d.digest}: ${kind} not in ${repository}`,
          {
            detail: { digest: d.digest },
          },
        );
      for (const blob of parsed.blobs) {
        if (!repo?.blobs.has(blob.digest)) throw missing(blob, 'blob');
        if (this.#blobs.get(blob.digest)?.byteLength !== blob.size) {
          throw new RegistryApiError(
            400,
            DistributionErrorCode.ManifestInvalid,
            `${blob.digest}: size is not ${blob.size}`,
          );
        }
      }
      for (const child of parsed.manifests) {
        if (!repo?.manifests.has(child.digest)) throw missing(child, 'manifest');
      }
    }
    const stored: StoredManifest = { digest, mediaType: parsed.mediaType, bytes, parsed };
    const target = this.#ensure(repository);
    target.manifests.set(digest, stored);
    if (!byDigest) target.tags.set(reference, digest);
    return stored;
  }

  /** The manifest a tag or digest names, if any. */
  getManifest(repository: string, reference: string): StoredManifest | undefined {
    const repo = this.#repository(repository);
    if (!repo) return undefined;
    const digest = reference.includes(':') ? reference : repo.tags.get(reference);
    return digest === undefined ? undefined : repo.manifests.get(digest);
  }

  /** Deletes a manifest by digest, with every tag on it; false when it was not there. */
  deleteManifest(repository: string, digest: string): boolean {
    const repo = this.#repository(repository);
    if (!repo?.manifests.delete(digest)) return false;
    for (const [tag, target] of repo.tags) if (target === digest) repo.tags.delete(tag);
    return true;
  }

  /** Deletes a tag (the manifest stays); false when it was not there. */
  deleteTag(repository: string, tag: string): boolean {
    return this.#repository(repository)?.tags.delete(tag) ?? false;
  }

  /** The repository's tags in lexical order, or undefined when the repository is unknown. */
  tags(repository: string): string[] | undefined {
    const repo = this.#repository(repository);
    return repo ? [...repo.tags.keys()].sort() : undefined;
  }

  /** Every repository, in lexical order. */
  repositories(): string[] {
    return [...this.#repositories.keys()].sort();
  }

  /** Descriptors of the manifests whose `subject` is `digest`, in push order. */
  referrers(repository: string, digest: string): WireDescriptor[] {
    const repo = this.#repository(repository);
    if (!repo) return [];
    const result: WireDescriptor[] = [];
    for (const m of repo.manifests.values()) {
      if (m.parsed.subject?.digest !== digest) continue;
      result.push({
        mediaType: m.mediaType,
        digest: m.digest,
        size: m.bytes.byteLength,
        ...(m.parsed.artifactType === undefined ? {} : { artifactType: m.parsed.artifactType }),
        ...(m.parsed.annotations === undefined ? {} : { annotations: m.parsed.annotations }),
      });
    }
    return result;
  }
}
