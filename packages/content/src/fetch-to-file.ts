/**
 * Fetching content into a file safely: the bytes go to a temporary file next to the target, and
 * only content whose size and digest check out is renamed into place.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Descriptor } from '@oras/spec';
import type { Fetcher, OperationOptions } from './interfaces.js';
import { type ProgressHandler, withProgress } from './progress.js';
import { verifyStream } from './stream.js';

/** Options of {@link fetchToFile}. */
export interface FetchToFileOptions extends OperationOptions {
  /**
   * Flush the file to disk before it is renamed into place, and the folder after (default
   * `false`): slower, but the file survives a power cut once the promise resolves.
   */
  readonly fsync?: boolean | undefined;
  /** The mode of a new file (default `0o666`, less the process umask). */
  readonly mode?: number | undefined;
  /** Called as the bytes arrive. */
  readonly onProgress?: ProgressHandler | undefined;
}

/**
 * Fetches the content of `desc` from `fetcher` into the file `path`, replacing it. The bytes are
 * written to a temporary file in the same folder (`.<name>.<random>.partial`), checked against
 * the descriptor (size and digest) as they arrive, and renamed to `path` only when both match;
 * on any failure (a mismatch, an abort, a broken connection, a full disk) the temporary file is
 * removed and `path` is left as it was. Memory stays bounded: each chunk is written before the
 * next is read.
 *
 * Rejects with `NotFoundError`, `MismatchedDigestError`, `MismatchedSizeError`,
 * `TrailingDataError`, the fetcher's own errors, or the file system's.
 */
export async function fetchToFile(
  fetcher: Fetcher,
  desc: Descriptor,
  path: string,
  options: FetchToFileOptions = {},
): Promise<void> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  const source = await fetcher.fetch(desc, signal === undefined ? {} : { signal });
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  const reader = withProgress(verifyStream(source, desc), desc, options.onProgress).getReader();
  const onAbort = () => {
    reader.cancel(signal?.reason).catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let renamed = false;
  try {
    handle = await open(temp, 'wx', options.mode ?? 0o666);
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      for (let offset = 0; offset < value.byteLength; ) {
        const { bytesWritten } = await handle.write(value, offset, value.byteLength - offset);
        offset += bytesWritten;
      }
    }
    if (options.fsync) await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
    renamed = true;
    if (options.fsync) await syncFolder(dirname(target));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!renamed) {
      await reader.cancel().catch(() => undefined);
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }
}

/** Flushes a folder's entries (the rename) to disk; a platform that cannot is let be. */
async function syncFolder(folder: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a folder to sync it; the rename stands either way
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
