/**
 * Annotation keys: the pre-defined OCI ones and the ORAS ones.
 * @see https://github.com/opencontainers/image-spec/blob/main/annotations.md
 */
export const Annotation = {
  /** Date and time the artifact was built (RFC 3339). */
  Created: 'org.opencontainers.image.created',
  /** Contact details of the people responsible. */
  Authors: 'org.opencontainers.image.authors',
  /** URL to find more information. */
  Url: 'org.opencontainers.image.url',
  /** URL to the documentation. */
  Documentation: 'org.opencontainers.image.documentation',
  /** URL to the source code. */
  Source: 'org.opencontainers.image.source',
  /** Version of the packaged software. */
  Version: 'org.opencontainers.image.version',
  /** Source control revision. */
  Revision: 'org.opencontainers.image.revision',
  /** Name of the distributing entity. */
  Vendor: 'org.opencontainers.image.vendor',
  /** Licence(s) as an SPDX expression. */
  Licenses: 'org.opencontainers.image.licenses',
  /** The name of a reference (a tag) in an image layout's `index.json`. */
  RefName: 'org.opencontainers.image.ref.name',
  /** Human-readable title; ORAS uses it as the file name of a layer. */
  Title: 'org.opencontainers.image.title',
  /** Human-readable description. */
  Description: 'org.opencontainers.image.description',
  /** Digest of the image this one is based on. */
  BaseImageDigest: 'org.opencontainers.image.base.digest',
  /** Reference of the image this one is based on. */
  BaseImageName: 'org.opencontainers.image.base.name',
  /** ORAS: digest of the uncompressed tar of a directory layer. */
  OrasContentDigest: 'io.deis.oras.content.digest',
  /** ORAS: `"true"` when a layer is a directory to unpack on pull. */
  OrasContentUnpack: 'io.deis.oras.content.unpack',
} as const;

/** One of the {@link Annotation} keys. */
export type AnnotationKey = (typeof Annotation)[keyof typeof Annotation];
