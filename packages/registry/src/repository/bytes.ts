/**
 * Content held in memory (manifests, indexes, small blobs): read from a source with a cap, and
 * checked against its descriptor before it is sent or trusted.
 */
import type { ContentSource } from '@oras/content';
import { toReadableStream } from '@oras/content';
import {
  createDigesterFor,
  type Descriptor,
  MismatchedDigestError,
  MismatchedSizeError,
  SizeExceedsLimitError,
  TrailingDataError,
} from '@oras/spec';

/** The bytes of a source that already is bytes, else undefined. */
export function toBytes(source: ContentSource): Uint8Array | undefined {
  return source instanceof Uint8Array ? source : undefined;
}

/** Reads a source whole; rejects with `SizeExceedsLimitError` past `maxBytes` (`what` names it). */
export async function readSource(source: ContentSource, maxBytes: number, what: string): Promise<Uint8Array> {
  const direct = toBytes(source);
  if (direct) {
    if (direct.byteLength > maxBytes)
      throw new SizeExceedsLimitError(`${what}: size exceeds the limit of ${maxBytes} bytes`);
    return direct;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = toReadableStream(source).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new SizeExceedsLimitError(`${what}: size exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Checks bytes against their descriptor: size first (trailing data, short), then digest. */
export function verifyBytes(bytes: Uint8Array, expected: Descriptor): void {
  if (bytes.byteLength > expected.size) {
    throw new TrailingDataError(
      `${expected.digest}: content goes on past its size of ${expected.size} bytes`,
    );
  }
  if (bytes.byteLength !== expected.size) {
    throw new MismatchedSizeError(
      `${expected.digest}: content is ${bytes.byteLength} bytes, expected ${expected.size}`,
    );
  }
  const digester = createDigesterFor(expected.digest);
  digester.update(bytes);
  const actual = digester.digest();
  if (actual !== expected.digest)
    throw new MismatchedDigestError(`${expected.digest}: content has digest ${actual}`);
}
