/**
 * Resuming an upload: after a failed `PATCH` or `PUT`, the upload status (`GET` on the upload
 * URL) says how many bytes the registry holds, and the upload goes on from there. Which failures
 * are worth it: 5xx, 408, 416 and 429 answers; connection failures are judged by each mode. And
 * when the session itself is lost: which failures are worth checking whether the blob landed, and
 * starting over when it did not.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks
 */
import type { OperationOptions } from '@oras/content';
import { ErrorCode, OrasError } from '@oras/spec';
import { ResponseError } from '../../errors.js';
import { discard, header } from '../../http.js';
import { resolveUploadLocation } from '../../urls.js';
import { type RepositoryContext, signalOf } from '../context.js';
import type { UploadSession } from './session.js';

/**
 * `GET` on the upload URL: how many bytes the registry holds (from `Range: 0-<last>`), or
 * undefined when the session is gone. Follows a new `Location`.
 */
export async function uploadStatus(
  ctx: RepositoryContext,
  session: UploadSession,
  options: OperationOptions,
): Promise<number | undefined> {
  const res = await ctx.metadata('GET', session.location, options, async (o) => {
    const answer = await ctx.send({
      method: 'GET',
      url: session.location,
      scopes: ctx.scopes('pull', 'push'),
      ...signalOf(o),
    });
    await discard(answer);
    return answer;
  });
  if (res.statusCode !== 204 && res.statusCode !== 200) return undefined;
  const location = header(res.headers, 'location');
  if (location) session.location = resolveUploadLocation(location, res.url);
  const match = /^(?:bytes=)?0-(\d+)$/.exec(header(res.headers, 'range') ?? '');
  if (!match) return 0;
  const last = Number(match[1]);
  // distribution answers 0-0 for an empty upload
  return last === 0 && session.offset === 0 ? 0 : last + 1;
}

/** Whether a registry's answer to an upload request is worth resuming after. */
export function isResumable(err: unknown): boolean {
  if (!ResponseError.is(err)) return false;
  return err.statusCode >= 500 || err.statusCode === 416 || err.statusCode === 408 || err.statusCode === 429;
}

/**
 * Whether an upload that failed this way may have landed anyway, or lost only its session: a
 * commit whose answer never came (timeout, broken connection), or that the retry layer sent
 * again to a session the first attempt had already closed (`404 BLOB_UPLOAD_UNKNOWN`), or could
 * not send again; 5xx and the like. Then the blob's existence settles it, and when it is not
 * there the upload can start over. Refusals of the content itself (`DIGEST_INVALID`, a size
 * mismatch) and of the client (401, 403) are final.
 */
export function isRestartable(err: unknown): boolean {
  if (ResponseError.is(err)) return err.statusCode === 404 || isResumable(err);
  return (
    OrasError.is(err) &&
    (err.code === ErrorCode.Network ||
      err.code === ErrorCode.Timeout ||
      err.code === ErrorCode.ResendRequired)
  );
}
