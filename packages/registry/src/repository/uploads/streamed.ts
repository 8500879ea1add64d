/**
 * The streamed upload: a reopenable source (a file) in one `PATCH` without `Content-Range` (the
 * registry appends), hashed on the way (or by someone else, ahead of it: see `hash-ahead.ts`), so
 * a blob of unknown digest moves as fast as the registry takes bytes. A broken request resumes
 * from the upload status by reopening the source there.
 */
import { Readable } from 'node:stream';
import { type Digester, ErrorCode, OrasError } from '@oras/spec';
import { ResponseError } from '../../errors.js';
import { discard, header, toResponseError } from '../../http.js';
import { hashedFrom, type ReopenableSource } from '../../upload-source.js';
import { resolveUploadLocation } from '../../urls.js';
import { type RepositoryContext, signalOf } from '../context.js';
import { DEFAULT_MAX_UPLOAD_RESUMES, type PushStreamOptions } from '../options.js';
import { isResumable, uploadStatus } from './resume.js';
import type { UploadSession } from './session.js';

/** The size of the reads from a reopenable source (a file). */
export const FILE_READ_CHUNK = 1024 * 1024;
/** Node stream options of upload bodies: byte chunks, one chunk read ahead. */
const READ_OPTIONS = { objectMode: false, highWaterMark: FILE_READ_CHUNK } as const;

/**
 * Sends a reopenable source in one streamed `PATCH` (no `Content-Range`: the registry appends),
 * feeding `digester` on the way (when given: without one, someone else hashes the source), and
 * resumes from the upload status when the request breaks. Resolves to `'sent'` (with
 * `session.offset` at the size), or to `'refused'` when the registry turns the large request down
 * before holding any of it.
 */
export async function uploadStreamed(
  ctx: RepositoryContext,
  session: UploadSession,
  open: ReopenableSource,
  options: PushStreamOptions,
  digester: Digester | undefined,
): Promise<'sent' | 'refused'> {
  const progress = { hashed: 0, sent: 0 };
  for (let attempt = 0; ; attempt++) {
    const start = session.offset;
    let failure: unknown;
    try {
      const res = await ctx.send({
        method: 'PATCH',
        url: session.location,
        headers: { 'content-type': 'application/octet-stream' },
        // a function body: the auth client calls it again after a challenge
        body: () =>
          Readable.from(hashedFrom(open(start), start, digester, progress, options.onProgress), READ_OPTIONS),
        scopes: ctx.scopes('pull', 'push'),
        ...signalOf(options),
      });
      if (res.statusCode === 202) {
        await discard(res);
        session.location = resolveUploadLocation(header(res.headers, 'location'), res.url);
        session.offset = progress.sent;
        return 'sent';
      }
      failure = await toResponseError('PATCH', res);
      if (start === 0 && (res.statusCode === 413 || res.statusCode === 416)) return 'refused';
      if (!isResumable(failure)) throw failure;
    } catch (err) {
      if (options.signal?.aborted || (err === failure && !isResumable(err))) throw err;
      if (
        OrasError.is(err) &&
        !ResponseError.is(err) &&
        err.code !== ErrorCode.Network &&
        err.code !== ErrorCode.Timeout
      )
        throw err;
      failure = err;
    }
    if (attempt >= DEFAULT_MAX_UPLOAD_RESUMES) throw failure;
    const held = await uploadStatus(ctx, session, options);
    if (held === undefined || held < start || held > progress.sent) throw failure;
    session.offset = held;
  }
}
