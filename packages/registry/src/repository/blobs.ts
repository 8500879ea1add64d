/**
 * Blobs by digest: fetch (streamed through a verifying stream, resumed with `Range`), push (skip
 * what the registry has, else upload: see `uploads/`), push a file, resolve, and mount from
 * another repository.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
 */
import { readFile, stat } from 'node:fs/promises';
import type { ContentSource, FetchAllOptions, OperationOptions } from '@oras/content';
import { DEFAULT_MAX_FETCH_BYTES, markVerified, toReadableStream } from '@oras/content';
import {
  type Descriptor,
  digestOf,
  InvalidArgumentError,
  MismatchedSizeError,
  NotFoundError,
  parseDigest,
  SizeExceedsLimitError,
  UnsupportedError,
} from '@oras/spec';
import { readBlobBytes, resumableBlobStream } from '../blob-download.js';
import { ResponseError } from '../errors.js';
import { abandon, discard, header, type RegistryResponse, toResponseError } from '../http.js';
import { type RepositoryContext, signalOf } from './context.js';
import { DEFAULT_BUFFERED_UPLOAD_BYTES, type PushFileOptions } from './options.js';
import { startUpload } from './uploads/session.js';
import { pushFileHashAhead } from './uploads/hash-ahead.js';
import { uploadBlob } from './uploads/upload.js';

/**
 * Fetches a blob: the response body through a verifying stream, resuming with `Range` when the
 * connection breaks. The stream is marked as verified, so a store it is written to need not hash
 * it again.
 */
export async function fetchBlob(
  ctx: RepositoryContext,
  target: Descriptor,
  options: OperationOptions,
): Promise<ReadableStream<Uint8Array>> {
  const { first, open } = await openBlob(ctx, target, options);
  // the download checks size and digest itself, so a store it is written to need not hash it again
  return markVerified(resumableBlobStream(first, target, open), target);
}

/**
 * Checks, before any request, that `target` may be read into memory: a valid size, at most
 * `maxBytes` (4 MiB unless given), else `InvalidArgumentError` or `SizeExceedsLimitError`.
 */
export function checkFetchSize(target: Descriptor, maxBytes: number | undefined): void {
  const limit = maxBytes ?? DEFAULT_MAX_FETCH_BYTES;
  if (!Number.isSafeInteger(target.size) || target.size < 0) {
    throw new InvalidArgumentError(`${target.digest}: invalid size ${String(target.size)}`);
  }
  if (target.size > limit) {
    throw new SizeExceedsLimitError(
      `${target.digest}: size ${target.size} exceeds the limit of ${limit} bytes`,
    );
  }
}

/**
 * Fetches a blob into memory, verified (size and digest) before it is returned: one buffer of
 * `target.size` bytes, never more read from the response. Rejects with `SizeExceedsLimitError`
 * before any request when `target.size` is over `maxBytes`. Same request, auth, redirects and
 * resuming as {@link fetchBlob}, without a web stream per blob.
 */
export async function fetchBlobBytes(
  ctx: RepositoryContext,
  target: Descriptor,
  options: FetchAllOptions,
): Promise<Uint8Array> {
  checkFetchSize(target, options.maxBytes);
  // (openBlob's work inline: one async frame less for every small blob)
  parseDigest(target.digest);
  const open = blobOpener(ctx, target, options);
  const first = await open();
  if (!isBlobAnswer(first, target)) await refuseBlobAnswer(ctx, target, first);
  return await readBlobBytes(first, target, open, options.signal);
}

/**
 * The `GET` of a blob, from byte `range` on when given. (Returned, not bound to a name: the CLI's
 * bundle names each function bound to one with a property definition, a cost per blob.)
 */
function blobOpener(
  ctx: RepositoryContext,
  target: Descriptor,
  options: OperationOptions,
): (range?: number) => Promise<RegistryResponse> {
  const url = ctx.url(`blobs/${target.digest}`);
  return (range) =>
    ctx.send({
      method: 'GET',
      url,
      headers: range === undefined ? {} : { range: `bytes=${range}-` },
      scopes: ctx.scopes('pull'),
      // a broken body is asked for again from where it broke, by the readers of blob-download.ts
      callerResumes: true,
      ...signalOf(options),
    });
}

/** Whether the answer to a blob's `GET` is the blob: 200 and, when given, the expected length. */
function isBlobAnswer(res: RegistryResponse, target: Descriptor): boolean {
  if (res.statusCode !== 200) return false;
  const length = header(res.headers, 'content-length');
  return length === undefined || Number(length) === target.size;
}

/** Throws the error of an answer to a blob's `GET` that {@link isBlobAnswer} refused. */
async function refuseBlobAnswer(
  ctx: RepositoryContext,
  target: Descriptor,
  res: RegistryResponse,
): Promise<never> {
  if (res.statusCode === 404) {
    await discard(res);
    throw new NotFoundError(`${ctx.host}/${ctx.name}@${target.digest}: ${target.mediaType}: not found`);
  }
  if (res.statusCode !== 200) throw await toResponseError('GET', res);
  abandon(res.body);
  const length = header(res.headers, 'content-length');
  throw new MismatchedSizeError(`${target.digest}: registry sent ${length} bytes, expected ${target.size}`);
}

/** Sends the `GET` of a blob and checks its answer: 200 and, when given, the expected length. */
async function openBlob(
  ctx: RepositoryContext,
  target: Descriptor,
  options: OperationOptions,
): Promise<{ first: RegistryResponse; open: (range?: number) => Promise<RegistryResponse> }> {
  parseDigest(target.digest);
  const open = blobOpener(ctx, target, options);
  const res = await open();
  if (!isBlobAnswer(res, target)) await refuseBlobAnswer(ctx, target, res);
  return { first: res, open };
}

/**
 * Pushes a blob of known descriptor, unless the registry has it (a `HEAD`, skipped when `exists`
 * just said it is absent, as copy asks).
 */
export async function pushBlob(
  ctx: RepositoryContext,
  expected: Descriptor,
  content: ContentSource,
  options: OperationOptions,
): Promise<void> {
  parseDigest(expected.digest);
  const knownAbsent = ctx.absent.delete(expected.digest);
  if (!knownAbsent && (await ctx.exists('blobs', expected, options))) {
    if (!(content instanceof Uint8Array)) await toReadableStream(content).cancel();
    return;
  }
  ctx.absent.delete(expected.digest);
  const session = await startUpload(ctx, undefined, options);
  await uploadBlob(ctx, session, expected, content, options);
}

/**
 * Pushes a file and returns its descriptor. A file up to {@link DEFAULT_BUFFERED_UPLOAD_BYTES} is
 * read into memory and hashed first; a larger one is hashed ahead of its upload, which starts at
 * once ({@link pushFileHashAhead}). Either way a blob the registry has is not sent (not all of it,
 * for a large one), and `onChecked` hears whether it was there.
 */
export async function pushFile(
  ctx: RepositoryContext,
  mediaType: string,
  path: string,
  options: PushFileOptions,
): Promise<Descriptor> {
  const { size } = await stat(path);
  if (size <= DEFAULT_BUFFERED_UPLOAD_BYTES) {
    const bytes = await readFile(path, options.signal ? { signal: options.signal } : {});
    const desc: Descriptor = { mediaType, digest: digestOf(bytes), size: bytes.byteLength };
    const knownAbsent = ctx.absent.delete(desc.digest);
    const exists = !knownAbsent && (await ctx.exists('blobs', desc, options));
    ctx.absent.delete(desc.digest);
    options.onChecked?.(desc, exists);
    if (exists) return desc;
    const session = await startUpload(ctx, undefined, options);
    await uploadBlob(ctx, session, desc, bytes, options);
    options.onProgress?.(bytes.byteLength);
    return desc;
  }
  const desc = await pushFileHashAhead(ctx, mediaType, path, options, size);
  if (desc.size !== size) {
    throw new MismatchedSizeError(`${path}: file changed from ${size} to ${desc.size} bytes while pushed`);
  }
  return desc;
}

/** Resolves a digest (or a reference with one) to a blob descriptor with `HEAD`. */
export async function resolveBlob(
  ctx: RepositoryContext,
  reference: string,
  options: OperationOptions,
): Promise<Descriptor> {
  const digest = ctx.referenceOf(reference);
  parseDigest(digest);
  const url = ctx.url(`blobs/${digest}`);
  const res = await ctx.metadata('HEAD', url, options, async (o) => {
    const answer = await ctx.send({ method: 'HEAD', url, scopes: ctx.scopes('pull'), ...signalOf(o) });
    await discard(answer);
    return answer;
  });
  if (res.statusCode === 404) throw new NotFoundError(`${ctx.host}/${ctx.name}@${digest}: not found`);
  if (res.statusCode !== 200) throw await toResponseError('HEAD', res);
  const length = header(res.headers, 'content-length');
  if (length === undefined) throw new UnsupportedError(`${digest}: registry sent no content-length`);
  return { mediaType: 'application/octet-stream', digest, size: Number(length) };
}

/**
 * Mounts a blob from another repository of the registry (`POST ?mount=&from=`). When the
 * registry answers with an upload session instead (202: ECR mounts only blobs a manifest of the
 * source uses) or refuses (401, 403, 404), the blob is uploaded from `getContent`.
 */
export async function mountBlob(
  ctx: RepositoryContext,
  desc: Descriptor,
  fromRepository: string,
  getContent: () => Promise<ContentSource>,
  options: OperationOptions,
): Promise<void> {
  let session: Awaited<ReturnType<typeof startUpload>>;
  try {
    session = await startUpload(ctx, { digest: desc.digest, from: fromRepository }, options);
  } catch (err) {
    if (!ResponseError.is(err) || err.statusCode >= 500) throw err;
    await pushBlob(ctx, desc, await getContent(), options);
    return;
  }
  if (session === 'mounted') return;
  await uploadBlob(ctx, session, desc, await getContent(), options);
}
