/**
 * Upload bodies on the hot path. Bytes go from the source to undici as Node chunks through one
 * async generator that hashes (or counts) them on the way: no web-stream layers, no copies.
 */
import { open } from 'node:fs/promises';
import type { ContentSource } from '@oras/content';
import {
  AbortedError,
  createDigester,
  type Descriptor,
  type Digester,
  MismatchedSizeError,
  TrailingDataError,
} from '@oras/spec';

/**
 * Content that can be read again from any byte offset, such as a file:
 * `(offset) => createReadStream(path, { start: offset })`. An upload from it can resume where the
 * registry stopped, or start over in chunks when the registry refuses one large request.
 */
export type ReopenableSource = (offset: number) => ContentSource;

/** Iterates over any content source as chunks of bytes. */
export async function* chunksOf(source: ContentSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  yield* source as AsyncIterable<Uint8Array>;
}

/**
 * Yields `source` (which starts at byte `start` of the content) unchanged, feeding `digester` with
 * the bytes past `progress.hashed` only: when an upload is sent again from an earlier offset, the
 * bytes already hashed are not hashed twice. `progress.sent` ends at the offset after the last
 * byte yielded. Without a digester (someone else hashes the content), it only counts.
 */
export async function* hashedFrom(
  source: ContentSource,
  start: number,
  digester: Digester | undefined,
  progress: { hashed: number; sent: number },
  onProgress?: (bytesSent: number) => void,
): AsyncGenerator<Uint8Array> {
  let position = start;
  progress.sent = start;
  for await (const chunk of chunksOf(source)) {
    const end = position + chunk.byteLength;
    if (digester && end > progress.hashed) {
      digester.update(progress.hashed > position ? chunk.subarray(progress.hashed - position) : chunk);
      progress.hashed = end;
    }
    position = end;
    progress.sent = end;
    onProgress?.(end);
    yield chunk;
  }
}

/** Yields `source` unchanged, calling `onProgress` with the running byte count. */
export async function* counted(
  source: ContentSource,
  onProgress: (bytesSent: number) => void,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of chunksOf(source)) {
    total += chunk.byteLength;
    onProgress(total);
    yield chunk;
  }
}

/**
 * Yields `source` unchanged while checking its size against `expected`: it throws
 * `TrailingDataError` as soon as the content goes past its size and `MismatchedSizeError` when it
 * ends early, so the request fails instead of completing with the wrong bytes. The digest is not
 * computed here: the registry checks it (`PUT ?digest=` fails with `DIGEST_INVALID`), and content
 * from a fetcher was verified as it was read, so a second sha256 pass would only cost CPU (a
 * third of a streamed copy's, measured).
 */
export async function* sizedChunks(source: ContentSource, expected: Descriptor): AsyncGenerator<Uint8Array> {
  let received = 0;
  for await (const chunk of chunksOf(source)) {
    received += chunk.byteLength;
    if (received > expected.size) {
      throw new TrailingDataError(
        `${expected.digest}: content goes on past its size of ${expected.size} bytes`,
      );
    }
    yield chunk;
  }
  if (received < expected.size) {
    throw new MismatchedSizeError(
      `${expected.digest}: content ended after ${received} of ${expected.size} bytes`,
    );
  }
}

/** How many read buffers {@link fileChunks} takes turns with. */
const FILE_BUFFERS = 4;

/**
 * Reads a file from byte `start` in chunks of `chunkSize`, into a few buffers that take turns
 * instead of a new buffer per read: a 1 GiB upload then makes no garbage, which halves the CPU
 * time of the sending side (measured with `node --cpu-prof`: fresh 1 MiB buffers spend as much
 * in the collector as in sha256).
 *
 * Why reuse is safe: a chunk is handed on only after the previous turn of its buffer is written.
 * undici writes each body chunk to the socket and waits for `drain` whenever the socket buffers
 * it (a full 1 MiB chunk always exceeds the socket's 16 KiB high-water mark), and a Node
 * `Readable` in between holds at most one chunk of `chunkSize` ahead; so by the time a buffer
 * comes round again (after {@link FILE_BUFFERS} - 1 other chunks) its bytes are in the kernel.
 * Were that ever broken, the bytes sent would not match the digest computed here before each
 * chunk is yielded, and the registry would refuse the upload: it fails, never silently.
 */
export async function* fileChunks(
  path: string,
  start: number,
  chunkSize: number,
): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffers = Array.from({ length: FILE_BUFFERS }, () => Buffer.allocUnsafe(chunkSize));
    let position = start;
    for (let turn = 0; ; turn = (turn + 1) % FILE_BUFFERS) {
      const buffer = buffers[turn]!;
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** The size of the reads of {@link hashFile}. */
const HASH_READ_CHUNK = 2 * 1024 * 1024;

/**
 * The digest and size of a file, read as fast as the disk gives it: two buffers take turns, so
 * the next read (in libuv's thread pool) runs while this one is hashed (on the main thread).
 * `onHashed` hears the running count of bytes hashed. Stops with `AbortedError` when `signal`
 * fires.
 *
 * Why 2 MiB reads: 1 MiB reads took the same CPU, and larger ones (8, 16 MiB) more CPU and more
 * wall time for 1 GiB on tmpfs (measured; see docs/benchmarks.notes.md).
 */
export async function hashFile(
  path: string,
  signal?: AbortSignal,
  onHashed?: (bytesHashed: number) => void,
): Promise<{ digest: string; size: number }> {
  const handle = await open(path, 'r');
  const buffers = [Buffer.allocUnsafe(HASH_READ_CHUNK), Buffer.allocUnsafe(HASH_READ_CHUNK)];
  const digester = createDigester();
  let turn = 0;
  let position = 0;
  let reading = handle.read(buffers[0]!, 0, HASH_READ_CHUNK, 0);
  try {
    for (;;) {
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) break;
      if (signal?.aborted) throw new AbortedError('hashing aborted', { cause: signal.reason });
      position += bytesRead;
      turn ^= 1;
      reading = handle.read(buffers[turn]!, 0, HASH_READ_CHUNK, position);
      digester.update(buffer.subarray(0, bytesRead));
      onHashed?.(position);
    }
    return { digest: digester.digest(), size: position };
  } finally {
    // a read still in flight must end before the handle closes
    await reading.catch(() => undefined);
    await handle.close();
  }
}
