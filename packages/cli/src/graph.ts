/**
 * Small graph helpers the commands share: resolving a reference to one platform of an index, and
 * copying a manifest together with its referrers (`oras cp -r`, `oras backup`, `oras restore`).
 */
import {
  type CopyGraphOptions,
  extendedCopyGraph,
  fetchAll,
  type ReadOnlyGraphStorage,
  type ReadOnlyTarget,
  referrers,
  type Storage,
  selectPlatform,
} from '@oras/content';
import { type Descriptor, isIndexMediaType, parseIndex, type Platform } from '@oras/spec';

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

/** Only the referrers of a node (manifests whose `subject` is it), not the indexes that list it. */
function referrersOf(src: ReadOnlyGraphStorage, desc: Descriptor): Promise<Descriptor[]> {
  return referrers(src, desc);
}

/**
 * Copies `root` with all its referrers, recursively, and for an index the referrers of its
 * manifests too (oras#816).
 */
export async function copyWithReferrers(
  src: ReadOnlyGraphStorage,
  dst: Storage,
  root: Descriptor,
  options: CopyGraphOptions,
): Promise<void> {
  const extended = { ...options, findPredecessors: referrersOf };
  await extendedCopyGraph(src, dst, root, extended);
  if (!isIndexMediaType(root.mediaType)) return;
  const index = parseIndex(await fetchAll(src, root));
  for (const child of index.manifests) await extendedCopyGraph(src, dst, child, extended);
}

/** Counts the referrers of `root`, recursively, and for an index those of its manifests. */
export async function countReferrers(target: ReadOnlyGraphStorage, root: Descriptor): Promise<number> {
  const seen = new Set<string>();
  const walk = async (node: Descriptor): Promise<void> => {
    for (const r of await referrers(target, node)) {
      if (seen.has(r.digest)) continue;
      seen.add(r.digest);
      await walk(r);
    }
  };
  await walk(root);
  if (isIndexMediaType(root.mediaType)) {
    for (const child of parseIndex(await fetchAll(target, root)).manifests) await walk(child);
  }
  return seen.size;
}
