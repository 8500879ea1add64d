/**
 * Writing verified content to a file: size and digest are checked as the bytes pass, so a file
 * that does not match is never renamed into place. (Reading goes through the package's
 * `verifyStream`.)
 */
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
