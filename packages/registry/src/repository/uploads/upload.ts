/**
 * Which upload mode a blob takes. Known digest and size ({@link uploadBlob}): monolithic, or
 * chunked when larger than `maxChunkSize`, started over when the session is lost. Unknown digest
 * ({@link pushStream}): streamed for a reopenable source, chunked for a one-shot source or when a
 * chunk size is set, and chunked again from scratch when the registry refuses one large `PATCH`.
 */
import type { ContentSource, OperationOptions } from '@oras/content';
import { toReadableStream, verifyStream } from '@oras/content';
import {
  createDigester,
  type Descriptor,
  SizeExceedsLimitError,
  TrailingDataError,
  UnsupportedError,
} from '@oras/spec';
import { counted, type ReopenableSource } from '../../upload-source.js';
import { readSource, toBytes } from '../bytes.js';
import type { RepositoryContext } from '../context.js';
import {
  DEFAULT_BUFFERED_UPLOAD_BYTES,
  DEFAULT_STREAM_CHUNK_SIZE,
  type PushStreamOptions,
} from '../options.js';
import { uploadChunks } from './chunked.js';
import { uploadMonolithic } from './monolithic.js';
import { isRestartable } from './resume.js';
import { cancelUpload, commitUpload, startUpload, type UploadSession } from './session.js';
import { uploadStreamed } from './streamed.js';

/** How many times an upload whose session was lost, and whose blob is not there, starts over. */
export const MAX_UPLOAD_RESTARTS = 2;

/**
 * Uploads a blob of known descriptor in an open session (nothing to do when it was mounted):
 * chunked when it is larger than `maxChunkSize`, else monolithic. A blob up to
 * `DEFAULT_BUFFERED_UPLOAD_BYTES` given as a stream is read into memory first, so it can be sent
 * again. The session is cancelled when the upload fails.
 *
 * When the upload fails in a way that may have lost only its session ({@link isRestartable}: a
 * commit `PUT` that timed out, whose retry then met `404 blob upload unknown` because the first
 * one had landed), the blob's existence (`HEAD`) settles it: there, the push is done; not there,
 * the upload starts over in a new session, at most {@link MAX_UPLOAD_RESTARTS} times, when the
 * content can be read again (bytes).
 */
export async function uploadBlob(
  ctx: RepositoryContext,
  session: UploadSession | 'mounted',
  expected: Descriptor,
  content: ContentSource,
  options: OperationOptions,
): Promise<void> {
  if (session === 'mounted') return;
  let open = session;
  let source = content;
  for (let restart = 0; ; restart++) {
    try {
      source = await resendable(source, expected);
      await uploadOnce(ctx, open, expected, source, options);
      return;
    } catch (err) {
      await cancelUpload(ctx, open);
      if (options.signal?.aborted || !isRestartable(err)) throw err;
      const landed = await ctx.exists('blobs', expected, options).catch(() => undefined);
      ctx.absent.delete(expected.digest);
      if (landed) return;
      if (landed === undefined || !(source instanceof Uint8Array) || restart >= MAX_UPLOAD_RESTARTS)
        throw err;
      open = (await startUpload(ctx, undefined, options)) as UploadSession;
    }
  }
}

/** One upload of the blob in `session`: chunked when larger than `maxChunkSize`, else monolithic. */
async function uploadOnce(
  ctx: RepositoryContext,
  session: UploadSession,
  expected: Descriptor,
  content: ContentSource,
  options: OperationOptions,
): Promise<void> {
  const max = ctx.options.maxChunkSize;
  if (max !== undefined && expected.size > max) {
    const size = Math.max(max, session.minChunk);
    const { digest, last } = await uploadChunks(
      ctx,
      session,
      verifyStream(toReadableStream(content), expected),
      size,
      options,
    );
    await commitUpload(ctx, session, digest, last, options);
    return;
  }
  await uploadMonolithic(ctx, session, expected, content, options);
}

/**
 * The content as bytes when it is small enough to hold (up to `DEFAULT_BUFFERED_UPLOAD_BYTES`):
 * bytes can be sent again after a challenge, a 5xx or a lost session; a stream cannot. A larger
 * stream is returned as it is.
 */
async function resendable(content: ContentSource, expected: Descriptor): Promise<ContentSource> {
  if (toBytes(content) || expected.size > DEFAULT_BUFFERED_UPLOAD_BYTES) return content;
  return readSource(content, expected.size + 1, expected.digest).catch((err: unknown) => {
    if (SizeExceedsLimitError.is(err)) {
      throw new TrailingDataError(
        `${expected.digest}: content goes on past its size of ${expected.size} bytes`,
      );
    }
    throw err;
  });
}

/**
 * A blob of unknown digest whose bytes have all been sent but not committed: the session (not
 * the one first opened, when the registry refused a streamed upload), the piece held back for the
 * closing `PUT` (empty after a streamed upload), and the digest of what was sent when the upload
 * computed one.
 */
export interface SentUpload {
  readonly session: UploadSession;
  readonly last: Uint8Array;
  readonly digest: string | undefined;
}

/**
 * Opens an upload session and sends a blob whose digest and size are not known in advance,
 * everything but the commit; see `RemoteRepository.pushStream` for the modes. `hash` says whether
 * a streamed upload hashes the bytes on the way: not when someone else does (`hash-ahead.ts`).
 * A chunked upload always hashes them. The session is cancelled when the upload fails.
 */
export async function sendStream(
  ctx: RepositoryContext,
  source: ContentSource | ReopenableSource,
  options: PushStreamOptions,
  hash: boolean,
): Promise<SentUpload> {
  let session = await startUpload(ctx, undefined, options);
  if (session === 'mounted') throw new UnsupportedError('unexpected mount');
  const chunking =
    typeof source !== 'function' ||
    ctx.options.maxChunkSize !== undefined ||
    ctx.options.streamChunkSize !== undefined;
  try {
    let chunkSource: ContentSource;
    if (typeof source === 'function') {
      if (!chunking) {
        const digester = hash ? createDigester() : undefined;
        const streamed = await uploadStreamed(ctx, session, source, options, digester);
        if (streamed === 'sent') return { session, last: new Uint8Array(), digest: digester?.digest() };
        await cancelUpload(ctx, session);
        session = (await startUpload(ctx, undefined, options)) as UploadSession;
      }
      chunkSource = source(0);
    } else {
      chunkSource = source;
    }
    if (options.onProgress) chunkSource = counted(chunkSource, options.onProgress);
    const wanted = ctx.options.streamChunkSize ?? DEFAULT_STREAM_CHUNK_SIZE;
    const size = Math.max(session.minChunk, Math.min(wanted, ctx.options.maxChunkSize ?? wanted));
    const { digest, last } = await uploadChunks(ctx, session, chunkSource, size, options);
    return { session, last, digest };
  } catch (err) {
    await cancelUpload(ctx, session as UploadSession);
    throw err;
  }
}

/**
 * Pushes a blob whose digest and size are not known in advance, reading the source once while
 * hashing it; see `RemoteRepository.pushStream` for the modes. Returns the descriptor of what was
 * pushed.
 */
export async function pushStream(
  ctx: RepositoryContext,
  mediaType: string,
  source: ContentSource | ReopenableSource,
  options: PushStreamOptions,
): Promise<Descriptor> {
  const { session, last, digest } = await sendStream(ctx, source, options, true);
  const size = session.offset + last.byteLength;
  try {
    await commitUpload(ctx, session, digest as string, last, options);
  } catch (err) {
    await cancelUpload(ctx, session);
    throw err;
  }
  return { mediaType, digest: digest as string, size };
}
