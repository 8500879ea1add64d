/**
 * Hash ahead: a large file's upload starts at once while, beside it, the file is hashed as fast as
 * it can be read (sha256 runs several times faster than a registry ingests). Once the digest is
 * known, a `HEAD` asks whether the registry has the blob: when it does, the upload is stopped and
 * its session cancelled (`DELETE`), so pushing again what the registry has costs one read of the
 * file, not one upload; when it does not, the upload goes on and is committed with that digest.
 *
 * Why not hash first, then upload: a fresh push would then read the file twice in series and take
 * the hashing time longer. Why not hash while uploading (one pass): the digest is known only once
 * every byte is sent, too late to skip anything. Here a fresh push costs the same CPU as the single
 * pass (the upload no longer hashes) plus a second read of the file from the page cache, and a
 * re-push sends only what went out while the file was hashed. Measured in `pnpm bench`.
 */
import { type Descriptor, MismatchedDigestError, MismatchedSizeError } from '@oras/spec';
import { fileChunks, hashFile } from '../../upload-source.js';
import { type RepositoryContext, signalOf } from '../context.js';
import type { PushFileOptions } from '../options.js';
import { cancelUpload, commitUpload } from './session.js';
import { FILE_READ_CHUNK } from './streamed.js';
import { type SentUpload, sendStream } from './upload.js';

/**
 * Pushes the file at `path` hashing it ahead of its upload (see the module comment) and returns
 * its descriptor. `options.onChecked` hears whether the registry has the blob; when it has, the
 * upload stops.
 */
export async function pushFileHashAhead(
  ctx: RepositoryContext,
  mediaType: string,
  path: string,
  options: PushFileOptions,
): Promise<Descriptor> {
  // stops the upload once the blob is found, or the hashing once the upload fails
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const sending = sendStream(
    ctx,
    (offset) => fileChunks(path, offset, FILE_READ_CHUNK),
    { ...options, signal },
    false,
  );
  // a failed upload stops the hashing; its own error is reported below
  sending.catch(() => stop.abort());
  const verdict = (async () => {
    const { digest, size } = await hashFile(path, signal);
    const desc: Descriptor = { mediaType, digest, size };
    // a registry that fails the HEAD gets the upload, as it did before hashing ahead
    const there = await ctx.exists('blobs', desc, signalOf(options)).catch((err: unknown) => {
      if (options.signal?.aborted) throw err;
      return false;
    });
    // the blob is pushed below when absent: the next push of it must ask again
    ctx.absent.delete(digest);
    return { desc, there };
  })();
  let found: { desc: Descriptor; there: boolean };
  try {
    found = await verdict;
  } catch (err) {
    const uploadFailed = stop.signal.aborted;
    stop.abort();
    if (uploadFailed) await sending;
    await sending.catch(() => undefined);
    throw err;
  }
  const { desc } = found;
  options.onChecked?.(desc, found.there);
  if (found.there) {
    stop.abort();
    // an upload still going ends with its session cancelled; one that got all its bytes out first
    // is cancelled here
    const sent = await sending.catch(() => undefined);
    if (sent) await cancelUpload(ctx, sent.session);
    return desc;
  }
  const sent = await sending;
  try {
    checkSent(path, desc, sent);
    await commitUpload(ctx, sent.session, desc.digest, sent.last, options);
  } catch (err) {
    await cancelUpload(ctx, sent.session);
    throw err;
  }
  return desc;
}

/** Throws when what was uploaded is not what was hashed: the file changed while it was pushed. */
function checkSent(path: string, hashed: Descriptor, sent: SentUpload): void {
  const size = sent.session.offset + sent.last.byteLength;
  if (size !== hashed.size) {
    throw new MismatchedSizeError(
      `${path}: file changed while pushed (${hashed.size} bytes hashed, ${size} bytes sent)`,
    );
  }
  if (sent.digest !== undefined && sent.digest !== hashed.digest) {
    throw new MismatchedDigestError(
      `${path}: file changed while pushed (the bytes sent are not those hashed)`,
    );
  }
}
