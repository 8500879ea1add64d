/** Web streams over files, read on demand. @internal */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** The size of each read from disk (256 KiB). */
const READ_CHUNK = 256 * 1024;

/** Options of {@link fileStream}. @internal */
export interface FileStreamOptions {
  /**
   * Open only a regular file, never through a symlink: a symlink as the last component fails
   * with `ELOOP` (`O_NOFOLLOW`), anything else that is not a regular file (a FIFO, a device, a
   * folder) with `EINVAL`, without blocking on it.
   */
  readonly regularFileOnly?: boolean | undefined;
}

/**
 * A stream of `length` bytes of the file at `path` from `start` (the whole file by default). The
 * file is opened before the promise resolves (so a missing file rejects here, with the fs error),
 * read one chunk per pull, and closed at the end, on error and on cancel.
 */
export async function fileStream(
  path: string,
  start = 0,
  length?: number,
  options: FileStreamOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const handle: FileHandle = options.regularFileOnly ? await openRegularFile(path) : await open(path, 'r');
  const total = length ?? (await handle.stat()).size - start;
  let position = start;
  const end = start + total;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close().catch(() => undefined);
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const want = Math.min(READ_CHUNK, end - position);
          if (want <= 0) {
            await close();
            controller.close();
            return;
          }
          const buffer = new Uint8Array(want);
          const { bytesRead } = await handle.read(buffer, 0, want, position);
          if (bytesRead === 0) {
            await close();
            controller.close();
            return;
          }
          position += bytesRead;
          controller.enqueue(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
        } catch (err) {
          await close();
          controller.error(err);
        }
      },
      async cancel() {
        await close();
      },
    },
    { highWaterMark: 0 },
  );
  return stream;
}

/** Opens `path` for reading when it is a regular file, not a symlink to one (see {@link FileStreamOptions}). */
async function openRegularFile(path: string): Promise<FileHandle> {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it changes nothing for regular files.
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const info = await handle.stat().catch(async (err: unknown) => {
    await handle.close().catch(() => undefined);
    throw err;
  });
  if (!info.isFile()) {
    await handle.close().catch(() => undefined);
    throw Object.assign(new Error(`${path}: not a regular file`), { code: 'EINVAL', path });
  }
  return handle;
}

/** Whether an error is a Node fs error with the given code (`ENOENT`, `EEXIST`, ...). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
