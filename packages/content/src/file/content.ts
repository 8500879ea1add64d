/**
 * Writing verified content to a file: size and digest are checked as the bytes pass, so a file
 * that does not match is never renamed into place. (Reading goes through the package's
 * `verifyStream`.)
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import {
  AbortedError,
  createDigesterFor,
  type Descriptor,
  type Digester,
  MismatchedDigestError,
  MismatchedSizeError,
  TrailingDataError,
} from '@oras/spec';
import type { ContentSource } from '../interfaces.js';
import { isVerified } from '../stream.js';

function describe(desc: Descriptor): string {
  return `${desc.digest}: ${desc.mediaType}`;
}

/** The chunks of a content source. */
export function chunksOf(source: ContentSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    return (async function* () {
      yield source;
    })();
  }
  return source as AsyncIterable<Uint8Array>;
}

/** Counts and hashes bytes against a descriptor; throws as soon as they go wrong. */
export class Verifier {
  readonly #expected: Descriptor;
  readonly #digester: Digester;
  #bytes = 0;

  constructor(expected: Descriptor) {
    this.#expected = expected;
    this.#digester = createDigesterFor(expected.digest);
  }

  /** Feeds a chunk; throws `TrailingDataError` when it goes past the expected size. */
  update(chunk: Uint8Array): void {
    this.#bytes += chunk.byteLength;
    if (this.#bytes > this.#expected.size) {
      throw new TrailingDataError(
        `${describe(this.#expected)}: content goes on past ${this.#expected.size} bytes`,
      );
    }
    this.#digester.update(chunk);
  }

  /** Checks the total size and the digest. */
  finish(): void {
    if (this.#bytes !== this.#expected.size) {
      throw new MismatchedSizeError(
        `${describe(this.#expected)}: content is ${this.#bytes} bytes, expected ${this.#expected.size}`,
      );
    }
    const actual = this.#digester.digest();
    if (actual !== this.#expected.digest) {
      throw new MismatchedDigestError(`${describe(this.#expected)}: content hashes to ${actual}`);
    }
  }
}

function checkSignal(signal: AbortSignal | undefined, desc: Descriptor): void {
  if (signal?.aborted) throw new AbortedError(`${describe(desc)}: aborted`, { cause: signal.reason });
}

/**
 * Checks bytes in memory against `expected` (size and digest; the digest only when they are not
 * marked as verified for it), and the signal.
 */
export function verifyBytes(bytes: Uint8Array, expected: Descriptor, signal?: AbortSignal): void {
  checkSignal(signal, expected);
  if (isVerified(bytes, expected) && bytes.byteLength === expected.size) return;
  const verifier = new Verifier(expected);
  verifier.update(bytes);
  verifier.finish();
}

/**
 * The most bytes {@link writeNewFileSync} is used for: content this small, already in memory, is
 * written with blocking calls (a few microseconds into the page cache).
 */
export const SYNC_WRITE_BYTES = 256 * 1024;

/**
 * Creates the file `path` (which must not exist: `O_EXCL`, so never through a symlink) and writes
 * `bytes` to it with blocking calls. For small content already in memory: four thread-pool round
 * trips per file (open, write, close, and the caller's rename) cost more CPU than the syscalls
 * themselves, and each waits for a pool thread to be scheduled on a busy machine.
 */
export function writeNewFileSync(path: string, bytes: Uint8Array, mode = 0o666): void {
  const fd = openSync(path, 'wx', mode);
  try {
    for (let offset = 0; offset < bytes.byteLength; ) {
      offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
    }
  } finally {
    closeSync(fd);
  }
}

/** How many bytes wait for the write in progress before reading stops (backpressure). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** The most buffers handed to one `writev` (under every platform's `IOV_MAX`). */
const MAX_BATCH_BUFFERS = 256;

/** Writes every byte of `buffers` at the file's position, looping on a short `writev`. */
async function writeAll(handle: FileHandle, buffers: Uint8Array[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest);
    let skip = bytesWritten;
    let i = 0;
    while (i < rest.length && skip >= rest[i]!.byteLength) skip -= rest[i++]!.byteLength;
    rest = rest.slice(i);
    if (skip > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(skip);
  }
}

/**
 * Writes `source` to an open file, verifying it against `expected`; the caller closes the file.
 *
 * Reading and writing overlap: chunks that arrive while a write is in progress are queued (up to
 * {@link MAX_QUEUED_BYTES}) and go in the next `writev`, so the network is read while the disk
 * writes, and a 1 GiB pull makes a few thousand writes instead of one per received chunk. (A
 * chunk must not be changed by its source once the next one is asked for, as with any stream.)
 *
 * A source marked by `markVerified` for this digest (a registry download, a `verifyStream`) checks
 * itself and errors before its end when wrong: its size is still counted here, its hash is not
 * computed twice. Bytes in memory (a `Uint8Array`) are checked first, then written at once.
 * Either way the caller renames the file into place only after this resolves.
 */
export async function writeVerified(
  handle: FileHandle,
  source: ContentSource,
  expected: Descriptor,
  signal?: AbortSignal,
): Promise<void> {
  const selfVerifying = isVerified(source, expected);
  if (source instanceof Uint8Array) {
    // content in memory (a small blob): checked first, then one write
    verifyBytes(source, expected, signal);
    if (source.byteLength > 0) await writeAll(handle, [source]);
    return;
  }
  const verifier = selfVerifying ? undefined : new Verifier(expected);
  let received = 0;
  let queue: Uint8Array[] = [];
  let queued = 0;
  let writing: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  const drain = async (): Promise<void> => {
    try {
      while (queue.length > 0 && failure === undefined) {
        const batch = queue.length > MAX_BATCH_BUFFERS ? queue.splice(0, MAX_BATCH_BUFFERS) : queue;
        if (batch === queue) queue = [];
        for (const b of batch) queued -= b.byteLength;
        await writeAll(handle, batch);
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      writing = undefined;
    }
  };
  checkSignal(signal, expected);
  try {
    for await (const chunk of chunksOf(source)) {
      checkSignal(signal, expected);
      if (verifier) verifier.update(chunk);
      else {
        received += chunk.byteLength;
        if (received > expected.size) {
          throw new TrailingDataError(`${describe(expected)}: content goes on past ${expected.size} bytes`);
        }
      }
      if (failure) throw failure.error;
      if (chunk.byteLength === 0) continue;
      queue.push(chunk);
      queued += chunk.byteLength;
      if (writing === undefined) writing = drain();
      else if (queued >= MAX_QUEUED_BYTES) await writing;
    }
    while (writing !== undefined) await writing;
    if (failure) throw failure.error;
    if (verifier) verifier.finish();
    else if (received !== expected.size) {
      throw new MismatchedSizeError(
        `${describe(expected)}: content is ${received} bytes, expected ${expected.size}`,
      );
    }
  } finally {
    // the caller closes the file next: no write may still be going
    failure ??= { error: undefined };
    while (writing !== undefined) await writing;
  }
}
