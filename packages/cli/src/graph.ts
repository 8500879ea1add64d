/**
 * Small graph helpers the commands share: resolving a reference to one platform of an index, and
 * listing the referrers of a manifest in a registry (referrers API or tag schema) or any other
 * target with predecessors (an OCI layout).
 *
 * These belong in `@oras/content` (oras-go has `oras.Resolve` with `TargetPlatform` and
 * `registry.Referrers`); they live here until it exports them.
 */
import { describeReferrer, fetchAll, isPredecessorFinder, type ReadOnlyTarget } from '@oras/content';
import {
  type Descriptor,
  type ImageConfig,
  type Index,
  type Manifest,
  MediaType,
  matchPlatform,
  NotFoundError,
  type Platform,
  formatPlatform,
} from '@oras/spec';

function isIndex(desc: Descriptor): boolean {
  return desc.mediaType === MediaType.ImageIndex || desc.mediaType === MediaType.DockerManifestList;
}

function isImageManifest(desc: Descriptor): boolean {
  return desc.mediaType === MediaType.ImageManifest || desc.mediaType === MediaType.DockerManifest;
}

/**
 * Resolves `reference`; with a platform, an index resolves to its first manifest for that platform
 * and a manifest must carry that platform in its config.
 */
export async function resolvePlatform(
  target: ReadOnlyTarget,
  reference: string,
  platform?: Platform,
): Promise<Descriptor> {
  const desc = await target.resolve(reference);
  if (!platform) return desc;
  return selectPlatform(target, desc, platform, reference);
}

/** The manifest for `platform` under `desc` (an index or a manifest). */
export async function selectPlatform(
  target: ReadOnlyTarget,
  desc: Descriptor,
  platform: Platform,
  reference = desc.digest,
): Promise<Descriptor> {
  if (isIndex(desc)) {
    const index = JSON.parse(Buffer.from(await fetchAll(target, desc)).toString('utf8')) as Index;
    const found = index.manifests.find((m) => matchPlatform(platform, m.platform));
    if (found) return found;
  } else if (isImageManifest(desc)) {
    const manifest = JSON.parse(Buffer.from(await fetchAll(target, desc)).toString('utf8')) as Manifest;
    if (manifest.config.mediaType === MediaType.ImageConfig) {
      const config = JSON.parse(
        Buffer.from(await fetchAll(target, manifest.config)).toString('utf8'),
      ) as ImageConfig;
      const got: Platform = {
        os: config.os,
        architecture: config.architecture,
        ...(config.variant ? { variant: config.variant } : {}),
        ...(config['os.version'] ? { 'os.version': config['os.version'] } : {}),
      };
      if (matchPlatform(platform, got)) return desc;
    }
  }
  throw new NotFoundError(
    `${reference}: no matching manifest was found in the manifest list for platform ${formatPlatform(platform)}`,
  );
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
