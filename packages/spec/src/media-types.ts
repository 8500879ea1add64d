/**
 * Media types a registry client meets: OCI image-spec v1.1, the Docker v2 schema 2 types, and the
 * ORAS defaults.
 * @see https://github.com/opencontainers/image-spec/blob/main/media-types.md
 */
export const MediaType = {
  /** OCI descriptor (rarely used as a document type). */
  Descriptor: 'application/vnd.oci.descriptor.v1+json',
  /** The `oci-layout` file of an image layout. */
  LayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  /** OCI image manifest. */
  ImageManifest: 'application/vnd.oci.image.manifest.v1+json',
  /** OCI image index. */
  ImageIndex: 'application/vnd.oci.image.index.v1+json',
  /** OCI image config. */
  ImageConfig: 'application/vnd.oci.image.config.v1+json',
  /** OCI layer, tar. */
  ImageLayer: 'application/vnd.oci.image.layer.v1.tar',
  /** OCI layer, gzip-compressed tar. */
  ImageLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** OCI layer, zstd-compressed tar. */
  ImageLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** OCI non-distributable layer (deprecated by the spec, still met). */
  ImageLayerNonDistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  /** OCI non-distributable gzip layer (deprecated). */
  ImageLayerNonDistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  /** OCI non-distributable zstd layer (deprecated). */
  ImageLayerNonDistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  /** The empty JSON document `{}`, used as config and layer placeholder. */
  Empty: 'application/vnd.oci.empty.v1+json',
  /** The withdrawn OCI artifact manifest (image-spec 1.1 release candidates); read-only support. */
  ArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  /** Docker image manifest, v2 schema 2. */
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Docker manifest list, v2 schema 2. */
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Docker image config. */
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** Docker layer, gzip-compressed tar. */
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Docker foreign layer (Windows base layers); never copied. */
  DockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  /** Docker plugin config. */
  DockerPluginConfig: 'application/vnd.docker.plugin.v1+json',
  /** Docker v2 schema 1 signed manifest (legacy, recognised only). */
  DockerManifestSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  /** Docker v2 schema 1 manifest (legacy, recognised only). */
  DockerManifestSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  /** ORAS default artifact type when none is given (image-spec v1.1 packing). */
  UnknownArtifact: 'application/vnd.unknown.artifact.v1',
  /** ORAS default config media type (image-spec v1.0 packing). */
  UnknownConfig: 'application/vnd.unknown.config.v1+json',
} as const;

/** One of the {@link MediaType} values. */
export type KnownMediaType = (typeof MediaType)[keyof typeof MediaType];

/** The media types that are manifests (documents a registry stores under `/manifests/`). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.ImageManifest,
  MediaType.ImageIndex,
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
  MediaType.ArtifactManifest,
];

/**
 * The `Accept` list a client sends when resolving a tag, so registries return whatever they hold
 * without converting it (oras-go#83: some registries convert by Accept).
 */
export const DEFAULT_MANIFEST_ACCEPT: readonly string[] = [
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
  MediaType.ImageManifest,
  MediaType.ImageIndex,
  MediaType.ArtifactManifest,
];

/** Whether a media type names a manifest or an index (as opposed to a blob). */
export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

/** Whether a media type names an index (OCI image index or Docker manifest list). */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ImageIndex || mediaType === MediaType.DockerManifestList;
}

/** Whether a layer of this media type must not be copied between registries (foreign layers). */
export function isNonDistributableMediaType(mediaType: string): boolean {
  return (
    mediaType === MediaType.DockerForeignLayer ||
    mediaType === MediaType.ImageLayerNonDistributable ||
    mediaType === MediaType.ImageLayerNonDistributableGzip ||
    mediaType === MediaType.ImageLayerNonDistributableZstd
  );
}

/**
 * The media type pattern of the image-spec's JSON schema (`defs-descriptor.json`), which oras-go
 * checks `artifactType` and config media types against: `type/subtype`, each part starting with
 * an alphanumeric, at most 127 characters each.
 *
 * Why it lets in more than RFC 6838: in `[A-Za-z0-9!#$&-^_.+]` the `&-^` is a range, from `&`
 * to `^`, so ``'()*,/:;<=>?@[\]`` pass too (`a/b/c`, `a:b/c`). oras accepts
 * exactly these and refuses the rest (`test.attach`, `x/y z`, `x/y; charset=utf-8`), so we do.
 * @see https://github.com/opencontainers/image-spec/blob/v1.1.0/schema/defs-descriptor.json
 */
export const MEDIA_TYPE_PATTERN =
  /^[A-Za-z0-9][A-Za-z0-9!#$&-^_.+]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&-^_.+]{0,126}$/;

/** Whether a string is a media type as the image-spec schema and oras-go read one ({@link MEDIA_TYPE_PATTERN}). */
export function isValidMediaType(mediaType: string): boolean {
  return MEDIA_TYPE_PATTERN.test(mediaType);
}
