/**
 * The documents of referrers: the `subject` a manifest names, the entry a referrer gets in a
 * list, and referrer lists (image indexes) parsed leniently and filtered by artifact type.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
import {
  type Descriptor,
  type Index,
  InvalidManifestError,
  isDigest,
  isIndexMediaType,
  isManifestMediaType,
  MediaType,
} from '@oras/spec';

/** The `subject` of a manifest or index, if it has one. */
export function subjectOf(bytes: Uint8Array, mediaType: string): Descriptor | undefined {
  if (!isManifestMediaType(mediaType) && !isIndexMediaType(mediaType)) return undefined;
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { subject?: Descriptor };
    const subject = doc.subject;
    if (subject && typeof subject.digest === 'string' && isDigest(subject.digest)) return subject;
  } catch {
    // not JSON: no subject
  }
  return undefined;
}

/** The descriptor of a referrer as it appears in a referrers list. */
export function referrerOf(desc: Descriptor, bytes: Uint8Array): Descriptor {
  const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
    artifactType?: string;
    config?: { mediaType?: string };
    annotations?: Record<string, string>;
  };
  const artifactType = doc.artifactType ?? doc.config?.mediaType;
  return {
    mediaType: desc.mediaType,
    digest: desc.digest,
    size: desc.size,
    ...(artifactType ? { artifactType } : {}),
    ...(doc.annotations ? { annotations: doc.annotations } : {}),
  };
}

/** An image index of referrers, read for its `manifests` only (`what` names it in errors). */
export function parseIndexLoose(bytes: Uint8Array, what: string): Index {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new InvalidManifestError(`${what}: not JSON`, { cause: err });
  }
  const manifests = (doc as { manifests?: unknown })?.manifests ?? [];
  if (!Array.isArray(manifests)) throw new InvalidManifestError(`${what}: manifests is not a list`);
  return { schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: manifests as Descriptor[] };
}

/** The referrers of one artifact type, or all when none is given. */
export function filterByArtifactType(list: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType ? list.filter((d) => d.artifactType === artifactType) : list;
}
