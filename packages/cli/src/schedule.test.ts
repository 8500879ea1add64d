import { describe, expect, it } from 'vitest';
import {
  COPY_SMALL_BLOB_WIDTH,
  connectionsFor,
  runWeighted,
  SMALL_BLOB_BYTES,
  SMALL_BLOB_WIDTH,
} from './schedule.js';

/** Runs `sizes` through runWeighted, finishing the running items one at a time, oldest first. */
async function trace(sizes: readonly number[], concurrency: number) {
  const log: string[] = [];
  const running: (() => void)[] = [];
  let peak = 0;
  const done = runWeighted(
    sizes.map((size, i) => ({ size, i })),
    concurrency,
    (item) => item.size,
    (item) =>
      new Promise<void>((resolve) => {
        log.push(`start ${item.i}`);
        running.push(() => {
          log.push(`end ${item.i}`);
          resolve();
        });
        peak = Math.max(peak, running.length);
      }),
  );
  // let the scheduler start what it may, then finish one at a time
  for (;;) {
    await new Promise((r) => setImmediate(r));
    const next = running.shift();
    if (next === undefined) break;
    next();
  }
  await done;
  return { log, peak };
}

describe('runWeighted', () => {
  const small = 4096;
  const large = SMALL_BLOB_BYTES;

  it('moves small blobs SMALL_BLOB_WIDTH times as wide as the concurrency', async () => {
    const { peak } = await trace(Array(20).fill(small), 2);
    expect(peak).toBe(2 * SMALL_BLOB_WIDTH);
  });

  it('moves at most `concurrency` large blobs at once', async () => {
    const { peak } = await trace(Array(10).fill(large), 3);
    expect(peak).toBe(3);
  });

  it('starts items in order: a large blob waiting for room holds back the small ones after it', async () => {
    const { log } = await trace([small, small, large, small], 1);
    expect(log.slice(0, 4)).toEqual(['start 0', 'start 1', 'end 0', 'end 1']);
    expect(log.indexOf('start 2')).toBeLessThan(log.indexOf('start 3'));
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      runWeighted(
        [0, 1, 2, 3, 4, 5],
        1,
        () => large,
        async (i) => {
          started.push(i);
          if (i === 1) throw new Error('boom');
        },
      ),
    ).rejects.toThrow('boom');
    expect(started).toEqual([0, 1]);
  });

  it("sizes the connection pool for every small-blob slot of push and every two of copy's", () => {
    expect(SMALL_BLOB_WIDTH).toBe(4);
    expect(COPY_SMALL_BLOB_WIDTH).toBe(16);
    expect(connectionsFor(3)).toBe(3 * 8 + 2);
    expect(connectionsFor(0)).toBe(8 + 2);
  });
});
