/**
 * An upload session: opened with `POST` (or a mount attempt), closed with `PUT ?digest=`, or
 * cancelled with `DELETE`. Every upload mode (monolithic, chunked, streamed) runs inside one.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 */
import { Readable } from 'node:stream';
import type { OperationOptions } from '@oras/content';
import { discard, header, toResponseError } from '../../http.js';
import { resolveUploadLocation } from '../../urls.js';
import { type RepositoryContext, signalOf } from '../context.js';
import { DEFAULT_MAX_UPLOAD_RESUMES } from '../options.js';
import { isResumable, uploadStatus } from './resume.js';

/** One open upload session: its current location and how many bytes the registry holds. */
export interface UploadSession {
  location: URL;
  offset: number;
  /** The registry's `OCI-Chunk-Min-Length` (0 when it sent none). */
  minChunk: number;
}

/** `POST /blobs/uploads/`: opens an upload session, or mounts when `mount` is given (201). */
export async function startUpload(
  ctx: RepositoryContext,
  mount: { digest: string; from: string } | undefined,
  options: OperationOptions,
): Promise<UploadSession | 'mounted'> {
  const url = ctx.url('blobs/uploads/');
  if (mount) {
    url.searchParams.set('mount', mount.digest);
    url.searchParams.set('from', mount.from);
  }
  const res = await ctx.metadata('POST', url, options, async (o) => {
    const answer = await ctx.send({
      method: 'POST',
      url,
      scopes: mount
        ? [...ctx.scopes('pull', 'push'), `repository:${mount.from}:pull`]
        : ctx.scopes('pull', 'push'),
      ...signalOf(o),
    });
    if (answer.statusCode !== 202 && !(mount && answer.statusCode === 201))
      throw await toResponseError('POST', answer);
    await discard(answer);
    return answer;
  });
  if (mount && res.statusCode === 201) return 'mounted';
  const minChunk = Number(header(res.headers, 'oci-chunk-min-length') ?? '0');
  return {
    location: resolveUploadLocation(header(res.headers, 'location'), res.url),
    offset: 0,
    minChunk: Number.isSafeInteger(minChunk) && minChunk > 0 ? minChunk : 0,
  };
}

/**
 * Closes an upload with `PUT ?digest=`, carrying the last piece. When the `PUT` fails, the upload
 * status says what the registry holds and the rest is sent again; when the upload is gone
 * because the `PUT` did land, the blob's existence settles it.
 */
export async function commitUpload(
  ctx: RepositoryContext,
  session: UploadSession,
  digest: string,
  last: Uint8Array,
  options: OperationOptions,
): Promise<void> {
  const start = session.offset;
  let sent = 0;
  for (let attempt = 0; ; attempt++) {
    const piece = last.subarray(sent);
    const url = new URL(session.location);
    url.searchParams.set('digest', digest);
    const first = start + sent;
    let failure: unknown;
    try {
      const res = await ctx.send({
        method: 'PUT',
        url,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(piece.byteLength),
          ...(piece.byteLength > 0 ? { 'content-range': `${first}-${first + piece.byteLength - 1}` } : {}),
        },
        // a function body: re-sent by the auth client after a challenge, never by the retry layer
        body: piece.byteLength > 0 ? () => Readable.from([piece]) : null,
        scopes: ctx.scopes('pull', 'push'),
        ...signalOf(options),
      });
      if (res.statusCode === 201) {
        await discard(res);
        session.offset = start + last.byteLength;
        return;
      }
      failure = await toResponseError('PUT', res);
      if (!isResumable(failure)) throw failure;
    } catch (err) {
      if (options.signal?.aborted || (err === failure && !isResumable(err))) throw err;
      failure = err;
    }
    if (attempt >= DEFAULT_MAX_UPLOAD_RESUMES) throw failure;
    const held = await uploadStatus(ctx, session, options);
    if (held === undefined) {
      const blob = { mediaType: 'application/octet-stream', digest, size: start + last.byteLength };
      if (await ctx.exists('blobs', blob, options)) return;
      throw failure;
    }
    if (held < start || held > start + last.byteLength) throw failure;
    sent = held - start;
  }
}

/** `DELETE` on the upload URL, best effort: a session left open expires on its own. */
export async function cancelUpload(ctx: RepositoryContext, session: UploadSession): Promise<void> {
  try {
    const res = await ctx.client.request({
      method: 'DELETE',
      url: session.location,
      scopes: ctx.scopes('pull', 'push'),
    });
    await discard(res);
  } catch {
    // the session expires on its own
  }
}
