/**
 * Small graph helpers the commands share: resolving a reference to one platform of an index, and
 * listing the referrers of a manifest in a registry (referrers API or tag schema) or any other
 * target with predecessors (an OCI layout).
 *
 * `listReferrers` belongs in a library (oras-go has `registry.Referrers`); it lives here until
 * one exports it.
 */
import {
  describeReferrer,
  fetchAll,
  isPredecessorFinder,
  type ReadOnlyTarget,
  selectPlatform,
} from '@oras/content';
import { type Descriptor, MediaType, type Platform } from '@oras/spec';

/**
 * Resolves `reference`; with a platform, an index resolves to its manifest for that platform and a
 * manifest must carry that platform in its config.
 */
export async function resolvePlatform(
  target: ReadOnlyTarget,
  reference: string,
  platform?: Platform,
): Promise<Descriptor> {
  const desc = await target.resolve(reference);
  return platform ? selectPlatform(target, desc, platform) : desc;
}

/** A target that lists referrers itself (a remote repository). */
interface ReferrerLister {
  referrers(subject: Descriptor, options?: { readonly artifactType?: string }): AsyncIterable<Descriptor[]>;
}

function isReferrerLister(value: unknown): value is ReferrerLister {
  return typeof (value as ReferrerLister).referrers === 'function';
}

/** The referrers of `subject`, optionally of one artifact type. */
export async function listReferrers(
  target: ReadOnlyTarget,
  subject: Descriptor,
  artifactType?: string,
): Promise<Descriptor[]> {
  const out: Descriptor[] = [];
  if (isReferrerLister(target)) {
    for await (const page of target.referrers(subject, artifactType ? { artifactType } : {})) {
      for (const d of page) if (!artifactType || d.artifactType === artifactType) out.push(d);
    }
    return out;
  }
  if (!isPredecessorFinder(target)) return out;
  for (const pred of await target.predecessors(subject)) {
    if (pred.mediaType !== MediaType.ImageManifest && pred.mediaType !== MediaType.ImageIndex) continue;
    const bytes = await fetchAll(target, pred);
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { subject?: Descriptor };
    if (doc.subject?.digest !== subject.digest) continue;
    const desc = describeReferrer(pred, bytes);
    if (!artifactType || desc.artifactType === artifactType) out.push(desc);
  }
  return out;
}
