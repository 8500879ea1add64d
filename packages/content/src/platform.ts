/**
 * Choosing the manifest of a platform: from an index, or checking a manifest's config.
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md#platform-variants
 */
import {
  type Descriptor,
  InvalidManifestError,
  MediaType,
  NotFoundError,
  type Platform,
  UnsupportedError,
  matchPlatform,
} from '@oras/spec';
import type { Fetcher, OperationOptions } from './interfaces.js';
import { fetchAll } from './stream.js';

/** Options of {@link selectPlatform}. */
export interface SelectPlatformOptions extends OperationOptions {
  /** The most bytes of a manifest, index or config to read (default 4 MiB). */
  readonly maxBytes?: number | undefined;
}

/** Whether `got` (a descriptor's platform or an image config) satisfies `want`; see `matchPlatform`. */
function matches(want: Platform, got: Partial<Platform> | undefined): boolean {
  if (got === undefined || typeof got.os !== 'string' || typeof got.architecture !== 'string') return false;
  return matchPlatform(want, got as Platform);
}

function parseObject(bytes: Uint8Array, desc: Descriptor): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes));
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch (err) {
    throw new InvalidManifestError(`${desc.digest}: ${desc.mediaType}: invalid json`, { cause: err });
  }
  throw new InvalidManifestError(`${desc.digest}: ${desc.mediaType}: expected a json object`);
}

/**
 * Returns the manifest of `root` for `platform`: the first matching entry of an index (or Docker
 * manifest list), or `root` itself when it is a manifest whose config declares a matching
 * platform. Rejects with `NotFoundError` when nothing matches and `UnsupportedError` for other
 * media types.
 */
export async function selectPlatform(
  fetcher: Fetcher,
  root: Descriptor,
  platform: Platform,
  options: SelectPlatformOptions = {},
): Promise<Descriptor> {
  switch (root.mediaType) {
    case MediaType.ImageIndex:
    case MediaType.DockerManifestList: {
      const index = parseObject(await fetchAll(fetcher, root, options), root);
      const manifests = Array.isArray(index.manifests) ? (index.manifests as Descriptor[]) : [];
      const found = manifests.find((m) => matches(platform, m.platform));
      if (found === undefined) {
        throw new NotFoundError(
          `${root.digest}: ${root.mediaType}: no manifest for platform ${describe(platform)}`,
        );
      }
      return found;
    }
    case MediaType.ImageManifest:
    case MediaType.DockerManifest: {
      const manifest = parseObject(await fetchAll(fetcher, root, options), root);
      const config = manifest.config as Descriptor | undefined;
      if (config === undefined || typeof config !== 'object') {
        throw new InvalidManifestError(`${root.digest}: ${root.mediaType}: missing config`);
      }
      if (config.mediaType !== MediaType.ImageConfig && config.mediaType !== MediaType.DockerConfig) {
        throw new NotFoundError(
          `${root.digest}: ${root.mediaType}: config ${config.mediaType} has no platform`,
        );
      }
      const got = parseObject(await fetchAll(fetcher, config, options), config) as Partial<Platform>;
      if (!matches(platform, got)) {
        throw new NotFoundError(
          `${root.digest}: ${root.mediaType}: platform does not match ${describe(platform)}`,
        );
      }
      return root;
    }
    default:
      throw new UnsupportedError(
        `${root.digest}: ${root.mediaType}: cannot select a platform of this media type`,
      );
  }
}

function describe(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');
}
