/**
 * A blob download that survives a broken connection: when the body fails before `size` bytes, the
 * download is asked again with `Range: bytes=<received>-` and continues if the registry (or the
 * storage it redirects to) answers `206` with the matching `Content-Range`. The bytes then pass
 * the verifying stream of `@oras/content`, so nothing unverified reaches the consumer.
 */
import { verifyStream } from '@oras/content';
import { type Descriptor, MismatchedSizeError } from '@oras/spec';
import type { RegistryResponse } from './http.js';
import { abandon, discard, header } from './http.js';

/** How many times one download is resumed before its error is passed on. */
export const DEFAULT_MAX_RESUMES = 5;

/** Opens the download again from `offset` (with a `Range` header); resolves to the raw response. */
export type ReopenFunc = (offset: number) => Promise<RegistryResponse>;

/** Checks that a ranged answer continues at `offset`; otherwise discards it and throws. */
async function checkResumed(res: RegistryResponse, offset: number, desc: Descriptor): Promise<void> {
  const range = header(res.headers, 'content-range');
  const match = range ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(range) : null;
  if (res.statusCode !== 206 || !match || Number(match[1]) !== offset) {
    await discard(res);
    throw new MismatchedSizeError(
      `${desc.digest}: download broke after ${offset} of ${desc.size} bytes and the registry cannot resume it (status ${res.statusCode}${range ? `, content-range ${range}` : ''})`,
    );
  }
}

/**
 * Returns the verified content of `desc` from a `200` response, resuming with `reopen` when the
 * connection breaks. Cancelling the stream releases the connection.
 */
export function resumableBlobStream(
  first: RegistryResponse,
  desc: Descriptor,
  reopen: ReopenFunc,
  maxResumes: number = DEFAULT_MAX_RESUMES,
): ReadableStream<Uint8Array> {
  let current = first;
  let iterator = (current.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let received = 0;
  let resumes = 0;
  const raw = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          try {
            const next = await iterator.next();
            if (next.done) {
              controller.close();
              return;
            }
            received += next.value.byteLength;
            controller.enqueue(next.value);
            return;
          } catch (err) {
            if (received >= desc.size || resumes >= maxResumes) {
              controller.error(err);
              return;
            }
            resumes++;
            try {
              abandon(current.body);
              current = await reopen(received);
              await checkResumed(current, received, desc);
              iterator = (current.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
            } catch (resumeError) {
              controller.error(resumeError);
              return;
            }
          }
        }
      },
      async cancel() {
        abandon(current.body);
      },
    },
    { highWaterMark: 0 },
  );
  return verifyStream(raw, desc);
}
