import { createHash } from 'node:crypto';
import { DistributionErrorCode, RegistryApiError } from './errors.js';

/** A repository name (distribution-spec "Pulling manifests": `<name>`). */
export const NAME_PATTERN = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
/** A tag. */
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** The digests the registry can verify: sha256 and sha512, lower-case hex. */
const DIGEST_PATTERNS: Readonly<Record<string, RegExp>> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};
/** A media type (RFC 6838 names, as image-spec `descriptor.md` asks). */
const MEDIA_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** Manifest media types the registry stores. */
export const ManifestMediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

const INDEX_TYPES: ReadonlySet<string> = new Set([
  ManifestMediaType.OciIndex,
  ManifestMediaType.DockerManifestList,
]);
const MANIFEST_TYPES: ReadonlySet<string> = new Set([
  ManifestMediaType.OciManifest,
  ManifestMediaType.DockerManifest,
]);

/** Whether `digest` is a sha256 or sha512 digest this registry can verify. */
export function isSupportedDigest(digest: string): boolean {
  const colon = digest.indexOf(':');
  const pattern = DIGEST_PATTERNS[digest.slice(0, colon)];
  return colon > 0 && pattern !== undefined && pattern.test(digest.slice(colon + 1));
}

/** Throws DIGEST_INVALID unless `digest` is supported. */
export function requireDigest(digest: string): void {
  if (!isSupportedDigest(digest)) {
    throw new RegistryApiError(
      400,
      DistributionErrorCode.DigestInvalid,
      `${digest}: invalid or unsupported digest`,
      {
        detail: { digest },
      },
    );
  }
}

/** The digest of `bytes` with the algorithm of `like` (sha256 by default). */
export function digestOf(bytes: Uint8Array, like = 'sha256:'): string {
  const algorithm = like.slice(0, like.indexOf(':')) || 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** A descriptor as the registry reads it from a manifest. */
export interface WireDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What a validated manifest references. */
export interface ParsedManifest {
  readonly mediaType: string;
  /** Blobs (config and layers) of an image manifest, without non-distributable layers. */
  readonly blobs: readonly WireDescriptor[];
  /** Manifests of an index. */
  readonly manifests: readonly WireDescriptor[];
  readonly subject?: WireDescriptor;
  /** The artifact type the referrers API reports (`artifactType`, else the config media type). */
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

function invalid(message: string): RegistryApiError {
  return new RegistryApiError(400, DistributionErrorCode.ManifestInvalid, message);
}

function descriptor(value: unknown, where: string): WireDescriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${where}: descriptor is not an object`);
  }
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || !MEDIA_TYPE_PATTERN.test(d.mediaType)) {
    throw invalid(`${where}: invalid mediaType ${JSON.stringify(d.mediaType)}`);
  }
  if (typeof d.digest !== 'string' || !isSupportedDigest(d.digest)) {
    throw invalid(`${where}: invalid digest ${JSON.stringify(d.digest)}`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw invalid(`${where}: invalid size ${JSON.stringify(d.size)}`);
  }
  if (d.annotations !== undefined && !isStringMap(d.annotations)) {
    throw invalid(`${where}: annotations must map strings to strings`);
  }
  if (d.artifactType !== undefined && typeof d.artifactType !== 'string') {
    throw invalid(`${where}: artifactType must be a string`);
  }
  return d as unknown as WireDescriptor;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

/** Whether a layer is one the registry need not hold (non-distributable or foreign). */
function isNonDistributable(d: WireDescriptor): boolean {
  return (
    d.mediaType.startsWith('application/vnd.oci.image.layer.nondistributable.') ||
    d.mediaType.startsWith('application/vnd.docker.image.rootfs.foreign.')
  );
}

/**
 * Parses and checks a pushed manifest the way a strict registry does: valid JSON, schemaVersion 2,
 * the `Content-Type` a manifest type and equal to the body's `mediaType`, well-formed descriptors.
 * Throws MANIFEST_INVALID (400) otherwise.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  const mediaType = (contentType ?? '').split(';')[0]!.trim();
  if (!MANIFEST_TYPES.has(mediaType) && !INDEX_TYPES.has(mediaType)) {
    throw invalid(`content type ${JSON.stringify(contentType ?? '')}: not a manifest media type`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw invalid(`manifest: not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('manifest: not an object');
  const m = value as Record<string, unknown>;
  if (m.schemaVersion !== 2)
    throw invalid(`manifest: schemaVersion ${JSON.stringify(m.schemaVersion)} is not 2`);
  if (m.mediaType !== undefined && m.mediaType !== mediaType) {
    throw invalid(
      `manifest: mediaType ${JSON.stringify(m.mediaType)} does not match content type ${mediaType}`,
    );
  }
  if (m.annotations !== undefined && !isStringMap(m.annotations)) {
    throw invalid('manifest: annotations must map strings to strings');
  }
  if (m.artifactType !== undefined && typeof m.artifactType !== 'string') {
    throw invalid('manifest: artifactType must be a string');
  }
  const subject = m.subject === undefined ? undefined : descriptor(m.subject, 'subject');
  const annotations = m.annotations as Record<string, string> | undefined;
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(m.manifests)) throw invalid('index: manifests must be an array');
    const manifests = m.manifests.map((d, i) => descriptor(d, `manifests[${i}]`));
    return {
      mediaType,
      blobs: [],
      manifests,
      subject,
      artifactType: m.artifactType as string | undefined,
      annotations,
    };
  }
  const config = descriptor(m.config, 'config');
  if (!Array.isArray(m.layers)) throw invalid('manifest: layers must be an array');
  const layers = m.layers.map((d, i) => descriptor(d, `layers[${i}]`));
  return {
    mediaType,
    blobs: [config, ...layers.filter((l) => !isNonDistributable(l))],
    manifests: [],
    subject,
    artifactType: (m.artifactType as string | undefined) ?? config.mediaType,
    annotations,
  };
}
