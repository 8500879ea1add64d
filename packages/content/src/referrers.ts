/**
 * Listing the referrers of a manifest: the manifests and indexes whose `subject` is it.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md#image-manifest-property-descriptions
 */
import { type Descriptor, MediaType } from '@oras/spec';
import type { OperationOptions, ReadOnlyGraphStorage } from './interfaces.js';
import { fetchAll } from './stream.js';
import { describeReferrer, parseJson } from './successors.js';

/** Options of {@link findReferrers}. */
export interface FindReferrersOptions extends OperationOptions {
  /** Only referrers of this artifact type (compared exactly; all when absent or empty). */
  readonly artifactType?: string | undefined;
  /** The most bytes of a predecessor manifest or index to read (default 4 MiB). */
  readonly maxBytes?: number | undefined;
}

/**
 * A store that lists referrers itself, page by page (a registry repository, through the referrers
 * API or the tag schema): the shape of `@oras/registry`'s `ReferrerLister`.
 */
interface PagedReferrerLister {
  referrers(
    subject: Descriptor,
    options?: { readonly artifactType?: string; readonly signal?: AbortSignal },
  ): AsyncIterable<Descriptor[]>;
}

function isPagedReferrerLister(value: unknown): value is PagedReferrerLister {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).referrers === 'function'
  );
}

/**
 * Returns the referrers of `subject` in `target`, all of them in one array, each described as the
 * referrers API lists it (media type, digest, size, `artifactType`, annotations), optionally only
 * those of one artifact type. The counterpart of oras-go's `registry.Referrers`. (A registry
 * repository's own `referrers()` method yields pages instead; this reads them all.)
 *
 * A target with its own `referrers(subject, { artifactType })` (a registry repository) is asked
 * for its pages, which are filtered by artifact type again: a registry may ignore the filter.
 * Any other target (an OCI layout, a memory or file store) is asked for the predecessors of
 * `subject`, of which only image manifests and indexes whose `subject` has the same digest count:
 * an index that merely lists `subject` among its manifests is not a referrer.
 *
 * Rejects with `InvalidManifestError` when a predecessor does not parse, and with the target's
 * errors (`NotFoundError`, `ResponseError` ...) otherwise.
 */
export async function findReferrers(
  target: ReadOnlyGraphStorage,
  subject: Descriptor,
  options: FindReferrersOptions = {},
): Promise<Descriptor[]> {
  const { artifactType, signal } = options;
  const wanted = (desc: Descriptor) => !artifactType || desc.artifactType === artifactType;
  const out: Descriptor[] = [];
  if (isPagedReferrerLister(target)) {
    const listOptions = {
      ...(artifactType ? { artifactType } : {}),
      ...(signal !== undefined ? { signal } : {}),
    };
    for await (const page of target.referrers(subject, listOptions)) {
      for (const desc of page) if (wanted(desc)) out.push(desc);
    }
    return out;
  }
  for (const pred of await target.predecessors(subject, { signal })) {
    if (pred.mediaType !== MediaType.ImageManifest && pred.mediaType !== MediaType.ImageIndex) continue;
    const bytes = await fetchAll(target, pred, { maxBytes: options.maxBytes, signal });
    const link = parseJson(pred, bytes).subject as { digest?: unknown } | null | undefined;
    if (typeof link !== 'object' || link === null || link.digest !== subject.digest) continue;
    const desc = describeReferrer(pred, bytes);
    if (wanted(desc)) out.push(desc);
  }
  return out;
}

/**
 * The former name of {@link findReferrers}.
 * @deprecated Use {@link findReferrers}: `referrers` is the paged method of a registry
 * repository (`AsyncIterable<Descriptor[]>`), while this returns one array. Kept so code written
 * against the old name still builds; it will be removed.
 */
export const referrers: typeof findReferrers = findReferrers;
