/**
 * Byte helpers: turn any {@link ContentSource} into a web stream, verify a stream against its
 * descriptor, read small content into memory under a cap, and push bytes.
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 */
import {
  type Descriptor,
  DEFAULT_DIGEST_ALGORITHM,
  InvalidArgumentError,
  MismatchedDigestError,
  MismatchedSizeError,
  SizeExceedsLimitError,
  TrailingDataError,
  createDigesterFor,
  digestOf,
  parseDigest,
} from '@oras/spec';
import { Readable, type ReadableOptions } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import {
  type ContentSource,
  type Fetcher,
  isBytesFetcher,
  type OperationOptions,
  type Pusher,
} from './interfaces.js';

/** The cap {@link fetchAll} applies when none is given: 4 MiB, the size of the largest manifest registries must accept. */
export const DEFAULT_MAX_FETCH_BYTES = 4 * 1024 * 1024;

/**
 * The most {@link fetchAll} allocates before any byte arrives (32 MiB). Larger content grows the
 * buffer as bytes come, so a forged size cannot make the process allocate it up front.
 */
export const MAX_INITIAL_ALLOCATION = 32 * 1024 * 1024;

/** The largest chunk {@link toReadableStream} emits for a `Uint8Array` source (1 MiB). */
const BYTES_CHUNK = 1024 * 1024;

/** A byte source {@link toReadableStream} accepts: a {@link ContentSource} or a Node readable (an async iterable). */
export type StreamSource = ContentSource | AsyncIterable<Uint8Array | string>;

/**
 * Returns `source` as a web `ReadableStream<Uint8Array>`: a stream is returned as is, bytes are
 * emitted in chunks of at most 1 MiB, and an async iterable (a Node `Readable` too) is pulled one
 * chunk at a time, so nothing is read before the consumer asks for it.
 */
export function toReadableStream(source: StreamSource): ReadableStream<Uint8Array> {
  if (source instanceof ReadableStream) return source as ReadableStream<Uint8Array>;
  if (source instanceof Uint8Array) {
    let offset = 0;
    return new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (offset >= source.byteLength) {
            controller.close();
            return;
          }
          const end = Math.min(offset + BYTES_CHUNK, source.byteLength);
          controller.enqueue(source.subarray(offset, end));
          offset = end;
        },
      },
      { highWaterMark: 0 },
    );
  }
  if (source !== null && typeof source === 'object' && Symbol.asyncIterator in source) {
    const iterator = source[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const next = await iterator.next();
          if (next.done) {
            controller.close();
            return;
          }
          const chunk = next.value;
          controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
        },
        async cancel(reason) {
          await iterator.return?.(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }
  throw new InvalidArgumentError(
    'content source: expected a ReadableStream, an AsyncIterable or a Uint8Array',
  );
}

/** Streams that check their own content, by the digest they check against. */
const verifiedStreams = new WeakMap<object, string>();

/**
 * Marks `stream` as one that verifies itself against `desc`: it errors (and never reports its end)
 * when the bytes go past `desc.size`, end short of it, or hash to another digest. Stores that
 * verify what they are given skip their own hash for such a stream (a second sha256 pass costs as
 * much CPU as the rest of a pull). Only mark streams that really do this: {@link verifyStream}
 * marks its result, and `@oras/registry` marks its blob downloads. Bytes may be marked too, once
 * checked against `desc` (they must not change afterwards). Returns `stream`.
 */
export function markVerified<T extends ReadableStream<Uint8Array> | Uint8Array>(
  stream: T,
  desc: Descriptor,
): T {
  verifiedStreams.set(stream, desc.digest);
  return stream;
}

/**
 * Marks `bytes` as content already checked against `desc` (read to the end through a verifying
 * stream), so a store they are pushed to skips its own hash, as for a stream marked by
 * {@link markVerified}. Internal to the package (copy buffers small blobs this way); the bytes must
 * not change afterwards. Returns `bytes`.
 */
export function markBytesVerified(bytes: Uint8Array, desc: Descriptor): Uint8Array {
  verifiedStreams.set(bytes, desc.digest);
  return bytes;
}

/** Whether `source` was marked by {@link markVerified} as verifying exactly `desc.digest`. */
export function isVerified(source: unknown, desc: Descriptor): boolean {
  return typeof source === 'object' && source !== null && verifiedStreams.get(source) === desc.digest;
}

/**
 * A stream of the same chunks as `stream`, calling `onChunk` with each before passing it on (for
 * progress). One pull-through layer, no `TransformStream` pair; a stream marked verified by
 * {@link markVerified} stays marked, since the bytes, the errors and the end are its own.
 * Cancelling the result cancels `stream`.
 */
export function tapStream(
  stream: ReadableStream<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  const tapped = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (err) {
          controller.error(err);
          return;
        }
        if (next.done) {
          controller.close();
          return;
        }
        onChunk(next.value);
        controller.enqueue(next.value);
      },
      async cancel(reason) {
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const digest = verifiedStreams.get(stream);
  if (digest !== undefined) verifiedStreams.set(tapped, digest);
  return tapped;
}

/**
 * Wraps `stream` so that it delivers exactly the content `desc` describes. The returned stream
 * errors with {@link TrailingDataError} as soon as more than `desc.size` bytes arrive, and at the
 * end with {@link MismatchedSizeError} when fewer arrived or {@link MismatchedDigestError} when the
 * bytes hash to another digest. A consumer that reads to the end therefore never sees `done` for
 * content that does not match. Cancelling the returned stream cancels `stream`.
 */
export function verifyStream(
  stream: ReadableStream<Uint8Array>,
  desc: Descriptor,
): ReadableStream<Uint8Array> {
  if (isVerified(stream, desc)) return stream;
  const digester = createDigesterFor(desc.digest);
  const expectedSize = desc.size;
  if (!Number.isSafeInteger(expectedSize) || expectedSize < 0) {
    throw new InvalidArgumentError(`${desc.digest}: invalid size ${String(expectedSize)}`);
  }
  const reader = stream.getReader();
  let received = 0;
  const verified = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let failed = false;
        const next = await reader.read().catch((err: unknown) => {
          failed = true;
          controller.error(err);
          return undefined;
        });
        if (failed || next === undefined) return;
        if (next.done) {
          if (received < expectedSize) {
            controller.error(
              new MismatchedSizeError(
                `${desc.digest}: content ended after ${received} of ${expectedSize} bytes`,
              ),
            );
            return;
          }
          const actual = digester.digest();
          if (actual !== desc.digest) {
            controller.error(new MismatchedDigestError(`${desc.digest}: content has digest ${actual}`));
            return;
          }
          controller.close();
          return;
        }
        const chunk = next.value;
        received += chunk.byteLength;
        if (received > expectedSize) {
          const error = new TrailingDataError(
            `${desc.digest}: content goes on past its size of ${expectedSize} bytes`,
          );
          controller.error(error);
          await reader.cancel(error).catch(() => undefined);
          return;
        }
        digester.update(chunk);
        controller.enqueue(chunk);
      },
      async cancel(reason) {
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return markVerified(verified, desc);
}

/**
 * Reads `source` to the end, verifying it against `desc`, and discards the bytes. Rejects with the
 * verification errors of {@link verifyStream}.
 */
export async function drainVerified(source: ContentSource, desc: Descriptor): Promise<void> {
  const reader = verifyStream(toReadableStream(source), desc).getReader();
  for (;;) {
    const { done } = await reader.read();
    if (done) return;
  }
}

/** Options of {@link fetchAll} and {@link readAll}. */
export interface FetchAllOptions extends OperationOptions {
  /** The most bytes to read into memory; larger content rejects with `SizeExceedsLimitError`. Default 4 MiB. */
  readonly maxBytes?: number | undefined;
}

/**
 * Reads a stream into memory, verified against `desc`. Rejects with `SizeExceedsLimitError` when
 * `desc.size` goes over `maxBytes`, before reading anything. The first allocation is at most
 * {@link MAX_INITIAL_ALLOCATION}; the buffer grows only as verified bytes arrive.
 */
export async function readAll(
  stream: ReadableStream<Uint8Array>,
  desc: Descriptor,
  options: FetchAllOptions = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FETCH_BYTES;
  if (desc.size > maxBytes) {
    await stream.cancel().catch(() => undefined);
    throw new SizeExceedsLimitError(
      `${desc.digest}: size ${desc.size} exceeds the limit of ${maxBytes} bytes`,
    );
  }
  const reader = verifyStream(stream, desc).getReader();
  let buffer = new Uint8Array(Math.min(desc.size, MAX_INITIAL_ALLOCATION));
  let length = 0;
  const onAbort = () => {
    reader.cancel(options.signal?.reason).catch(() => undefined);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      if (length + value.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(
          Math.min(desc.size, Math.max(buffer.byteLength * 2, length + value.byteLength)),
        );
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(value, length);
      length += value.byteLength;
    }
    // An abort cancels the reader, which then reports `done`: never return the partial bytes.
    options.signal?.throwIfAborted();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return length === buffer.byteLength ? buffer : buffer.subarray(0, length);
}

/**
 * Fetches the content of `desc` into memory and verifies it. Embedded `data` in the descriptor is
 * used (after verification) without asking the fetcher; a fetcher with `fetchBytes`
 * ({@link BytesFetcher}) is asked for the bytes in one call (and they are checked unless it marked
 * them verified), any other for a stream. Rejects with `SizeExceedsLimitError` when
 * `desc.size` is over `maxBytes` (4 MiB unless given), and with the verification errors of
 * {@link verifyStream}.
 */
export async function fetchAll(
  fetcher: Fetcher,
  desc: Descriptor,
  options: FetchAllOptions = {},
): Promise<Uint8Array> {
  if (desc.data !== undefined) {
    const bytes = new Uint8Array(Buffer.from(desc.data, 'base64'));
    return readAll(toReadableStream(bytes), desc, options);
  }
  const maxBytes = memoryLimitFor(desc, options.maxBytes);
  if (isBytesFetcher(fetcher)) {
    const bytes = await fetcher.fetchBytes(desc, { ...options, maxBytes });
    if (!isVerified(bytes, desc)) checkBytes(bytes, desc);
    return bytes;
  }
  const stream = await fetcher.fetch(desc, options);
  return readAll(stream, desc, options);
}

/**
 * The limit of a read of `desc` into memory (`maxBytes`, or {@link DEFAULT_MAX_FETCH_BYTES}),
 * rejecting with `SizeExceedsLimitError` when `desc` is larger. Internal to the package.
 */
export function memoryLimitFor(desc: Descriptor, maxBytes: number | undefined): number {
  const limit = maxBytes ?? DEFAULT_MAX_FETCH_BYTES;
  if (desc.size > limit) {
    throw new SizeExceedsLimitError(`${desc.digest}: size ${desc.size} exceeds the limit of ${limit} bytes`);
  }
  return limit;
}

/**
 * Checks bytes against `desc` (size, then digest), with the errors of {@link verifyStream}.
 * Internal to the package (not exported from its index).
 */
export function checkBytes(bytes: Uint8Array, desc: Descriptor): void {
  if (bytes.byteLength > desc.size) {
    throw new TrailingDataError(`${desc.digest}: content goes on past its size of ${desc.size} bytes`);
  }
  if (bytes.byteLength < desc.size) {
    throw new MismatchedSizeError(
      `${desc.digest}: content ended after ${bytes.byteLength} of ${desc.size} bytes`,
    );
  }
  const digester = createDigesterFor(desc.digest);
  digester.update(bytes);
  const actual = digester.digest();
  if (actual !== desc.digest) throw new MismatchedDigestError(`${desc.digest}: content has digest ${actual}`);
}

/** The media type {@link pushBytes} uses when given none. */
export const DEFAULT_BLOB_MEDIA_TYPE = 'application/octet-stream';

/**
 * Describes `bytes` with a sha256 digest (or the given algorithm), as oras-go's
 * `content.NewDescriptorFromBytes`. An empty media type becomes `application/octet-stream`.
 */
export function descriptorOf(
  mediaType: string,
  bytes: Uint8Array,
  algorithm = DEFAULT_DIGEST_ALGORITHM,
): Descriptor {
  return {
    mediaType: mediaType || DEFAULT_BLOB_MEDIA_TYPE,
    digest: digestOf(bytes, algorithm),
    size: bytes.byteLength,
  };
}

/**
 * Pushes `bytes` under a descriptor computed from them and returns that descriptor. An empty
 * media type becomes `application/octet-stream`.
 */
export async function pushBytes(
  pusher: Pusher,
  mediaType: string,
  bytes: Uint8Array,
  options: OperationOptions = {},
): Promise<Descriptor> {
  const desc = descriptorOf(mediaType, bytes);
  await pusher.push(desc, bytes, options);
  return desc;
}

/** Checks that a descriptor names a valid digest and size; throws `InvalidArgumentError` otherwise. */
export function assertDescriptor(desc: Descriptor): void {
  if (desc === null || typeof desc !== 'object')
    throw new InvalidArgumentError('descriptor: expected an object');
  parseDigest(desc.digest);
  if (!Number.isSafeInteger(desc.size) || desc.size < 0) {
    throw new InvalidArgumentError(`${desc.digest}: invalid size ${String(desc.size)}`);
  }
}

/** Options of {@link toNodeReadable}. */
export interface ToNodeReadableOptions {
  /** How many bytes the Node stream buffers ahead of its reader (Node's default: 16 KiB). */
  readonly highWaterMark?: number | undefined;
  /** Destroys the Node stream (and cancels the web stream) when it aborts. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A Node.js `Readable` of a web `ReadableStream<Uint8Array>` (what `fetch` returns), for
 * `pipeline(toNodeReadable(stream), createWriteStream(path))`, `tar`, or anything else that takes
 * Node streams. Node pulls from the web stream only as its reader asks, so memory stays bounded.
 *
 * Why a helper: `Readable.fromWeb(stream)` is the same thing, but with the DOM library in
 * `lib` the web `ReadableStream` type is the DOM's, which `node:stream/web`'s does not accept,
 * and the call does not type-check. And why not the other way round,
 * `stream.pipeTo(Writable.toWeb(createWriteStream(path)))`: on Node.js 20 that writer accepts
 * every chunk at once, whatever the file's backpressure, so a 200 MB blob is held in memory.
 */
export function toNodeReadable(
  stream: ReadableStream<Uint8Array>,
  options: ToNodeReadableOptions = {},
): Readable {
  const nodeOptions: Pick<ReadableOptions, 'highWaterMark' | 'signal'> = {
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  return Readable.fromWeb(stream as unknown as NodeWebReadableStream<Uint8Array>, nodeOptions);
}
