/**
 * Manifests as the commands fetch and push them: by tag or digest, capped, for one platform; pushed
 * under a tag in one request where the target can, then tagged with the others.
 */
import { fetchAll, fetchBytes, isReferenceFetcher, type ReadOnlyTarget } from '@oras/content';
import { RemoteRepository } from '@oras/registry';
import { type Descriptor, isDigest, NotFoundError, type Platform } from '@oras/spec';
import { CliError } from './errors.js';
import { resolvePlatform } from './graph.js';

/** The most bytes of a manifest read from a file or stdin (4 MiB, as oras). */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Fetches a manifest by tag or digest, verified and capped at 4 MiB, as oras's `FetchBytes`: one
 * `GET` on a registry, or the manifest for `platform` when given.
 */
export async function fetchManifest(
  target: ReadOnlyTarget,
  reference: string,
  platform?: Platform,
): Promise<{ desc: Descriptor; bytes: Uint8Array }> {
  if (!platform && isReferenceFetcher(target)) {
    // the manifest as the registry's one GET read it (no web stream), checked and capped
    const { descriptor, bytes } = await fetchBytes(target, reference, {
      maxBytes: DEFAULT_MAX_MANIFEST_BYTES,
    });
    return { desc: descriptor, bytes };
  }
  const desc = await resolvePlatform(target, reference, platform);
  return { desc, bytes: await fetchAll(target, desc, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES }) };
}

/** The store manifests are pushed to: the manifest store of a repository, or a layout. */
export interface ManifestTarget {
  resolve(reference: string): Promise<Descriptor>;
  exists(desc: Descriptor): Promise<boolean>;
  push(desc: Descriptor, content: Uint8Array): Promise<void>;
  tag(desc: Descriptor, reference: string): Promise<void>;
  pushReference?(desc: Descriptor, content: Uint8Array, reference: string): Promise<void>;
}

/** The manifest store of a target: `manifests()` of a repository, so any media type is a manifest. */
export function manifestTarget(target: object): ManifestTarget {
  return target instanceof RemoteRepository ? target.manifests() : (target as unknown as ManifestTarget);
}

/** Whether `reference` already names a manifest with `digest` (oras's "Exists"). */
export async function alreadyThere(
  store: ManifestTarget,
  reference: string,
  digest: string,
): Promise<boolean> {
  try {
    return (await store.resolve(reference)).digest === digest;
  } catch (error) {
    if (NotFoundError.is(error)) return false;
    throw error;
  }
}

/** Pushes a manifest under a tag (one `PUT` on a registry) or by its digest. */
export async function pushManifestAs(
  store: ManifestTarget,
  desc: Descriptor,
  bytes: Uint8Array,
  reference: string,
): Promise<void> {
  if (isDigest(reference)) {
    if (reference !== desc.digest) throw new CliError(`${reference}: the manifest has digest ${desc.digest}`);
    await store.push(desc, bytes);
    return;
  }
  if (store.pushReference) {
    await store.pushReference(desc, bytes, reference);
    return;
  }
  if (!(await store.exists(desc))) await store.push(desc, bytes);
  await store.tag(desc, reference);
}

/** Tags `desc` with each tag, `concurrency` at a time, reporting each when done. */
export async function tagAll(
  store: ManifestTarget,
  desc: Descriptor,
  tags: readonly string[],
  concurrency: number,
  onTagged: (tag: string) => void,
): Promise<void> {
  const queue = [...tags];
  const worker = async () => {
    for (let tag = queue.shift(); tag !== undefined; tag = queue.shift()) {
      await store.tag(desc, tag);
      onTagged(tag);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
}
