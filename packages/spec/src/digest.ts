/**
 * Digests: parse and validate per the image-spec grammar, compute from bytes and incrementally.
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 */
import { createHash, type Hash } from 'node:crypto';
import { InvalidDigestError, UnsupportedError } from './errors.js';

/** The digest algorithms this package computes and verifies. */
export const DigestAlgorithm = {
  /** SHA-256, 64 lower-case hex characters. The default. */
  SHA256: 'sha256',
  /** SHA-512, 128 lower-case hex characters. */
  SHA512: 'sha512',
} as const;

/** One of the {@link DigestAlgorithm} values. */
export type DigestAlgorithm = (typeof DigestAlgorithm)[keyof typeof DigestAlgorithm];

/** The algorithm used when none is named. */
export const DEFAULT_DIGEST_ALGORITHM: DigestAlgorithm = DigestAlgorithm.SHA256;

const ENCODED_PATTERN: Record<DigestAlgorithm, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

/** The general grammar: `algorithm-component ([+._-] algorithm-component)* ":" [a-zA-Z0-9=_-]+`. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A valid sha256 digest: nearly every digest parsed, checked with one test (see parseDigest). */
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const SHA256_PREFIX = 'sha256:'.length;

/** A parsed digest. */
export interface ParsedDigest {
  /** The algorithm, e.g. `sha256`. */
  readonly algorithm: DigestAlgorithm;
  /** The encoded hash (lower-case hex). */
  readonly encoded: string;
}

const MAX_SHOWN = 80;

function show(value: string): string {
  const printable = JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value);
  return printable;
}

/**
 * Parses and validates a digest. Throws {@link InvalidDigestError} for a string that breaks the
 * grammar or the algorithm's exact length, and {@link UnsupportedError} for a well-formed digest of
 * an algorithm other than sha256 and sha512.
 */
export function parseDigest(digest: string): ParsedDigest {
  // A transfer parses each digest several times (copy, stores, requests): the common case first.
  if (typeof digest === 'string' && digest.length === 71 && SHA256_DIGEST.test(digest)) {
    return { algorithm: 'sha256', encoded: digest.slice(SHA256_PREFIX) };
  }
  if (typeof digest !== 'string' || digest.length === 0) {
    throw new InvalidDigestError('invalid digest: empty; expected <algorithm>:<hex>, e.g. sha256:<64 hex>');
  }
  if (!DIGEST_GRAMMAR.test(digest)) {
    throw new InvalidDigestError(
      `invalid digest ${show(digest)}: expected <algorithm>:<hex>, e.g. sha256:<64 hex>`,
    );
  }
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new UnsupportedError(`unsupported digest algorithm ${show(algorithm)}: expected sha256 or sha512`);
  }
  if (!ENCODED_PATTERN[algorithm].test(encoded)) {
    const length = algorithm === 'sha256' ? 64 : 128;
    throw new InvalidDigestError(
      `invalid digest ${show(digest)}: ${algorithm} needs exactly ${length} lower-case hex characters`,
    );
  }
  return { algorithm, encoded };
}

/** Whether a string is a valid digest of a supported algorithm. */
export function isDigest(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

/** Computes the digest of bytes (sha256 unless named). */
export function digestOf(
  data: Uint8Array | string,
  algorithm: DigestAlgorithm = DEFAULT_DIGEST_ALGORITHM,
): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/**
 * An incremental digest computation: feed chunks with `update`, read the result with `digest`.
 * `digest()` may be called once; `bytes` counts what was fed.
 */
export interface Digester {
  /** The algorithm being computed. */
  readonly algorithm: DigestAlgorithm;
  /** The number of bytes fed so far. */
  readonly bytes: number;
  /** Feeds a chunk. */
  update(chunk: Uint8Array): void;
  /** Finishes and returns `algorithm:hex`. */
  digest(): string;
}

class NodeDigester implements Digester {
  readonly algorithm: DigestAlgorithm;
  bytes = 0;
  readonly #hash: Hash;

  constructor(algorithm: DigestAlgorithm) {
    this.algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  digest(): string {
    return `${this.algorithm}:${this.#hash.digest('hex')}`;
  }
}

/** Starts an incremental digest of the given algorithm (sha256 unless named). */
export function createDigester(algorithm: DigestAlgorithm = DEFAULT_DIGEST_ALGORITHM): Digester {
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new UnsupportedError(`unsupported digest algorithm ${show(String(algorithm))}`);
  }
  return new NodeDigester(algorithm);
}

/** Starts a digest of the same algorithm as `digest` (which is validated first). */
export function createDigesterFor(digest: string): Digester {
  return createDigester(parseDigest(digest).algorithm);
}

/** Computes the digest of a stream of chunks (a web `ReadableStream` or any async iterable). */
export async function digestOfStream(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  algorithm: DigestAlgorithm = DEFAULT_DIGEST_ALGORITHM,
): Promise<{ digest: string; size: number }> {
  const digester = createDigester(algorithm);
  for await (const chunk of source as AsyncIterable<Uint8Array>) digester.update(chunk);
  return { digest: digester.digest(), size: digester.bytes };
}
