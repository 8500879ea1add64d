/**
 * Byte-level progress: a hook called as the bytes of one piece of content move, for progress
 * bars and transfer rates (`copy`, `extendedCopy`, `fetchReference`, `fetchToFile`).
 */
import type { Descriptor } from '@oras/spec';
import { tapStream } from './stream.js';

/** How far the transfer of one piece of content has come. */
export interface TransferProgress {
  /** The content that is moving. */
  readonly descriptor: Descriptor;
  /**
   * The bytes moved so far. A transfer that starts over (a copy that retries a destination
   * failure) counts from 0 again.
   */
  readonly bytes: number;
  /** The size of the content: `descriptor.size`. */
  readonly total: number;
}

/**
 * Called as bytes move, once per chunk (chunks are typically 16 KiB to 1 MiB): keep it cheap,
 * and throttle what it draws. An exception it throws fails the transfer.
 */
export type ProgressHandler = (progress: TransferProgress) => void;

/**
 * A stream of the same chunks as `stream` that calls `onProgress` as each chunk passes; `stream`
 * itself when there is no handler. A stream that verifies itself stays marked so.
 */
export function withProgress(
  stream: ReadableStream<Uint8Array>,
  descriptor: Descriptor,
  onProgress: ProgressHandler | undefined,
): ReadableStream<Uint8Array> {
  if (onProgress === undefined) return stream;
  let bytes = 0;
  return tapStream(stream, (chunk) => {
    bytes += chunk.byteLength;
    onProgress({ descriptor, bytes, total: descriptor.size });
  });
}
