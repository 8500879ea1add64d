/**
 * An overall deadline for metadata requests. The transport's timeout (`timeoutMs`) bounds
 * silences only: a registry that sends one byte a second never trips it, and would hold a
 * manifest, tag list or token request for ever. A metadata exchange (the request, its retries and
 * the reading of its answer) gets this deadline on top, and fails with `ORAS_ERR_TIMEOUT` when it
 * runs out. Blob transfers do not: their size is unbounded, and they resume instead.
 */
import type { OperationOptions } from '@oras/content';
import { TimeoutError } from '@oras/spec';

/**
 * Runs `exchange` with a signal that also fires after `ms` milliseconds (none when `ms` is 0 or
 * not a finite positive number). When the deadline fired (and not the caller's own signal), the
 * failure it caused becomes a `TimeoutError` (code `ORAS_ERR_TIMEOUT`) naming `what`.
 */
export async function withDeadline<T, O extends OperationOptions>(
  ms: number,
  what: string,
  options: O,
  exchange: (options: O) => Promise<T>,
): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) return exchange(options);
  const deadline = AbortSignal.timeout(ms);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    return await exchange({ ...options, signal });
  } catch (err) {
    if (deadline.aborted && !options.signal?.aborted) {
      throw new TimeoutError(`${what}: timed out (no complete answer within ${formatMs(ms)})`, {
        cause: err,
      });
    }
    throw err;
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
