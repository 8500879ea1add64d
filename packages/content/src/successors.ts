/**
 * Graph walking: the successors of a manifest or index (the nodes it points at).
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md
 */
import { type Descriptor, InvalidManifestError, MediaType } from '@oras/spec';
import type { Fetcher, OperationOptions } from './interfaces.js';
import { fetchAll } from './stream.js';

/** Options of {@link successors}. */
export interface SuccessorsOptions extends OperationOptions {
  /** The most bytes of a manifest or index to read (default 4 MiB). */
  readonly maxBytes?: number | undefined;
}

/** Whether `desc` names a document that has successors (a manifest, an index, an artifact manifest). */
export function hasSuccessors(desc: Descriptor): boolean {
  switch (desc.mediaType) {
    case MediaType.ImageManifest:
    case MediaType.DockerManifest:
    case MediaType.ImageIndex:
    case MediaType.DockerManifestList:
    case MediaType.ArtifactManifest:
      return true;
    default:
      return false;
  }
}

/**
 * Parses a manifest or index as a JSON object; throws `InvalidManifestError` (naming `desc`) for
 * anything else. Internal to the package: not exported from its index.
 */
export function parseJson(desc: Descriptor, bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new InvalidManifestError(`${desc.digest}: ${desc.mediaType}: invalid json`, { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidManifestError(`${desc.digest}: ${desc.mediaType}: expected a json object`);
  }
  return value as Record<string, unknown>;
}

function checkDescriptor(owner: Descriptor, field: string, value: unknown): Descriptor {
  const d = value as Record<string, unknown> | null;
  if (
    d === null ||
    typeof d !== 'object' ||
    typeof d.mediaType !== 'string' ||
    typeof d.digest !== 'string' ||
    typeof d.size !== 'number' ||
    !Number.isSafeInteger(d.size) ||
    d.size < 0
  ) {
    throw new InvalidManifestError(`${owner.digest}: ${owner.mediaType}: ${field}: invalid descriptor`);
  }
  return value as Descriptor;
}

function descriptorList(owner: Descriptor, doc: Record<string, unknown>, field: string): Descriptor[] {
  const list = doc[field];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list))
    throw new InvalidManifestError(`${owner.digest}: ${owner.mediaType}: ${field}: expected an array`);
  return list.map((item, i) => checkDescriptor(owner, `${field}[${i}]`, item));
}

/**
 * The successors of a document given its bytes, in oras-go's order: for a manifest the subject,
 * the config and the layers; for an index the subject and the manifests; for the withdrawn artifact
 * manifest the subject and the blobs. Other media types have none. Throws `InvalidManifestError`
 * for a document that does not parse.
 */
export function successorsOf(desc: Descriptor, bytes: Uint8Array): Descriptor[] {
  if (!hasSuccessors(desc)) return [];
  const doc = parseJson(desc, bytes);
  const nodes: Descriptor[] = [];
  if (doc.subject !== undefined && doc.subject !== null)
    nodes.push(checkDescriptor(desc, 'subject', doc.subject));
  switch (desc.mediaType) {
    case MediaType.ImageManifest:
    case MediaType.DockerManifest:
      nodes.push(checkDescriptor(desc, 'config', doc.config));
      nodes.push(...descriptorList(desc, doc, 'layers'));
      break;
    case MediaType.ImageIndex:
    case MediaType.DockerManifestList:
      nodes.push(...descriptorList(desc, doc, 'manifests'));
      break;
    default:
      nodes.push(...descriptorList(desc, doc, 'blobs'));
  }
  return nodes;
}

/**
 * Fetches `desc` (when it is a manifest or an index) and returns its successors; see
 * {@link successorsOf}. Blobs have none and are not fetched.
 */
export async function successors(
  fetcher: Fetcher,
  desc: Descriptor,
  options: SuccessorsOptions = {},
): Promise<Descriptor[]> {
  if (!hasSuccessors(desc)) return [];
  const bytes = await fetchAll(fetcher, desc, options);
  return successorsOf(desc, bytes);
}

/**
 * Describes `manifest` as a predecessor, the way the referrers API lists it: its media type,
 * digest and size plus its `artifactType` (the config media type for an image manifest without
 * one) and its annotations. Returns `desc` unchanged when the bytes are not a manifest or index.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
export function describeReferrer(desc: Descriptor, bytes: Uint8Array): Descriptor {
  if (!hasSuccessors(desc)) return desc;
  const doc = parseJson(desc, bytes);
  const result: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  let artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined;
  if (artifactType === undefined && desc.mediaType === MediaType.ImageManifest) {
    const config = doc.config as Record<string, unknown> | undefined;
    if (config && typeof config.mediaType === 'string') artifactType = config.mediaType;
  }
  if (artifactType !== undefined) result.artifactType = artifactType;
  const annotations = doc.annotations;
  if (annotations !== null && typeof annotations === 'object' && !Array.isArray(annotations)) {
    result.annotations = { ...(annotations as Record<string, string>) };
  }
  return result;
}
