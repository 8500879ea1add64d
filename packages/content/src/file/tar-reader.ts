/**
 * A pull-based tar reader: one entry at a time, each body streamed before the next header is read,
 * so the caller checks and writes entries strictly in order. Headers are decoded with the `tar`
 * package's `Header` and `Pax` (loaded on first use: tar is an optional peer dependency); PAX
 * (`x`, `g`) and GNU long names (`L`, `K`) are folded into the entry they describe.
 */
import type { HeaderData } from 'tar';
import { SizeExceedsLimitError, UnsupportedError } from '@oras/spec';
import { loadTar } from '../internal/tar.js';

const BLOCK = 512;
/** Caps the body of a PAX or GNU long-name header read into memory. */
const MAX_META_BYTES = 1 << 20;

/** One entry of a tar stream. */
export interface TarEntry {
  /** The entry's path as written in the archive (after PAX and GNU long names). */
  readonly path: string;
  /** The entry type name (`File`, `Directory`, `SymbolicLink`, `Link`, ...). */
  readonly type: string;
  /** The link target of a symlink or hard link. */
  readonly linkpath: string;
  /** Permission bits. */
  readonly mode: number;
  /** Body size in bytes. */
  readonly size: number;
  /** Modification time, when the archive has one. */
  readonly mtime: Date | undefined;
}

/** Reads tar entries from a stream of chunks. */
export class TarReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #buffered: Buffer[] = [];
  #bufferedBytes = 0;
  #ended = false;
  /** Body bytes (with padding) of the current entry not yet read. */
  #remaining = 0;
  #padding = 0;
  #global: HeaderData | undefined;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** The next entry, or `undefined` at the end of the archive. Skips what is left of the last body. */
  async next(): Promise<TarEntry | undefined> {
    const { Header, Pax } = await loadTar('unpacking a directory layer');
    await this.#skipBody();
    let extended: HeaderData | undefined;
    for (;;) {
      const block = await this.#read(BLOCK);
      if (block === undefined) return undefined;
      const header = new Header(block, 0, extended, this.#global);
      if (header.nullBlock) return undefined;
      if (!header.cksumValid) {
        throw new UnsupportedError('tar: invalid header checksum');
      }
      const size = header.size ?? 0;
      const type = header.type;
      if (type === 'ExtendedHeader' || type === 'OldExtendedHeader' || type === 'GlobalExtendedHeader') {
        const body = await this.#readMeta(size);
        if (type === 'GlobalExtendedHeader') this.#global = Pax.parse(body, this.#global, true);
        else extended = Pax.parse(body, extended, false);
        continue;
      }
      if (type === 'NextFileHasLongPath' || type === 'OldGnuLongPath' || type === 'NextFileHasLongLinkpath') {
        const body = (await this.#readMeta(size)).replace(/\0.*$/s, '');
        extended = {
          ...extended,
          ...(type === 'NextFileHasLongLinkpath' ? { linkpath: body } : { path: body }),
        };
        continue;
      }
      // As in Go's archive/tar, links, directories and devices have no body whatever size they claim.
      const hasBody = !NO_BODY.has(type);
      this.#remaining = hasBody ? size : 0;
      this.#padding = hasBody ? padding(size) : 0;
      // `Header` prepends the ustar prefix to a PAX path and reads the link field over a PAX
      // linkpath; the extended values win, as in other readers.
      return {
        path: extended?.path ?? header.path ?? '',
        type,
        linkpath: extended?.linkpath ?? header.linkpath ?? '',
        mode: header.mode ?? 0o644,
        size: hasBody ? size : 0,
        mtime: header.mtime,
      };
    }
  }

  /** Yields the body of the current entry; reading it is optional (`next` skips the rest). */
  async *body(): AsyncGenerator<Buffer> {
    while (this.#remaining > 0) {
      const chunk = await this.#readSome(this.#remaining);
      if (chunk === undefined) throw new UnsupportedError('tar: unexpected end of archive in an entry body');
      this.#remaining -= chunk.length;
      yield chunk;
    }
  }

  /** Reads and discards what follows the end of the archive, so the caller's hash sees every byte. */
  async drain(): Promise<void> {
    this.#buffered = [];
    this.#bufferedBytes = 0;
    while (!this.#ended) {
      const step = await this.#source.next();
      if (step.done) this.#ended = true;
    }
  }

  async #skipBody(): Promise<void> {
    let left = this.#remaining + this.#padding;
    this.#remaining = 0;
    this.#padding = 0;
    while (left > 0) {
      const chunk = await this.#readSome(left);
      if (chunk === undefined) throw new UnsupportedError('tar: unexpected end of archive in an entry body');
      left -= chunk.length;
    }
  }

  async #readMeta(size: number): Promise<string> {
    if (size > MAX_META_BYTES) {
      throw new SizeExceedsLimitError(
        `tar: extended header of ${size} bytes: over the limit of ${MAX_META_BYTES}`,
      );
    }
    const padded = size + padding(size);
    const bytes = await this.#read(padded);
    if (bytes === undefined)
      throw new UnsupportedError('tar: unexpected end of archive in an extended header');
    return bytes.subarray(0, size).toString('utf8');
  }

  async #fill(min: number): Promise<boolean> {
    while (this.#bufferedBytes < min) {
      if (this.#ended) return false;
      const step = await this.#source.next();
      if (step.done) {
        this.#ended = true;
        return false;
      }
      const chunk = Buffer.from(step.value.buffer, step.value.byteOffset, step.value.byteLength);
      if (chunk.length > 0) {
        this.#buffered.push(chunk);
        this.#bufferedBytes += chunk.length;
      }
    }
    return true;
  }

  /** Exactly `n` bytes, or `undefined` at a clean end of input (nothing buffered). */
  async #read(n: number): Promise<Buffer | undefined> {
    if (!(await this.#fill(n))) {
      if (this.#bufferedBytes === 0) return undefined;
      throw new UnsupportedError('tar: unexpected end of archive');
    }
    const whole = this.#buffered.length === 1 ? (this.#buffered[0] as Buffer) : Buffer.concat(this.#buffered);
    const out = whole.subarray(0, n);
    const rest = whole.subarray(n);
    this.#buffered = rest.length > 0 ? [rest] : [];
    this.#bufferedBytes = rest.length;
    return out;
  }

  /** Up to `max` bytes (at least one), or `undefined` at the end of input. */
  async #readSome(max: number): Promise<Buffer | undefined> {
    if (this.#bufferedBytes === 0 && !(await this.#fill(1))) return undefined;
    const first = this.#buffered[0] as Buffer;
    if (first.length <= max) {
      this.#buffered.shift();
      this.#bufferedBytes -= first.length;
      return first;
    }
    this.#buffered[0] = first.subarray(max);
    this.#bufferedBytes -= max;
    return first.subarray(0, max);
  }
}

/** Entry types whose size field does not describe data that follows. */
const NO_BODY: ReadonlySet<string> = new Set([
  'Link',
  'SymbolicLink',
  'Directory',
  'CharacterDevice',
  'BlockDevice',
  'FIFO',
]);

function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}
