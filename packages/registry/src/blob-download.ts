/**
 * A blob download that survives a broken connection: when the body fails before `size` bytes, the
 * download is asked again with `Range: bytes=<received>-` and continues if the registry (or the
 * storage it redirects to) answers `206` with the matching `Content-Range`. Size and digest are
 * checked as the bytes pass, with the errors of `verifyStream` in `@oras/content`: the stream
 * never ends normally for content that does not match.
 *
 * Why not `verifyStream` on top: one stream layer instead of two halves the per-chunk overhead of
 * a large download, and the check is the same.
 */
import {
  createDigesterFor,
  type Descriptor,
  MismatchedDigestError,
  MismatchedSizeError,
  OrasError,
  TrailingDataError,
} from '@oras/spec';
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
  const digester = createDigesterFor(desc.digest);
  let current = first;
  let iterator = (current.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let received = 0;
  let resumes = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          try {
            const next = await iterator.next();
            if (next.done) {
              if (received < desc.size) {
                throw new MismatchedSizeError(
                  `${desc.digest}: content ended after ${received} of ${desc.size} bytes`,
                );
              }
              const actual = digester.digest();
              if (actual !== desc.digest)
                throw new MismatchedDigestError(`${desc.digest}: content has digest ${actual}`);
              controller.close();
              return;
            }
            received += next.value.byteLength;
            if (received > desc.size) {
              abandon(current.body);
              throw new TrailingDataError(
                `${desc.digest}: content goes on past its size of ${desc.size} bytes`,
              );
            }
            digester.update(next.value);
            controller.enqueue(next.value);
            return;
          } catch (err) {
            if (OrasError.is(err) || received >= desc.size || resumes >= maxResumes) {
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
}
