/**
 * Listing the referrers of a subject: from the referrers API when the registry has it (found out
 * on the first request, or forced by `referrersCapability`), else from the tag-schema index.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
import { type Descriptor, parseDigest } from '@oras/spec';
import type { ReferrersOptions } from '../../interfaces.js';
import type { RepositoryContext } from '../context.js';
import { referrersFromApi } from './api.js';
import { filterByArtifactType } from './documents.js';
import { fetchReferrersIndex } from './tag-schema.js';

/**
 * Yields the referrers of `subject` in pages: from the referrers API, filtered by artifact type,
 * following `Link` pages; or, when the registry has no referrers API, from the tag-schema index
 * `<alg>-<hex>` (one page).
 */
export async function* listReferrers(
  ctx: RepositoryContext,
  subject: Descriptor,
  options: ReferrersOptions,
): AsyncGenerator<Descriptor[]> {
  parseDigest(subject.digest);
  if (ctx.referrersCapability !== false) {
    yield* referrersFromApi(ctx, subject, options);
    if (ctx.referrersCapability === true) return;
  }
  const { index } = await fetchReferrersIndex(ctx, subject, options);
  yield filterByArtifactType(index?.manifests ?? [], options.artifactType);
}
