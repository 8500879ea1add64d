/**
 * Artifacts built by hand, never by our packer: tarballs written header by header (so entries may
 * be `..`, absolute, or links that point anywhere), manifests written as plain JSON, and blobs and
 * manifests pushed with raw HTTP requests (`fetch`), so what reaches the registry is exactly what
 * the case wrote.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** The descriptor fields a hand-made manifest lists. */
export interface RawDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  [key: string]: unknown;
}

/** `sha256:<hex>` of bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The descriptor of bytes. */
export function describeBytes(
  mediaType: string,
  bytes: Uint8Array,
  annotations?: Record<string, string>,
): RawDescriptor {
  return {
    mediaType,
    digest: sha256(bytes),
    size: bytes.byteLength,
    ...(annotations ? { annotations } : {}),
  };
}

/** One entry of a hand-made tarball. */
export interface TarEntry {
  /** The name as written in the header, unchecked (up to 100 bytes). */
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'hardlink';
  /** The link target of a symlink or hard link, unchecked. */
  readonly linkname?: string;
  /** A file's content. */
  readonly data?: Uint8Array | string;
  /** Permission bits (default 0o644 for files and links, 0o755 for folders). */
  readonly mode?: number;
}

const TYPE_FLAGS = { file: '0', hardlink: '1', symlink: '2', dir: '5' } as const;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, offset: number, width: number) => {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.byteLength > width) throw new Error(`tar header field too long: ${text}`);
    bytes.copy(block, offset);
  };
  put(entry.name, 0, 100);
  put(octal(entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644), 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(1_700_000_000, 12), 136, 12);
  put('        ', 148, 8);
  put(TYPE_FLAGS[entry.type], 156, 1);
  put(entry.linkname ?? '', 157, 100);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

/** A ustar tarball of the entries, exactly as given. */
export function tarOf(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === 'file' ? Buffer.from(entry.data ?? '') : Buffer.alloc(0);
    parts.push(header(entry, data.byteLength), data);
    const pad = (512 - (data.byteLength % 512)) % 512;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A gzip of bytes. */
export function gzip(bytes: Uint8Array): Buffer {
  return gzipSync(bytes);
}

/** The annotations oras puts on a directory layer: title, unpack, and the tar's digest. */
export function directoryAnnotations(title: string, tar: Uint8Array): Record<string, string> {
  return {
    'io.deis.oras.content.digest': sha256(tar),
    'io.deis.oras.content.unpack': 'true',
    'org.opencontainers.image.title': title,
  };
}

/** The empty JSON config `{}` every artifact manifest points at. */
export const EMPTY_CONFIG: RawDescriptor = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: sha256('{}'),
  size: 2,
};

/** A hand-written image manifest (v1.1 artifact) with these layers. */
export function manifestOf(layers: readonly RawDescriptor[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.hostile.test',
      config: EMPTY_CONFIG,
      layers,
      ...extra,
    }),
  );
}

/** A hand-written image index of these manifests. */
export function indexOf(manifests: readonly RawDescriptor[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests,
      ...extra,
    }),
  );
}

/** Where raw requests go: the registry's base URL and extra headers (auth). */
export interface RawTarget {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

async function expectStatus(response: Response, want: number[], what: string): Promise<void> {
  if (!want.includes(response.status)) {
    throw new Error(`${what}: status ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }
}

/** Uploads a blob with POST and one PUT; resolves to its digest. */
export async function pushBlobRaw(target: RawTarget, repo: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`${target.url}/v2/${repo}/blobs/uploads/`, {
    method: 'POST',
    headers: { ...target.headers, 'content-length': '0' },
  });
  await expectStatus(start, [202], `POST upload ${repo}`);
  await start.arrayBuffer();
  const location = new URL(start.headers.get('location') ?? '', target.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...target.headers, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  await expectStatus(put, [201], `PUT blob ${digest}`);
  await put.arrayBuffer();
  return digest;
}

/** Pushes manifest bytes under a tag or digest; resolves to their digest. */
export async function pushManifestRaw(
  target: RawTarget,
  repo: string,
  reference: string,
  bytes: Uint8Array,
  mediaType = 'application/vnd.oci.image.manifest.v1+json',
): Promise<string> {
  const response = await fetch(`${target.url}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...target.headers, 'content-type': mediaType },
    body: bytes,
  });
  await expectStatus(response, [201], `PUT manifest ${repo}:${reference}`);
  await response.arrayBuffer();
  return sha256(bytes);
}

/** One layer of a hand-made artifact: its bytes and the descriptor the manifest lists. */
export interface RawLayer {
  readonly bytes: Uint8Array;
  readonly descriptor: RawDescriptor;
}

/** A file layer titled `title`. */
export function fileLayer(title: string, bytes: Uint8Array | string): RawLayer {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return {
    bytes: data,
    descriptor: describeBytes('application/vnd.oci.image.layer.v1.tar', data, {
      'org.opencontainers.image.title': title,
    }),
  };
}

/** A directory layer titled `title` holding the tarball of `entries`. */
export function directoryLayer(title: string, entries: readonly TarEntry[]): RawLayer {
  const tar = tarOf(entries);
  const bytes = gzip(tar);
  return {
    bytes,
    descriptor: describeBytes(
      'application/vnd.oci.image.layer.v1.tar+gzip',
      bytes,
      directoryAnnotations(title, tar),
    ),
  };
}

/** Pushes the layers, the empty config and a manifest of them; resolves to the manifest's digest. */
export async function pushArtifactRaw(
  target: RawTarget,
  repo: string,
  tag: string,
  layers: readonly RawLayer[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  await pushBlobRaw(target, repo, Buffer.from('{}'));
  for (const layer of layers) await pushBlobRaw(target, repo, layer.bytes);
  return pushManifestRaw(
    target,
    repo,
    tag,
    manifestOf(
      layers.map((l) => l.descriptor),
      extra,
    ),
  );
}
