/**
 * The monolithic upload: the whole blob in the closing `PUT ?digest=` of a session. A blob up to
 * {@link DEFAULT_BUFFERED_UPLOAD_BYTES} is read into memory first and verified, so the request can
 * be sent again after a challenge or a 5xx; a larger one streams once, and the registry checks
 * its digest.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#post-then-put
 */
import type { ContentSource, OperationOptions } from '@oras/content';
import { toReadableStream } from '@oras/content';
import { type Descriptor, ErrorCode, OrasError, SizeExceedsLimitError, TrailingDataError } from '@oras/spec';
import { discard, toResponseError } from '../../http.js';
import { sizedChunks } from '../../upload-source.js';
import { readSource, toBytes, verifyBytes } from '../bytes.js';
import { type RepositoryContext, signalOf } from '../context.js';
import { DEFAULT_BUFFERED_UPLOAD_BYTES } from '../options.js';
import type { UploadSession } from './session.js';

/** Sends `content` (of descriptor `expected`) in one `PUT ?digest=` that closes `session`. */
export async function uploadMonolithic(
  ctx: RepositoryContext,
  session: UploadSession,
  expected: Descriptor,
  content: ContentSource,
  options: OperationOptions,
): Promise<void> {
  let bytes = toBytes(content);
  if (!bytes && expected.size <= DEFAULT_BUFFERED_UPLOAD_BYTES) {
    // small enough to hold: bytes can be re-sent after a challenge or a 5xx, a stream cannot
    bytes = await readSource(content, expected.size + 1, expected.digest).catch((err: unknown) => {
      if (SizeExceedsLimitError.is(err)) {
        throw new TrailingDataError(
          `${expected.digest}: content goes on past its size of ${expected.size} bytes`,
        );
      }
      throw err;
    });
  }
  if (bytes) verifyBytes(bytes, expected);
  let used = false;
  const body =
    bytes ??
    (() => {
      if (used) {
        return toReadableStream(
          (async function* () {
            yield* [];
            throw new OrasError(
              `${expected.digest}: the upload must be sent again but its content was a one-shot stream`,
              { code: ErrorCode.ResendRequired },
            );
          })(),
        );
      }
      used = true;
      return sizedChunks(content, expected);
    });
  const url = new URL(session.location);
  url.searchParams.set('digest', expected.digest);
  const res = await ctx.send({
    method: 'PUT',
    url,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(expected.size) },
    body,
    scopes: ctx.scopes('pull', 'push'),
    ...signalOf(options),
  });
  if (res.statusCode !== 201) throw await toResponseError('PUT', res);
  await discard(res);
}
