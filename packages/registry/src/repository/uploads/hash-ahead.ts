/**
 * Hash ahead: a large file's upload starts at once while, beside it, the file is hashed as fast as
 * it can be read (sha256 runs several times faster than a registry ingests). Once the digest is
 * known, a `HEAD` asks whether the registry has the blob: when it does, the upload is stopped and
 * its session cancelled (`DELETE`), so pushing again what the registry has costs one read of the
 * file, not one upload; when it does not, the upload goes on and is committed with that digest.
 *
 * Until the digest is known the upload is held back ({@link UploadAllowance}): it may send a head
 * start of {@link HASH_AHEAD_HEAD_START} bytes, then one byte for every {@link HASH_AHEAD_SHARE}
 * bytes hashed. Every byte sent before the verdict is wasted when the registry has the blob, and
 * an upload to a registry on the same machine takes CPU from the hash (ours, and the registry's
 * ingest). Held back, a re-push of 1 GiB sends at most 16 + 512 MiB (on a network slower than
 * half of sha256's speed, only what that network carries while the file is hashed), while a
 * fresh push keeps its lead over hashing first: a registry ingests a few times slower than
 * sha256 runs (0.25-0.3 GB/s against ~1 GB/s on the 2-core machine of docs/benchmarks.md), so
 * the pace binds only when the hash is slowed (a busy machine, a slow disk) or the registry
 * takes more than half of sha256's speed. Every byte not sent while the hash runs is sent after
 * it: a pace of 1 in 8 bound on that machine and held a fresh push of 1 GiB back by ~0.4 s
 * (alternated runs: 0.95x the wire limit, against 0.87x with no pace to speak of), while a
 * re-push without a digest hint gained 0.06-0.09 s from it; on an earlier machine 1 in 32 would
 * have cost ~0.5 s by arithmetic (see docs/benchmarks.notes.md). The share also
 * keeps bytes moving while a large file is hashed from a slow disk, so the request body never
 * stalls long enough for a proxy's read timeout.
 *
 * Why not hash first, then upload: a fresh push would then read the file twice in series and take
 * the hashing time longer. Why not hash while uploading (one pass): the digest is known only once
 * every byte is sent, too late to skip anything. Here a fresh push costs the same CPU as the single
 * pass (the upload no longer hashes) plus a second read of the file from the page cache. Measured
 * in `pnpm bench`; see docs/benchmarks.notes.md.
 */
import { type Descriptor, isDigest, MismatchedDigestError, MismatchedSizeError } from '@oras/spec';
import { fileChunks, hashFile } from '../../upload-source.js';
import { type RepositoryContext, signalOf } from '../context.js';
import type { PushFileOptions } from '../options.js';
import { cancelUpload, commitUpload } from './session.js';
import { FILE_READ_CHUNK } from './streamed.js';
import { type SentUpload, sendStream } from './upload.js';

/** Bytes of a file the upload may send at once, before any of it is hashed. */
export const HASH_AHEAD_HEAD_START = 16 * 1024 * 1024;
/** Until the digest is known, the upload may send one byte for every `HASH_AHEAD_SHARE` hashed. */
export const HASH_AHEAD_SHARE = 2;
/**
 * How long an upload that is no longer needed (the registry has the blob) may take to end its
 * request with what it sent, before it is aborted.
 */
export const HASH_AHEAD_FINISH_WAIT_MS = 3000;

/** A promise and its resolve function (Node 20 has no `Promise.withResolvers`). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * How far into the file the upload may go while the file is hashed: {@link HASH_AHEAD_HEAD_START}
 * plus a share of the bytes hashed so far, and the whole file once the verdict is in.
 */
export class UploadAllowance {
  #limit = HASH_AHEAD_HEAD_START;
  #moved = deferred();
  #finished = false;

  /** The hash has reached `bytesHashed`: the upload may go a little further. */
  hashed(bytesHashed: number): void {
    this.#raise(HASH_AHEAD_HEAD_START + Math.floor(bytesHashed / HASH_AHEAD_SHARE));
  }

  /** The verdict is in (or the push failed): the upload may go to the end. */
  release(): void {
    this.#raise(Number.POSITIVE_INFINITY);
  }

  /** The registry has the blob: {@link pace} yields nothing more, so the upload's body ends. */
  finish(): void {
    this.#finished = true;
    this.release();
  }

  /** Resolves once the upload may send up to byte offset `end`. */
  async reach(end: number): Promise<void> {
    while (end > this.#limit) await this.#moved.promise;
  }

  #raise(limit: number): void {
    if (limit <= this.#limit) return;
    this.#limit = limit;
    this.#moved.resolve();
    this.#moved = deferred();
  }

  /** Yields `chunks` (which start at byte `start`), each once the allowance reaches its end. */
  async *pace(chunks: AsyncIterable<Uint8Array>, start: number): AsyncGenerator<Uint8Array> {
    let end = start;
    for await (const chunk of chunks) {
      end += chunk.byteLength;
      await this.reach(end);
      if (this.#finished) return;
      yield chunk;
    }
  }
}

/**
 * Pushes the file at `path` hashing it ahead of its upload (see the module comment) and returns
 * its descriptor. With `options.digestHint` and the file's `size`, a blob the registry has of
 * that digest makes the upload wait for the hash (nothing is sent when the file has that digest).
 * `options.onChecked` hears whether the registry has the blob; when it has, the upload stops.
 */
export async function pushFileHashAhead(
  ctx: RepositoryContext,
  mediaType: string,
  path: string,
  options: PushFileOptions,
  size?: number,
): Promise<Descriptor> {
  // stops the upload once the blob is found, or the hashing once the upload fails
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const allowance = new UploadAllowance();
  let sending: Promise<SentUpload> | undefined;
  const startSending = (): Promise<SentUpload> => {
    if (sending) return sending;
    sending = sendStream(
      ctx,
      (offset) => allowance.pace(fileChunks(path, offset, FILE_READ_CHUNK), offset),
      { ...options, signal },
      false,
    );
    // a failed upload stops the hashing; its own error is reported below
    sending.catch(() => stop.abort());
    return sending;
  };
  // With a hint the registry has (the file pushed before), the upload waits for the verdict.
  const hinted = hintThere(ctx, mediaType, options, size);
  if (hinted === undefined) startSending();
  else {
    void hinted.then((there) => {
      if (!there && !stop.signal.aborted) startSending();
    });
  }
  const verdict = (async () => {
    const { digest, size: hashedSize } = await hashFile(path, signal, (n) => allowance.hashed(n));
    const desc: Descriptor = { mediaType, digest, size: hashedSize };
    // a registry that fails the HEAD gets the upload, as it did before hashing ahead
    const there =
      (digest === options.digestHint && (await hinted)) ||
      (await ctx.exists('blobs', desc, signalOf(options)).catch((err: unknown) => {
        if (options.signal?.aborted) throw err;
        return false;
      }));
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
    allowance.release();
    if (uploadFailed && sending) await sending;
    await sending?.catch(() => undefined);
    throw err;
  }
  const { desc, there } = found;
  // the registry has the blob: the upload sends nothing more; otherwise it goes at full speed
  if (there) allowance.finish();
  else allowance.release();
  options.onChecked?.(desc, there);
  if (there) {
    // The upload's body ends where it is, so the registry answers its PATCH with the session's
    // new state, which the DELETE needs: docker-registry refuses a DELETE with the state of
    // before the PATCH, and keeps the bytes of an aborted one (up to a week, until it purges).
    // An upload that does not end within HASH_AHEAD_FINISH_WAIT_MS is aborted (its session is
    // then cancelled with the state it had).
    const timer = setTimeout(() => stop.abort(), HASH_AHEAD_FINISH_WAIT_MS);
    const sent = await sending?.catch(() => undefined);
    clearTimeout(timer);
    if (sent) await cancelUpload(ctx, sent.session);
    return desc;
  }
  const sent = await startSending();
  try {
    checkSent(path, desc, sent);
    await commitUpload(ctx, sent.session, desc.digest, sent.last, options);
  } catch (err) {
    await cancelUpload(ctx, sent.session);
    throw err;
  }
  return desc;
}

/**
 * Whether the registry has the blob of `options.digestHint` (a `HEAD`, sent at once), or
 * `undefined` without a usable hint. A failed `HEAD` counts as absent.
 */
function hintThere(
  ctx: RepositoryContext,
  mediaType: string,
  options: PushFileOptions,
  size: number | undefined,
): Promise<boolean> | undefined {
  const digest = options.digestHint;
  if (digest === undefined || size === undefined || !isDigest(digest)) return undefined;
  return ctx.exists('blobs', { mediaType, digest, size }, signalOf(options)).catch(() => false);
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
