/**
 * Packing: build an image manifest around layers and push it, the way oras-go's `PackManifest`
 * does for image-spec v1.1 (artifact type, empty config, subject) and v1.0 (the artifact type as
 * the config media type).
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage
 */
import {
  AlreadyExistsError,
  Annotation,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  InvalidArgumentError,
  InvalidMediaTypeError,
  type Manifest,
  MediaType,
  UnsupportedError,
  emptyJsonBytes,
  isValidMediaType,
  serializeManifest,
} from '@oras/spec';
import { type OperationOptions, type Pusher, isReadOnlyStorage } from './interfaces.js';
import { descriptorOf } from './stream.js';

/** The image-spec versions {@link packManifest} writes. */
export const PackManifestVersion = {
  /** image-spec v1.0: the artifact type is the config media type; no subject. */
  V1_0: '1.0',
  /** image-spec v1.1: `artifactType`, the empty config, an empty layer when there are none, `subject`. */
  V1_1: '1.1',
} as const;

/** One of the {@link PackManifestVersion} values. */
export type PackManifestVersion = (typeof PackManifestVersion)[keyof typeof PackManifestVersion];

/** Options of {@link packManifest}. */
export interface PackManifestOptions extends OperationOptions {
  /** The layers, in order (already pushed). */
  readonly layers?: readonly Descriptor[] | undefined;
  /** The manifest this one refers to (v1.1 only). */
  readonly subject?: Descriptor | undefined;
  /** Annotations of the manifest. `org.opencontainers.image.created` is validated, or set when absent. */
  readonly manifestAnnotations?: Readonly<Record<string, string>> | undefined;
  /** A config already pushed; replaces the generated one (and `configAnnotations` is then ignored). */
  readonly configDescriptor?: Descriptor | undefined;
  /** Annotations of the generated config descriptor. */
  readonly configAnnotations?: Readonly<Record<string, string>> | undefined;
  /**
   * The time written as `org.opencontainers.image.created` when the annotations have none
   * (default: now). Give a fixed time (e.g. from `SOURCE_DATE_EPOCH`) for reproducible digests.
   */
  readonly created?: Date | undefined;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/** Whether `value` is an RFC 3339 date-time, as Go's `time.Parse(time.RFC3339, ...)` accepts. */
export function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return true;
}

/** Formats a time as Go's `time.Now().UTC().Format(time.RFC3339)` does: whole seconds, `Z`. */
export function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function ensureCreated(
  annotations: Readonly<Record<string, string>> | undefined,
  created: Date | undefined,
): Record<string, string> {
  const value = annotations?.[Annotation.Created];
  if (value !== undefined) {
    if (!isRfc3339(value)) {
      throw new InvalidArgumentError(
        `${Annotation.Created}: invalid date and time format ${JSON.stringify(value)}: expected RFC 3339`,
      );
    }
    return { ...annotations };
  }
  const when = created ?? new Date();
  if (Number.isNaN(when.getTime())) throw new InvalidArgumentError(`${Annotation.Created}: invalid date`);
  return { ...annotations, [Annotation.Created]: formatRfc3339(when) };
}

/**
 * Refuses a media type that is not one ({@link isValidMediaType}), in oras-go's words: `what` is
 * `artifactType` or `config mediaType`.
 */
function checkMediaType(what: 'artifactType' | 'config mediaType', mediaType: string): void {
  if (!isValidMediaType(mediaType)) {
    throw new InvalidMediaTypeError(`invalid ${what} format: ${mediaType}: invalid media type`);
  }
}

async function pushIfNotExist(
  pusher: Pusher,
  desc: Descriptor,
  bytes: Uint8Array,
  options: OperationOptions,
): Promise<void> {
  if (isReadOnlyStorage(pusher) && (await pusher.exists(desc, options))) return;
  try {
    await pusher.push(desc, bytes, options);
  } catch (err) {
    if (!AlreadyExistsError.is(err)) throw err;
  }
}

async function pushManifest(
  pusher: Pusher,
  manifest: Manifest,
  artifactType: string | undefined,
  options: OperationOptions,
): Promise<Descriptor> {
  const bytes = serializeManifest(manifest);
  const desc = descriptorOf(MediaType.ImageManifest, bytes);
  if (artifactType !== undefined && artifactType !== '') desc.artifactType = artifactType;
  if (manifest.annotations !== undefined) desc.annotations = { ...manifest.annotations };
  try {
    await pusher.push(desc, bytes, options);
  } catch (err) {
    if (!AlreadyExistsError.is(err)) throw err;
  }
  return desc;
}

/**
 * Builds an image manifest and pushes it (with the config it generates) to `pusher`; returns the
 * manifest's descriptor carrying its `artifactType` and annotations. The manifest is serialised
 * canonically, so the same inputs (and `created`) give the same digest as oras.
 *
 * - v1.1: `artifactType` is required unless `configDescriptor` has a media type other than the
 *   empty one, and must be a valid media type. The config is the empty descriptor (`{}`), pushed
 *   when missing; with no layers, the empty descriptor is the single layer. `subject` is allowed.
 * - v1.0: the config is `{}` with `artifactType` (or `application/vnd.unknown.config.v1+json`)
 *   as its media type; `subject` is refused with `UnsupportedError`; no layers give `layers: []`.
 *   A given `configDescriptor` replaces that config, and `artifactType` is then ignored.
 *
 * The artifact type and the config's media type must match the image-spec schema's media type
 * pattern, as oras-go checks them (`MEDIA_TYPE_PATTERN` of `@oras/spec`: `test/attach` and
 * `a/b/c` pass, `test.attach` does not); otherwise `InvalidMediaTypeError`, worded as oras-go's
 * (`invalid artifactType format: test.attach: invalid media type`), before anything is pushed.
 * Layer media types are not checked, as in oras-go.
 */
export async function packManifest(
  pusher: Pusher,
  version: PackManifestVersion,
  artifactType: string,
  options: PackManifestOptions = {},
): Promise<Descriptor> {
  switch (version) {
    case PackManifestVersion.V1_1:
      return packV11(pusher, artifactType, options);
    case PackManifestVersion.V1_0:
      return packV10(pusher, artifactType, options);
    default:
      throw new UnsupportedError(`pack: manifest version ${JSON.stringify(version)}: unsupported`);
  }
}

async function packV11(
  pusher: Pusher,
  artifactType: string,
  options: PackManifestOptions,
): Promise<Descriptor> {
  const config = options.configDescriptor;
  if (artifactType === '' && (config === undefined || config.mediaType === MediaType.Empty)) {
    throw new InvalidArgumentError('pack: missing artifact type: required when the config is empty');
  }
  if (artifactType !== '') checkMediaType('artifactType', artifactType);
  let configDesc: Descriptor;
  if (config !== undefined) {
    checkMediaType('config mediaType', config.mediaType);
    configDesc = config;
  } else {
    configDesc = { ...EMPTY_DESCRIPTOR };
    if (options.configAnnotations !== undefined) configDesc.annotations = { ...options.configAnnotations };
    await pushIfNotExist(pusher, configDesc, emptyJsonBytes(), options);
  }
  let layers = options.layers === undefined ? [] : [...options.layers];
  if (layers.length === 0) {
    if (config !== undefined) await pushIfNotExist(pusher, EMPTY_DESCRIPTOR, emptyJsonBytes(), options);
    layers = [{ ...EMPTY_DESCRIPTOR }];
  }
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    config: configDesc,
    layers,
    annotations: ensureCreated(options.manifestAnnotations, options.created),
  };
  if (artifactType !== '') manifest.artifactType = artifactType;
  if (options.subject !== undefined) manifest.subject = options.subject;
  return pushManifest(pusher, manifest, artifactType, options);
}

async function packV10(
  pusher: Pusher,
  artifactType: string,
  options: PackManifestOptions,
): Promise<Descriptor> {
  if (options.subject !== undefined) {
    throw new UnsupportedError(
      `pack: subject is not supported for manifest version ${PackManifestVersion.V1_0}`,
    );
  }
  let configDesc: Descriptor;
  if (options.configDescriptor !== undefined) {
    // as oras-go: the artifact type is then ignored, and not checked
    checkMediaType('config mediaType', options.configDescriptor.mediaType);
    configDesc = options.configDescriptor;
  } else {
    const configMediaType = artifactType === '' ? MediaType.UnknownConfig : artifactType;
    checkMediaType('artifactType', configMediaType);
    // `{}` rather than an empty blob: some registries (GAR, oras-go#294) refuse empty blobs.
    const bytes = emptyJsonBytes();
    configDesc = descriptorOf(configMediaType, bytes);
    if (options.configAnnotations !== undefined) configDesc.annotations = { ...options.configAnnotations };
    await pushIfNotExist(pusher, configDesc, bytes, options);
  }
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    config: configDesc,
    layers: options.layers === undefined ? [] : [...options.layers],
    annotations: ensureCreated(options.manifestAnnotations, options.created),
  };
  return pushManifest(pusher, manifest, configDesc.mediaType, options);
}
