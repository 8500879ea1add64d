/** Helpers shared by the stores. @internal */
import { type Descriptor, isDigest } from '@oras/spec';

/** How many tags a page of a local store's tag list holds. */
export const TAG_PAGE_SIZE = 100;

/** Yields `tags` sorted lexically in pages, starting after `last` when given. */
export async function* tagPages(tags: Iterable<string>, last?: string): AsyncIterable<string[]> {
  const sorted = [...tags].sort(compareStrings).filter((tag) => last === undefined || tag > last);
  for (let i = 0; i < sorted.length; i += TAG_PAGE_SIZE) yield sorted.slice(i, i + TAG_PAGE_SIZE);
}

/** Compares strings by UTF-16 code units, the order `Array.prototype.sort` uses. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a reference is a digest rather than a tag. */
export function isDigestReference(reference: string): boolean {
  return isDigest(reference);
}

/** A copy of `desc` with only the fields a store keeps (and no `data`). */
export function plainDescriptor(desc: Descriptor): Descriptor {
  const copy: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  if (desc.urls !== undefined) copy.urls = [...desc.urls];
  if (desc.annotations !== undefined) copy.annotations = { ...desc.annotations };
  if (desc.platform !== undefined) copy.platform = structuredClone(desc.platform);
  if (desc.artifactType !== undefined) copy.artifactType = desc.artifactType;
  return copy;
}
