/** Web streams over files, read on demand. @internal */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** The size of each read from disk (256 KiB). */
const READ_CHUNK = 256 * 1024;

/**
 * A stream of `length` bytes of the file at `path` from `start` (the whole file by default). The
 * file is opened before the promise resolves (so a missing file rejects here, with the fs error),
 * read one chunk per pull, and closed at the end, on error and on cancel.
 */
export async function fileStream(
  path: string,
  start = 0,
  length?: number,
): Promise<ReadableStream<Uint8Array>> {
  const handle: FileHandle = await open(path, 'r');
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

/** Whether an error is a Node fs error with the given code (`ENOENT`, `EEXIST`, ...). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
