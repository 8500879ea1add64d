/**
 * Paged listings (`tags()`, `referrers()`, `repositories()`) are `AsyncIterable<T[]>`: one array
 * per page, so a caller can stop early without fetching the rest. {@link collectPages} reads
 * them into one array when all of it is wanted (Node.js 20 has no `Array.fromAsync`).
 */
import { InvalidArgumentError } from '@oras/spec';
import type { OperationOptions } from './interfaces.js';

/** Options of {@link collectPages}. */
export interface CollectPagesOptions extends OperationOptions {
  /** Stop after this many items (the pages after are never fetched); all of them when absent. */
  readonly limit?: number | undefined;
}

/**
 * Reads the pages of `pages` into one array, in order: `await collectPages(repo.tags())`. With
 * `limit`, stops (and closes the listing, so no further page is fetched) once that many items
 * are in. Rejects with the listing's error, or with the signal's reason once it aborts.
 */
export async function collectPages<T>(
  pages: AsyncIterable<readonly T[]>,
  options: CollectPagesOptions = {},
): Promise<T[]> {
  const { limit, signal } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new InvalidArgumentError(`collect pages: limit must be a whole number, got ${String(limit)}`);
  }
  const out: T[] = [];
  signal?.throwIfAborted();
  if (limit === 0) return out;
  for await (const page of pages) {
    signal?.throwIfAborted();
    for (const item of page) {
      out.push(item);
      if (limit !== undefined && out.length >= limit) return out;
    }
  }
  return out;
}
