/**
 * The entries of an image index: each manifest's descriptor with its artifact type and, for an
 * image, the platform its config declares.
 */
import { fetchAll, type ReadOnlyTarget } from '@oras/content';
import {
  type Descriptor,
  ErrorCode,
  isManifestMediaType,
  MediaType,
  type Platform,
  SizeExceedsLimitError,
} from '@oras/spec';
import { CliError } from '../../../errors.js';
import { parseJsonObject } from '../../../json.js';
import { fetchManifest } from '../../../manifests.js';
import { tagOrDigestProblem } from '../../../reference-errors.js';

/** The largest config read for its platform (oras: 4 MiB). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * The platform an image manifest's config declares, or `undefined` for a config that is not a
 * platform (an artifact config). Configs of 4 MiB or more are refused, as oras does.
 */
export async function platformOfConfig(
  target: ReadOnlyTarget,
  config: Descriptor,
): Promise<Platform | undefined> {
  if (config.size >= MAX_CONFIG_BYTES) {
    throw new SizeExceedsLimitError(
      `config size ${config.size} exceeds the limit of ${MAX_CONFIG_BYTES} bytes`,
    );
  }
  const bytes = await fetchAll(target, config, { maxBytes: MAX_CONFIG_BYTES });
  let doc: Record<string, unknown>;
  try {
    doc = parseJsonObject(bytes, config.digest);
  } catch {
    return undefined;
  }
  const str = (k: string) => (typeof doc[k] === 'string' && doc[k] !== '' ? (doc[k] as string) : undefined);
  const os = str('os');
  const architecture = str('architecture');
  if (os === undefined && architecture === undefined) return undefined;
  const features = Array.isArray(doc['os.features'])
    ? (doc['os.features'] as unknown[]).filter((f) => typeof f === 'string')
    : [];
  return {
    architecture: architecture ?? '',
    os: os ?? '',
    ...(str('os.version') ? { 'os.version': str('os.version') as string } : {}),
    ...(features.length > 0 ? { 'os.features': features as string[] } : {}),
    ...(str('variant') ? { variant: str('variant') as string } : {}),
  };
}

/** The index entry for a manifest: its descriptor, its artifact type and, for an image, its platform. */
export async function indexEntry(target: ReadOnlyTarget, source: string): Promise<Descriptor> {
  let fetched: { desc: Descriptor; bytes: Uint8Array };
  try {
    fetched = await fetchManifest(target, source);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const malformed =
      code === ErrorCode.InvalidReference ||
      code === ErrorCode.InvalidDigest ||
      code === ErrorCode.Unsupported;
    const words = malformed ? tagOrDigestProblem(source) : undefined;
    throw new CliError(`could not find the manifest ${source}: ${words ?? (error as Error).message}`, {
      code: code ?? 'ORAS_ERR_NOT_FOUND',
      cause: error,
    });
  }
  const { desc, bytes } = fetched;
  if (!isManifestMediaType(desc.mediaType)) throw new CliError(`${source} is not a manifest`);
  const doc = parseJsonObject(bytes, source);
  const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  if (desc.mediaType === MediaType.ImageManifest || desc.mediaType === MediaType.DockerManifest) {
    const config = doc.config as Descriptor | undefined;
    if (config && typeof config.digest === 'string') {
      const platform = await platformOfConfig(target, config);
      if (platform) entry.platform = platform;
    }
  }
  if (typeof doc.artifactType === 'string' && doc.artifactType !== '') entry.artifactType = doc.artifactType;
  return entry;
}
