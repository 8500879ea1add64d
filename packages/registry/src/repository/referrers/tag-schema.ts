/**
 * The referrers tag schema, for registries without the referrers API: the referrers of a subject
 * are kept in an image index tagged `<alg>-<hex>`, which the client reads, and changes (adds or
 * removes one referrer) by pushing a new index under the tag and deleting the old one.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
 */
import type { OperationOptions } from '@oras/content';
import {
  type Descriptor,
  digestOf,
  type Index,
  MediaType,
  NotFoundError,
  parseDigest,
  serializeIndex,
} from '@oras/spec';
import type { RepositoryContext } from '../context.js';
import { getManifest, pushManifest } from '../manifests.js';
import { parseIndexLoose } from './documents.js';

/**
 * The tag of the tag-schema referrers index of a subject: `<alg>-<hex>`, cut to 128 characters.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
 */
export function referrersTag(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `${algorithm}-${encoded}`.slice(0, 128);
}

/**
 * Fetches the tag-schema referrers index of `subject`. A registry that answers the tag with the
 * subject itself (GitLab) or with something that is not an index is treated as having none.
 */
export async function fetchReferrersIndex(
  ctx: RepositoryContext,
  subject: Descriptor,
  options: OperationOptions,
): Promise<{ index?: Index; descriptor?: Descriptor }> {
  const tag = referrersTag(subject.digest);
  let got: { bytes: Uint8Array; mediaType: string };
  try {
    got = await getManifest(ctx, tag, MediaType.ImageIndex, options);
  } catch (err) {
    if (NotFoundError.is(err)) return {};
    throw err;
  }
  const digest = digestOf(got.bytes);
  if (digest === subject.digest || got.mediaType !== MediaType.ImageIndex) return {};
  let index: Index;
  try {
    index = parseIndexLoose(got.bytes, `referrers index ${tag}`);
  } catch {
    return {};
  }
  return { index, descriptor: { mediaType: MediaType.ImageIndex, digest, size: got.bytes.byteLength } };
}

/** Adds a referrer to, or removes one from, the tag-schema index of `subject`. */
export async function updateReferrersIndex(
  ctx: RepositoryContext,
  subject: Descriptor,
  change: { add?: Descriptor; remove?: Descriptor },
  options: OperationOptions,
): Promise<void> {
  const { index, descriptor: old } = await fetchReferrersIndex(ctx, subject, options);
  const current = index?.manifests ?? [];
  let next = current;
  if (change.add) {
    const add = change.add;
    if (current.some((d) => d.digest === add.digest)) return;
    next = [...current, add];
  }
  if (change.remove) {
    const remove = change.remove;
    next = current.filter((d) => d.digest !== remove.digest);
    if (next.length === current.length) return;
  }
  // An empty list is pushed too when the old index will not be deleted (skipReferrersGc), or the
  // stale index would go on listing a deleted referrer (as oras-go does).
  if (next.length > 0 || ctx.options.skipReferrersGc) {
    const bytes = serializeIndex({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: next });
    const desc: Descriptor = {
      mediaType: MediaType.ImageIndex,
      digest: digestOf(bytes),
      size: bytes.byteLength,
    };
    await pushManifest(ctx, desc, bytes, referrersTag(subject.digest), options);
  }
  if (old && !ctx.options.skipReferrersGc) {
    try {
      await ctx.delete('manifests', old, options);
    } catch (err) {
      if (!NotFoundError.is(err)) throw err;
    }
  }
}
