/**
 * The monolithic upload: the whole blob in the closing `PUT ?digest=` of a session. Bytes (a blob
 * up to `DEFAULT_BUFFERED_UPLOAD_BYTES` is read into memory by `upload.ts`) are verified first and
 * can be sent again after a challenge or a 5xx; a larger stream is sent once, and the registry
 * checks its digest.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#post-then-put
 */
import type { ContentSource, OperationOptions } from '@oras/content';
import { toReadableStream } from '@oras/content';
import { type Descriptor, ErrorCode, OrasError } from '@oras/spec';
import { discard, toResponseError } from '../../http.js';
import { sizedChunks } from '../../upload-source.js';
import { toBytes, verifyBytes } from '../bytes.js';
import { type RepositoryContext, signalOf } from '../context.js';
import type { UploadSession } from './session.js';

/** Sends `content` (of descriptor `expected`) in one `PUT ?digest=` that closes `session`. */
export async function uploadMonolithic(
  ctx: RepositoryContext,
  session: UploadSession,
  expected: Descriptor,
  content: ContentSource,
  options: OperationOptions,
): Promise<void> {
  const bytes = toBytes(content);
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
