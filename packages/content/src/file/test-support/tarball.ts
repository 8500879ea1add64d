/**
 * Test helpers: craft tarballs by hand (raw headers, any names and links), push them as directory
 * layers, and snapshot a directory tree to prove nothing changed outside the output folder.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, type HeaderData, Pax } from 'tar';
import { Annotation, type Descriptor, MediaType } from '@oras/spec';

/** One crafted tar entry. */
export interface CraftedEntry {
  readonly path: string;
  readonly type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'FIFO' | 'CharacterDevice';
  readonly linkpath?: string;
  readonly body?: string | Uint8Array;
  readonly mode?: number;
  readonly mtime?: Date;
  /** Write the path (and link) in a PAX header instead of the ustar fields. */
  readonly pax?: boolean;
}

/** The bytes of a tar holding `entries`, exactly as given (no checks, no normalisation). */
export function craftTar(entries: readonly CraftedEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.body === undefined ? Buffer.alloc(0) : Buffer.from(entry.body);
    const data: HeaderData = {
      path: entry.pax ? 'placeholder' : entry.path,
      type: entry.type ?? 'File',
      mode: entry.mode ?? (entry.type === 'Directory' ? 0o755 : 0o644),
      uid: 0,
      gid: 0,
      size: body.length,
      mtime: entry.mtime ?? new Date(0),
      linkpath: entry.pax ? '' : (entry.linkpath ?? ''),
      uname: '',
      gname: '',
    };
    if (entry.pax) {
      blocks.push(new Pax({ path: entry.path, linkpath: entry.linkpath } as HeaderData).encode());
    }
    const block = Buffer.alloc(512);
    new Header(data).encode(block, 0);
    blocks.push(block);
    if (body.length > 0) {
      blocks.push(body);
      const rest = body.length % 512;
      if (rest !== 0) blocks.push(Buffer.alloc(512 - rest));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A directory-layer descriptor and its gzip bytes for a crafted tar. */
export function craftLayer(
  name: string,
  entries: readonly CraftedEntry[],
  options: { readonly tarDigest?: string | null } = {},
): { desc: Descriptor; bytes: Buffer } {
  const tar = craftTar(entries);
  const bytes = gzipSync(tar);
  const annotations: Record<string, string> = {
    [Annotation.Title]: name,
    [Annotation.OrasContentUnpack]: 'true',
  };
  const tarDigest =
    options.tarDigest === undefined
      ? `sha256:${createHash('sha256').update(tar).digest('hex')}`
      : options.tarDigest;
  if (tarDigest !== null) annotations[Annotation.OrasContentDigest] = tarDigest;
  return {
    desc: {
      mediaType: MediaType.ImageLayerGzip,
      digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      size: bytes.length,
      annotations,
    },
    bytes,
  };
}

/** A descriptor of a named file with `content`. */
export function fileDescriptor(
  name: string,
  content: string | Uint8Array,
): { desc: Descriptor; bytes: Buffer } {
  const bytes = Buffer.from(content);
  return {
    desc: {
      mediaType: MediaType.ImageLayer,
      digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      size: bytes.length,
      annotations: { [Annotation.Title]: name },
    },
    bytes,
  };
}

/**
 * Every entry under `root` (recursively, without following symlinks) as `path -> description`,
 * where the description holds the type, mode, content hash or link target. Subtrees named in
 * `skip` (relative paths) are left out.
 */
export async function snapshotTree(
  root: string,
  skip: readonly string[] = [],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    const path = rel === '' ? root : join(root, rel);
    const stats = await lstat(path);
    const mode = (stats.mode & 0o7777).toString(8);
    if (stats.isSymbolicLink()) {
      out[rel] = `symlink -> ${await readlink(path)}`;
    } else if (stats.isDirectory()) {
      out[rel] = `dir ${mode}`;
      for (const child of (await readdir(path)).sort()) {
        const childRel = rel === '' ? child : `${rel}/${child}`;
        if (!skip.includes(childRel)) await walk(childRel);
      }
    } else {
      const hash = createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
      out[rel] = `file ${mode} ${stats.nlink} ${hash}`;
    }
  }
  await walk('');
  return out;
}

/** The bytes of a web stream. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
