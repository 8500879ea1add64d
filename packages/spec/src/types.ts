/**
 * The OCI image-spec v1.1 data types, and the Docker v2 schema 2 manifest and list (read side).
 * Field order follows the Go reference structs, which is the order canonical JSON writes them in.
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md
 */

/** A platform an image runs on. @see https://github.com/opencontainers/image-spec/blob/main/image-index.md */
export interface Platform {
  /** CPU architecture, Go's `GOARCH` values (`amd64`, `arm64`, ...). */
  architecture: string;
  /** Operating system, Go's `GOOS` values (`linux`, `windows`, ...). */
  os: string;
  /** OS version, e.g. `10.0.14393.1066` on Windows. */
  'os.version'?: string;
  /** OS features required, e.g. `win32k`. */
  'os.features'?: string[];
  /** CPU variant, e.g. `v7` or `v8`. */
  variant?: string;
  /** Reserved by the spec. */
  features?: string[];
}

/** A content descriptor: what a piece of content is, its digest and its size. */
export interface Descriptor {
  /** Media type of the referenced content. */
  mediaType: string;
  /** Digest of the referenced content (`algorithm:hex`). */
  digest: string;
  /** Size in bytes of the referenced content. */
  size: number;
  /** URLs the content may be downloaded from (foreign layers). */
  urls?: string[];
  /** Arbitrary metadata. */
  annotations?: Record<string, string>;
  /** The content itself, base64-encoded, for small blobs. */
  data?: string;
  /** The platform of the referenced manifest (in an index). */
  platform?: Platform;
  /** The artifact type of the referenced manifest (in an index or referrers list). */
  artifactType?: string;
}

/** An OCI image manifest (image-spec v1.1). */
export interface Manifest {
  /** Always 2. */
  schemaVersion: 2;
  /** `application/vnd.oci.image.manifest.v1+json`. */
  mediaType?: string;
  /** Type of an artifact when the config is the empty descriptor. */
  artifactType?: string;
  /** The config blob. */
  config: Descriptor;
  /** The layers, in order. */
  layers: Descriptor[];
  /** The manifest this one refers to (referrers). */
  subject?: Descriptor;
  /** Arbitrary metadata. */
  annotations?: Record<string, string>;
}

/** An OCI image index (image-spec v1.1). */
export interface Index {
  /** Always 2. */
  schemaVersion: 2;
  /** `application/vnd.oci.image.index.v1+json`. */
  mediaType?: string;
  /** Type of an artifact. */
  artifactType?: string;
  /** The manifests of the index. */
  manifests: Descriptor[];
  /** The manifest this one refers to (referrers). */
  subject?: Descriptor;
  /** Arbitrary metadata. */
  annotations?: Record<string, string>;
}

/** The execution parameters of an image config. */
export interface ImageExecConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
}

/** The rootfs section of an image config. */
export interface RootFS {
  type: 'layers' | string;
  diff_ids: string[];
}

/** One entry of an image config's history. */
export interface History {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** An OCI image config. @see https://github.com/opencontainers/image-spec/blob/main/config.md */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ImageExecConfig;
  rootfs?: RootFS;
  history?: History[];
}

/** The `oci-layout` file at the root of an image layout. */
export interface ImageLayout {
  /** `1.0.0`. */
  imageLayoutVersion: string;
}

/** The layout version this package writes. */
export const IMAGE_LAYOUT_VERSION = '1.0.0';

/** Docker v2 schema 2 image manifest (read side). */
export interface DockerManifest {
  schemaVersion: 2;
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json';
  config: Descriptor;
  layers: Descriptor[];
}

/** Docker v2 schema 2 manifest list (read side). */
export interface DockerManifestList {
  schemaVersion: 2;
  mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json';
  manifests: Descriptor[];
}

/** The empty JSON document `{}`, the content of {@link EMPTY_DESCRIPTOR}. */
export const EMPTY_JSON_TEXT = '{}';

/** A fresh copy of the bytes of the empty JSON document `{}` (a copy, so no caller can change another's). */
export function emptyJsonBytes(): Uint8Array {
  return new Uint8Array([0x7b, 0x7d]);
}

/**
 * The descriptor of the empty JSON `{}`, used as the config of artifacts and as the one layer of
 * a manifest that has none. @see https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidance-for-an-empty-descriptor
 */
export const EMPTY_DESCRIPTOR: Readonly<Descriptor> = Object.freeze({
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
});
