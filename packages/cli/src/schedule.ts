/**
 * How many blobs move at once. A small blob is bound by round trips, not bandwidth: moving it
 * one `--concurrency` slot at a time leaves the connection idle most of the time. So a blob under
 * {@link SMALL_BLOB_BYTES} takes one share of a pool of `concurrency` x {@link SMALL_BLOB_WIDTH}
 * shares and a larger one takes {@link SMALL_BLOB_WIDTH}: `concurrency` large blobs at once, as
 * before, or up to that many times as many small ones, or a mix.
 */

/** Below this size a blob counts as small. */
export const SMALL_BLOB_BYTES = 1024 * 1024;

/** How many small blobs move in the slot of one large one. */
export const SMALL_BLOB_WIDTH = 4;

/** The shares of a blob of `size` bytes. */
export function sharesOf(size: number): number {
  return size < SMALL_BLOB_BYTES ? 1 : SMALL_BLOB_WIDTH;
}

/**
 * How many small blobs `@oras/content`'s copy (`oras pull`, `oras cp`) moves in the slot of one
 * large one: `concurrency` x 16 small blobs at once (keep in step with its `SMALL_WIDTH`).
 */
export const COPY_SMALL_BLOB_WIDTH = 16;

/**
 * The connections per registry a run needs for `concurrency`: every small-blob slot of push's
 * schedule, and one for every two of copy's (the second request of each waits queued on the
 * connection, sent the moment the first one's answer ends: see `SMALL_WIDTH` in
 * `@oras/content`'s copy), plus two. undici opens them only as requests need them.
 */
export function connectionsFor(concurrency: number): number {
  return Math.max(concurrency, 1) * Math.max(SMALL_BLOB_WIDTH, COPY_SMALL_BLOB_WIDTH / 2) + 2;
}

/**
 * Runs `work` on every item, each holding `sharesOf(size(item))` of `concurrency` x
 * {@link SMALL_BLOB_WIDTH} shares while it runs, in order (a large blob waiting for its shares
 * holds back the small ones after it, so it is not starved). Rejects with the first failure, after
 * the running items settle, and starts nothing after it.
 */
export async function runWeighted<T>(
  items: readonly T[],
  concurrency: number,
  size: (item: T) => number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const capacity = Math.max(1, concurrency) * SMALL_BLOB_WIDTH;
  let free = capacity;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const running = new Set<Promise<void>>();
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (failure === undefined && next < items.length) {
        const item = items[next] as T;
        const shares = Math.min(sharesOf(size(item)), capacity);
        if (shares > free) break;
        next++;
        free -= shares;
        const task = work(item).then(
          () => undefined,
          (error: unknown) => {
            failure ??= { error };
          },
        );
        const settled = task.finally(() => {
          free += shares;
          running.delete(settled);
          pump();
        });
        running.add(settled);
      }
      if (running.size === 0) resolve();
    };
    pump();
  });
  if (failure !== undefined) throw failure.error;
}
