/**
 * Small byte helpers private to the file store: turning a content source into chunks, verifying
 * size and digest as bytes pass, and listing a manifest's successors.
 *
 * Why private: the package-wide helpers (`verifyStream`, `successors`, `fetchAll`) are being
 * written alongside this store; these stay small and can give way to them.
 */
import type { FileHandle } from 'node:fs/promises';
import {
  AbortedError,
  createDigesterFor,
  type Descriptor,
  type Digester,
  InvalidManifestError,
  isIndexMediaType,
  isManifestMediaType,
  MediaType,
  MismatchedDigestError,
  MismatchedSizeError,
  SizeExceedsLimitError,
  TrailingDataError,
} from '@oras/spec';
import type { ContentSource } from '../interfaces.js';

/** Metadata (manifests, indexes) read into memory is capped at this many bytes. */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;

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

/** Writes `source` to an open file, verifying it against `expected`; the caller closes the file. */
export async function writeVerified(
  handle: FileHandle,
  source: ContentSource,
  expected: Descriptor,
  signal?: AbortSignal,
): Promise<void> {
  const verifier = new Verifier(expected);
  checkSignal(signal, expected);
  for await (const chunk of chunksOf(source)) {
    checkSignal(signal, expected);
    verifier.update(chunk);
    await handle.write(chunk);
  }
  verifier.finish();
}

/** Reads `source` into memory, verified against `expected`, refusing more than `limit` bytes. */
export async function readVerified(
  source: ContentSource,
  expected: Descriptor,
  limit: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (expected.size > limit) {
    throw new SizeExceedsLimitError(
      `${describe(expected)}: ${expected.size} bytes is over the limit of ${limit}`,
    );
  }
  const verifier = new Verifier(expected);
  const chunks: Uint8Array[] = [];
  checkSignal(signal, expected);
  for await (const chunk of chunksOf(source)) {
    checkSignal(signal, expected);
    verifier.update(chunk);
    chunks.push(chunk);
  }
  verifier.finish();
  return Buffer.concat(chunks);
}

/** A web stream of `source` that errors when the bytes do not match `expected`. */
export function verifiedStream(
  source: AsyncIterable<Uint8Array>,
  expected: Descriptor,
): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const verifier = new Verifier(expected);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const step = await iterator.next();
        if (step.done) {
          verifier.finish();
          controller.close();
          return;
        }
        const chunk = new Uint8Array(step.value.buffer, step.value.byteOffset, step.value.byteLength);
        verifier.update(chunk);
        controller.enqueue(chunk);
      },
      async cancel(reason) {
        await iterator.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The descriptors a manifest or index points to: subject, config and layers of a manifest
 * (OCI or Docker), subject and manifests of an index, subject and blobs of an artifact manifest.
 * Blobs have none.
 */
export function successorsOf(desc: Descriptor, bytes: Uint8Array): Descriptor[] {
  if (!isManifestMediaType(desc.mediaType)) return [];
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidManifestError(`${describe(desc)}: not valid json`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null) {
    throw new InvalidManifestError(`${describe(desc)}: not a json object`);
  }
  const out: Descriptor[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'object' && value !== null && typeof (value as Descriptor).digest === 'string') {
      out.push(value as Descriptor);
    }
  };
  add(doc.subject);
  if (isIndexMediaType(desc.mediaType)) {
    for (const m of Array.isArray(doc.manifests) ? doc.manifests : []) add(m);
  } else if (desc.mediaType === MediaType.ArtifactManifest) {
    for (const b of Array.isArray(doc.blobs) ? doc.blobs : []) add(b);
  } else {
    add(doc.config);
    for (const l of Array.isArray(doc.layers) ? doc.layers : []) add(l);
  }
  return out;
}
