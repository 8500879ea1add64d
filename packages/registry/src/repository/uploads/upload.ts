/**
 * Which upload mode a blob takes. Known digest and size ({@link uploadBlob}): monolithic, or
 * chunked when larger than `maxChunkSize`. Unknown digest ({@link pushStream}): streamed for a
 * reopenable source, chunked for a one-shot source or when a chunk size is set, and chunked
 * again from scratch when the registry refuses one large `PATCH`.
 */
import type { ContentSource, OperationOptions } from '@oras/content';
import { toReadableStream, verifyStream } from '@oras/content';
import { type Descriptor, UnsupportedError } from '@oras/spec';
import { counted, type ReopenableSource } from '../../upload-source.js';
import type { RepositoryContext } from '../context.js';
import { DEFAULT_STREAM_CHUNK_SIZE, type PushStreamOptions } from '../options.js';
import { uploadChunks } from './chunked.js';
import { uploadMonolithic } from './monolithic.js';
import { cancelUpload, commitUpload, startUpload, type UploadSession } from './session.js';
import { uploadStreamed } from './streamed.js';

/**
 * Uploads a blob of known descriptor in an open session (nothing to do when it was mounted):
 * chunked when it is larger than `maxChunkSize`, else monolithic. The session is cancelled when
 * the upload fails.
 */
export async function uploadBlob(
  ctx: RepositoryContext,
  session: UploadSession | 'mounted',
  expected: Descriptor,
  content: ContentSource,
  options: OperationOptions,
): Promise<void> {
  if (session === 'mounted') return;
  const max = ctx.options.maxChunkSize;
  try {
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
  } catch (err) {
    await cancelUpload(ctx, session);
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
        const streamed = await uploadStreamed(ctx, session, source, options);
        if (streamed !== 'refused') {
          await commitUpload(ctx, session, streamed, new Uint8Array(), options);
          return { mediaType, digest: streamed, size: session.offset };
        }
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
    await commitUpload(ctx, session, digest, last, options);
    return { mediaType, digest, size: session.offset };
  } catch (err) {
    await cancelUpload(ctx, session as UploadSession);
    throw err;
  }
}
