/**
 * The chunked upload: `PATCH` requests of a fixed size with `Content-Range`, the last piece held
 * back for the closing `PUT` (so only the final chunk may be under `OCI-Chunk-Min-Length`). A
 * broken `PATCH` resumes from the upload status. Memory stays at two chunks.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-a-blob-in-chunks
 */
import type { ContentSource, OperationOptions } from '@oras/content';
import { toReadableStream } from '@oras/content';
import { createDigester } from '@oras/spec';
import { ResponseError } from '../../errors.js';
import { discard, header, toResponseError } from '../../http.js';
import { resolveUploadLocation } from '../../urls.js';
import { checkAborted, type RepositoryContext, signalOf } from '../context.js';
import { DEFAULT_MAX_UPLOAD_RESUMES } from '../options.js';
import { isResumable, uploadStatus } from './resume.js';
import type { UploadSession } from './session.js';

/**
 * Sends `source` in PATCH requests of `size` bytes with `Content-Range`, holding back the last
 * piece, which goes with the closing `PUT` (`commitUpload` in `session.ts`). When a PATCH fails, the upload
 * status says how much the registry holds, and the rest of the chunk is sent from there. Resolves
 * to the digest of everything and the held-back last piece.
 */
export async function uploadChunks(
  ctx: RepositoryContext,
  session: UploadSession,
  source: ContentSource,
  size: number,
  options: OperationOptions,
): Promise<{ digest: string; last: Uint8Array }> {
  const digester = createDigester();
  let held: Uint8Array = new Uint8Array();
  for await (const chunk of chunked(source, size)) {
    checkAborted(options.signal);
    digester.update(chunk);
    if (held.byteLength > 0) await patchChunk(ctx, session, held, options);
    held = chunk;
  }
  return { digest: digester.digest(), last: held };
}

/** One `PATCH` of a chunk at `session.offset`, resumed from the upload status when it fails. */
async function patchChunk(
  ctx: RepositoryContext,
  session: UploadSession,
  chunk: Uint8Array,
  options: OperationOptions,
): Promise<void> {
  const start = session.offset;
  let sent = 0;
  for (let attempt = 0; ; attempt++) {
    const piece = chunk.subarray(sent);
    const first = start + sent;
    let failure: unknown;
    try {
      const res = await ctx.send({
        method: 'PATCH',
        url: session.location,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(piece.byteLength),
          'content-range': `${first}-${first + piece.byteLength - 1}`,
        },
        body: piece,
        scopes: ctx.scopes('pull', 'push'),
        ...signalOf(options),
      });
      if (res.statusCode === 202) {
        await discard(res);
        session.location = resolveUploadLocation(header(res.headers, 'location'), res.url);
        // the offset is tracked here: ECR's Range header stays at the first chunk
        session.offset = start + chunk.byteLength;
        return;
      }
      failure = await toResponseError('PATCH', res);
      if (!isResumable(failure)) throw failure;
    } catch (err) {
      if (options.signal?.aborted || (ResponseError.is(err) && err === failure && !isResumable(err)))
        throw err;
      failure = err;
    }
    if (attempt >= DEFAULT_MAX_UPLOAD_RESUMES) throw failure;
    const held = await uploadStatus(ctx, session, options);
    if (held === undefined || held < start || held > start + chunk.byteLength) throw failure;
    sent = held - start;
    if (sent === chunk.byteLength) {
      session.offset = held;
      return;
    }
  }
}

/**
 * Reads `source` in pieces of exactly `size` bytes (the last may be shorter). Two buffers take
 * turns, so memory stays at two chunks: a piece must be done with (sent) before the piece after
 * the next one is read.
 */
export async function* chunked(source: ContentSource, size: number): AsyncGenerator<Uint8Array> {
  const reader = toReadableStream(source).getReader();
  const buffers: Buffer[] = [];
  let turn = 0;
  const nextBuffer = (): Buffer => {
    turn ^= 1;
    buffers[turn] ??= Buffer.allocUnsafe(size);
    return buffers[turn]!;
  };
  let buffer = nextBuffer();
  let filled = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.byteLength) {
        const n = Math.min(size - filled, value.byteLength - offset);
        buffer.set(value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === size) {
          yield buffer;
          buffer = nextBuffer();
          filled = 0;
        }
      }
    }
    if (filled > 0) yield buffer.subarray(0, filled);
  } finally {
    reader.releaseLock();
  }
}
