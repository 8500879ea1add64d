/**
 * Validation of manifests, indexes and descriptors read from a registry, a layout or a user, with a
 * size cap so that no claimed size makes us read without bound.
 *
 * Why so strict about sizes and digests: a descriptor's size decides how much is read and its digest
 * becomes a URL path and a file path, so both are checked before anyone uses them.
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md
 */
import { digestOf, parseDigest } from './digest.js';
import { InvalidManifestError, SizeExceedsLimitError } from './errors.js';
import { isValidMediaType, MediaType } from './media-types.js';
import type { Descriptor, Index, Manifest } from './types.js';

/** The default cap on manifests, indexes and other metadata read into memory: 4 MiB. */
export const DEFAULT_MAX_METADATA_BYTES = 4 * 1024 * 1024;

/** Options for {@link parseManifest} and {@link parseIndex}. */
export interface ParseManifestOptions {
  /** The most bytes accepted; more throws {@link SizeExceedsLimitError}. Default 4 MiB. */
  readonly maxBytes?: number;
}

/** The media types {@link parseManifest} accepts in a manifest's `mediaType` field. */
const MANIFEST_TYPES: readonly string[] = [MediaType.ImageManifest, MediaType.DockerManifest];

/** The media types {@link parseIndex} accepts in an index's `mediaType` field. */
const INDEX_TYPES: readonly string[] = [MediaType.ImageIndex, MediaType.DockerManifestList];

/** Standard base64 with padding, as Go writes `[]byte`. */
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const MAX_SHOWN = 80;

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text);
}

/** A validation failure at `path` inside the document. */
class Problem extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    override readonly cause?: unknown,
  ) {
    super(`${path}: ${reason}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkOptionalString(value: Record<string, unknown>, key: string, path: string): void {
  if (value[key] !== undefined && typeof value[key] !== 'string') {
    throw new Problem(`${path}.${key}`, 'must be a string');
  }
}

function checkStringList(value: unknown, path: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Problem(path, 'must be an array of strings');
  }
}

function checkAnnotations(value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) throw new Problem(path, 'must be an object of strings');
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new Problem(`${path}[${show(key)}]`, 'must be a string');
  }
}

function checkMediaType(value: unknown, path: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string')
    throw new Problem(path, required ? 'missing media type' : 'must be a string');
  if (!isValidMediaType(value)) {
    throw new Problem(path, `invalid media type ${show(value)}: expected type/subtype (RFC 6838)`);
  }
}

function checkPlatform(value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) throw new Problem(path, 'must be an object');
  for (const key of ['architecture', 'os'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '') {
      throw new Problem(`${path}.${key}`, 'must be a non-empty string');
    }
  }
  checkOptionalString(value, 'os.version', path);
  checkOptionalString(value, 'variant', path);
  checkStringList(value['os.features'], `${path}.os.features`);
  checkStringList(value.features, `${path}.features`);
}

function checkDescriptor(value: unknown, path: string): asserts value is Descriptor {
  if (!isRecord(value)) throw new Problem(path, 'must be a descriptor object');
  checkMediaType(value.mediaType, `${path}.mediaType`, true);
  if (typeof value.digest !== 'string') throw new Problem(`${path}.digest`, 'missing digest');
  try {
    parseDigest(value.digest);
  } catch (error) {
    throw new Problem(`${path}.digest`, (error as Error).message, error);
  }
  const size = value.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new Problem(
      `${path}.size`,
      size === undefined ? 'missing size' : `invalid size ${show(size)}: must be a non-negative safe integer`,
    );
  }
  checkStringList(value.urls, `${path}.urls`);
  checkAnnotations(value.annotations, `${path}.annotations`);
  if (value.data !== undefined && (typeof value.data !== 'string' || !BASE64_PATTERN.test(value.data))) {
    throw new Problem(`${path}.data`, 'must be standard base64');
  }
  checkPlatform(value.platform, `${path}.platform`);
  checkMediaType(value.artifactType, `${path}.artifactType`, false);
}

/**
 * Checks that a value is a well-formed descriptor: a `type/subtype` media type, a valid sha256 or
 * sha512 digest, a size that is a non-negative safe integer, and well-typed optional fields.
 * Throws {@link InvalidManifestError} naming the field at fault.
 */
export function validateDescriptor(value: unknown): asserts value is Descriptor {
  try {
    checkDescriptor(value, 'descriptor');
  } catch (error) {
    if (error instanceof Problem) {
      throw new InvalidManifestError(`invalid descriptor: ${error.message}`, { cause: error.cause });
    }
    throw error;
  }
}

/** Decodes and parses capped JSON bytes; `kind` names the document in errors. */
function decode(bytes: Uint8Array, kind: string, maxBytes: number): Record<string, unknown> {
  if (bytes.byteLength > maxBytes) {
    throw new SizeExceedsLimitError(
      `${kind} of ${bytes.byteLength} bytes exceeds the limit of ${maxBytes} bytes`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new InvalidManifestError(`invalid ${kind}: not valid utf-8`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidManifestError(`invalid ${kind}: not valid json: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isRecord(parsed)) throw new InvalidManifestError(`invalid ${kind}: not a json object`);
  return parsed;
}

function checkHeader(
  value: Record<string, unknown>,
  allowed: readonly string[],
  other: readonly string[],
): void {
  if (value.schemaVersion !== 2) {
    throw new Problem(
      'schemaVersion',
      `must be 2, got ${JSON.stringify(value.schemaVersion)?.slice(0, MAX_SHOWN) ?? 'nothing'}`,
    );
  }
  if (value.mediaType !== undefined) {
    if (typeof value.mediaType !== 'string') throw new Problem('mediaType', 'must be a string');
    if (!allowed.includes(value.mediaType)) {
      const hint = other.includes(value.mediaType)
        ? ` (this is ${other === INDEX_TYPES ? 'an index' : 'a manifest'})`
        : '';
      throw new Problem('mediaType', `unexpected media type ${show(value.mediaType)}${hint}`);
    }
  }
  checkMediaType(value.artifactType, 'artifactType', false);
  if (value.subject !== undefined && value.subject !== null) checkDescriptor(value.subject, 'subject');
  checkAnnotations(value.annotations, 'annotations');
}

function checkDescriptorList(value: unknown, path: string): void {
  if (!Array.isArray(value)) throw new Problem(path, value === undefined ? 'missing' : 'must be an array');
  for (const [i, item] of value.entries()) checkDescriptor(item, `${path}[${i}]`);
}

function run<T>(kind: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof Problem) {
      throw new InvalidManifestError(`invalid ${kind}: ${error.message}`, { cause: error.cause });
    }
    throw error;
  }
}

/**
 * Parses and validates an image manifest (OCI, or Docker v2 schema 2) from its bytes: at most
 * `maxBytes` (4 MiB by default, else {@link SizeExceedsLimitError}), UTF-8 JSON, `schemaVersion`
 * 2, a manifest `mediaType` if any, a valid `config` descriptor, a `layers` array of valid
 * descriptors, and valid `subject`, `artifactType` and `annotations` if present. Throws
 * {@link InvalidManifestError} naming the field at fault.
 */
export function parseManifest(bytes: Uint8Array, options: ParseManifestOptions = {}): Manifest {
  const value = decode(bytes, 'manifest', options.maxBytes ?? DEFAULT_MAX_METADATA_BYTES);
  return run('manifest', () => {
    checkHeader(value, MANIFEST_TYPES, INDEX_TYPES);
    checkDescriptor(value.config, 'config');
    checkDescriptorList(value.layers, 'layers');
    return value as unknown as Manifest;
  });
}

/**
 * Parses and validates an image index (OCI, or Docker manifest list) from its bytes: at most
 * `maxBytes` (4 MiB by default, else {@link SizeExceedsLimitError}), UTF-8 JSON, `schemaVersion`
 * 2, an index `mediaType` if any, a `manifests` array of valid descriptors (with valid platforms),
 * and valid `subject`, `artifactType` and `annotations` if present. Throws
 * {@link InvalidManifestError} naming the field at fault.
 */
export function parseIndex(bytes: Uint8Array, options: ParseManifestOptions = {}): Index {
  const value = decode(bytes, 'index', options.maxBytes ?? DEFAULT_MAX_METADATA_BYTES);
  return run('index', () => {
    checkHeader(value, INDEX_TYPES, MANIFEST_TYPES);
    checkDescriptorList(value.manifests, 'manifests');
    return value as unknown as Index;
  });
}

/**
 * The descriptor of some bytes: their media type (`application/octet-stream` when empty, as in
 * oras-go), sha256 digest and size.
 */
export function descriptorFromBytes(mediaType: string, bytes: Uint8Array): Descriptor {
  return {
    mediaType: mediaType === '' ? 'application/octet-stream' : mediaType,
    digest: digestOf(bytes),
    size: bytes.byteLength,
  };
}

/** Whether two descriptors name the same content: same media type, digest and size. */
export function descriptorsEqual(a: Descriptor, b: Descriptor): boolean {
  return a.mediaType === b.mediaType && a.digest === b.digest && a.size === b.size;
}
