/**
 * Pushing and deleting a manifest with a `subject` keeps the subject's referrers listable: a
 * registry with the referrers API does that itself (it says so with `OCI-Subject`, or a probe
 * finds the API); without it, the client updates the tag-schema index after the push or delete.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests-with-subject
 */
import type { ContentSource, OperationOptions } from '@oras/content';
import { type Descriptor, NotFoundError } from '@oras/spec';
import { header } from '../../http.js';
import type { RepositoryContext } from '../context.js';
import { fetchManifestBytes, pushManifest } from '../manifests.js';
import { probeReferrers } from './api.js';
import { referrerOf, subjectOf } from './documents.js';
import { updateReferrersIndex } from './tag-schema.js';

/**
 * Pushes a manifest under `ref` (its digest or a tag); when it has a `subject` and the registry
 * has no referrers API, adds it to the subject's tag-schema index.
 */
export async function pushManifestIndexed(
  ctx: RepositoryContext,
  expected: Descriptor,
  content: ContentSource,
  ref: string,
  options: OperationOptions,
): Promise<void> {
  const { bytes, res } = await pushManifest(ctx, expected, content, ref, options);
  if (ctx.referrersCapability === true) return;
  const subject = subjectOf(bytes, expected.mediaType);
  if (!subject) return;
  if (ctx.referrersCapability === undefined && header(res.headers, 'oci-subject') === subject.digest) {
    ctx.referrersCapability = true;
    return;
  }
  if (ctx.referrersCapability === undefined && (await probeReferrers(ctx, options))) return;
  await updateReferrersIndex(ctx, subject, { add: referrerOf(expected, bytes) }, options);
}

/**
 * Deletes a manifest; when it has a `subject` and the registry has no referrers API, removes it
 * from the subject's tag-schema index first. Rejects with `NotFoundError` when the manifest is
 * absent.
 *
 * Why the index first: a registry checks that every manifest an index lists exists (distribution
 * answers `MANIFEST_BLOB_UNKNOWN`), so were the manifest deleted first, any update of the index
 * made in between (another referrer pushed or deleted at the same time) would still list it and
 * be refused.
 */
export async function deleteManifestIndexed(
  ctx: RepositoryContext,
  target: Descriptor,
  options: OperationOptions,
): Promise<void> {
  let subject: Descriptor | undefined;
  if (ctx.referrersCapability !== true) {
    try {
      subject = subjectOf(await fetchManifestBytes(ctx, target, options), target.mediaType);
    } catch (err) {
      if (!NotFoundError.is(err)) throw err;
      throw new NotFoundError(`${ctx.host}/${ctx.name}@${target.digest}: ${target.mediaType}: not found`, {
        cause: err,
      });
    }
    if (subject && ctx.referrersCapability === undefined) await probeReferrers(ctx, options);
  }
  if (subject && ctx.referrersCapability === false) {
    await updateReferrersIndex(ctx, subject, { remove: target }, options);
  }
  await ctx.delete('manifests', target, options);
}
