/**
 * An overall deadline for metadata requests. The transport's timeout (`timeoutMs`) bounds
 * silences only: a registry that sends one byte a second never trips it, and would hold a
 * manifest, tag list or token request for ever. A metadata exchange (the request, its retries and
 * the reading of its answer) gets this deadline on top, and fails with `ORAS_ERR_TIMEOUT` when it
 * runs out. Blob transfers do not: their size is unbounded, and they resume instead.
 */
import type { OperationOptions } from '@oras/content';
import { ConnectionError, TimeoutError } from '@oras/spec';

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

/**
 * How many times a metadata `GET` is sent again from the start when its answer broke mid-body
 * and the registry could not resume it.
 */
export const METADATA_RESTARTS = 2;

/**
 * Whether `err` says that an answer broke mid-body and that resuming it failed: the transport
 * (undici's `RetryHandler`) asked for the rest with `Range`, and the registry answered with the
 * whole body again (distribution does so for manifests and tag lists: it ignores `Range` there),
 * with other bytes, or with an error.
 */
export function isUnresumable(err: unknown): boolean {
  return (
    ConnectionError.is(err) && (err.cause as { code?: unknown } | undefined)?.code === 'UND_ERR_REQ_RETRY'
  );
}

/**
 * Runs a `GET` exchange (which reads its answer whole), and runs it again from the start, up to
 * {@link METADATA_RESTARTS} times, when its answer broke mid-body and could not be resumed
 * ({@link isUnresumable}). Why: the transport resumes a broken body with `Range`, which a
 * registry that ignores `Range` answers with the whole body; the transport must then give up
 * (what it handed on already cannot be taken back), but a small answer read whole can simply be
 * asked for again. A broken connection that resuming would have fixed never reaches here, and
 * every other failure (and an abort) is thrown at once.
 */
export async function restartingUnresumable<T, O extends OperationOptions>(
  options: O,
  exchange: (options: O) => Promise<T>,
): Promise<T> {
  for (let restart = 0; ; restart++) {
    try {
      return await exchange(options);
    } catch (err) {
      if (restart >= METADATA_RESTARTS || options.signal?.aborted || !isUnresumable(err)) throw err;
    }
  }
}

/**
 * A metadata `GET` exchange: under the deadline of {@link withDeadline}, and started over when
 * its answer broke and could not be resumed ({@link restartingUnresumable}).
 */
export function withDeadlineRestarting<T, O extends OperationOptions>(
  ms: number,
  what: string,
  options: O,
  exchange: (options: O) => Promise<T>,
): Promise<T> {
  return withDeadline(ms, what, options, (deadlined) => restartingUnresumable(deadlined, exchange));
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
