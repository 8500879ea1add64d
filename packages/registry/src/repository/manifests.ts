/**
 * Manifests by tag or digest: resolve (`HEAD`, falling back to `GET` when a registry leaves the
 * digest out), fetch (read whole, size-capped, verified), put, and tag. Manifests are never
 * re-serialized: their bytes go to and from the registry as they are, checked against their
 * digest both ways. Keeping the referrers index in step with pushes and deletes is the job of
 * `referrers/indexing.ts`.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
import type { ContentSource, OperationOptions } from '@oras/content';
import { markVerified, toReadableStream } from '@oras/content';
import {
  digestOf,
  type Descriptor,
  InvalidMediaTypeError,
  isDigest,
  MismatchedDigestError,
  MismatchedSizeError,
  NotFoundError,
  parseDigest,
  SizeExceedsLimitError,
} from '@oras/spec';
import { abandon, discard, header, type RegistryResponse, readCapped, toResponseError } from '../http.js';
import type { FetchedReference } from '../interfaces.js';
import { readSource, verifyBytes } from './bytes.js';
import { mediaTypeOf, type RepositoryContext, signalOf } from './context.js';

/** A manifest as the registry sent it. */
export interface GotManifest {
  readonly bytes: Uint8Array;
  /** The response's `Content-Type`. */
  readonly mediaType: string;
  /** The response's `Docker-Content-Digest`, when sent. */
  readonly headerDigest?: string;
}

/**
 * Resolves a tag or digest to a descriptor with `HEAD` on the manifest, reading the digest from
 * `Docker-Content-Digest`; when a registry leaves that (or the size) out, it falls back to `GET`
 * and hashes the body. Rejects with `NotFoundError` when the manifest is unknown.
 */
export async function resolveManifest(
  ctx: RepositoryContext,
  reference: string,
  options: OperationOptions,
): Promise<Descriptor> {
  const ref = ctx.referenceOf(reference);
  const url = ctx.url(`manifests/${ref}`);
  const res = await ctx.metadata('HEAD', url, options, async (o) => {
    const answer = await ctx.send({
      method: 'HEAD',
      url,
      headers: { accept: ctx.accept() },
      scopes: ctx.scopes('pull'),
      ...signalOf(o),
    });
    await discard(answer);
    return answer;
  });
  if (res.statusCode === 404) {
    // a digest is written after `@`, a tag after `:` (as oras-go names the reference)
    const sep = ref.includes(':') ? '@' : ':';
    throw new NotFoundError(`${ctx.host}/${ctx.name}${sep}${ref}: not found`);
  }
  if (res.statusCode !== 200) throw await toResponseError('HEAD', res);
  const mediaType = mediaTypeOf(res);
  const digest = header(res.headers, 'docker-content-digest');
  const length = header(res.headers, 'content-length');
  if (!mediaType || !digest || !isDigest(digest) || length === undefined) {
    const fetched = await fetchManifestReference(ctx, ref, options);
    await fetched.stream.cancel();
    return fetched.descriptor;
  }
  if (ref.includes(':') && digest !== ref) {
    throw new MismatchedDigestError(`${ctx.host}/${ctx.name}@${ref}: registry answered digest ${digest}`);
  }
  return { mediaType, digest, size: Number(length) };
}

/**
 * Fetches a manifest by tag or digest with one `GET`: the descriptor comes from the bytes (which
 * are hashed) and the response's `Content-Type`.
 */
export async function fetchManifestReference(
  ctx: RepositoryContext,
  reference: string,
  options: OperationOptions,
): Promise<FetchedReference> {
  const ref = ctx.referenceOf(reference);
  const { bytes, mediaType, headerDigest } = await getManifest(ctx, ref, ctx.accept(), options);
  // By digest, the content must have it. By tag, the registry's `Docker-Content-Digest` (of an
  // algorithm this client knows) names the content, as a `HEAD` resolves it, and must match it
  // (oras-go checks it too); without one, the content's sha256.
  const byDigest = ref.includes(':');
  const expected = byDigest
    ? ref
    : headerDigest !== undefined && isDigest(headerDigest)
      ? headerDigest
      : undefined;
  const digest = digestOf(bytes, expected === undefined ? undefined : parseDigest(expected).algorithm);
  if (expected !== undefined && digest !== expected) {
    throw new MismatchedDigestError(
      byDigest
        ? `${ctx.host}/${ctx.name}@${ref}: content has digest ${digest}`
        : `${ctx.host}/${ctx.name}:${ref}: registry answered digest ${expected}, content has digest ${digest}`,
    );
  }
  const descriptor: Descriptor = { mediaType, digest, size: bytes.byteLength };
  // The bytes, hashed above, go as they are; the stream is made only for a caller that reads it
  // (the first web stream of a process loads Node's web streams: ~7 ms here).
  const verified = markVerified(bytes, descriptor);
  let stream: ReadableStream<Uint8Array> | undefined;
  return {
    descriptor,
    bytes: verified,
    get stream() {
      stream ??= toReadableStream(verified);
      return stream;
    },
  };
}

/**
 * `GET` of a manifest by tag or digest, read whole: at most `maxMetadataBytes`, and exactly
 * `expectedSize` when given, within `metadataTimeoutMs`. Rejects with `NotFoundError` on 404.
 */
export function getManifest(
  ctx: RepositoryContext,
  ref: string,
  accept: string,
  options: OperationOptions,
  expectedSize?: number,
): Promise<GotManifest> {
  const url = ctx.url(`manifests/${ref}`);
  return ctx.metadata('GET', url, options, (o) => readManifest(ctx, url, ref, accept, o, expectedSize));
}

async function readManifest(
  ctx: RepositoryContext,
  url: URL,
  ref: string,
  accept: string,
  options: OperationOptions,
  expectedSize: number | undefined,
): Promise<GotManifest> {
  const res = await ctx.send({
    method: 'GET',
    url,
    headers: { accept },
    scopes: ctx.scopes('pull'),
    ...signalOf(options),
  });
  if (res.statusCode === 404) {
    await discard(res);
    throw new NotFoundError(`${ctx.host}/${ctx.name}${ref.includes(':') ? '@' : ':'}${ref}: not found`);
  }
  if (res.statusCode !== 200) throw await toResponseError('GET', res);
  const mediaType = mediaTypeOf(res);
  const length = header(res.headers, 'content-length');
  const limit = Math.min(ctx.maxMetadataBytes, expectedSize ?? ctx.maxMetadataBytes);
  if (length !== undefined && Number(length) > limit) {
    abandon(res.body);
    if (expectedSize !== undefined && Number(length) !== expectedSize) {
      throw new MismatchedSizeError(`${ref}: registry sent ${length} bytes, expected ${expectedSize}`);
    }
    throw new SizeExceedsLimitError(
      `${ctx.host}/${ctx.name}:${ref}: manifest size ${length} exceeds the limit of ${limit} bytes`,
    );
  }
  const bytes = await readCapped(
    res.body,
    expectedSize === undefined ? limit : expectedSize + 1,
    `${ref}: manifest`,
  ).catch((err: unknown) => {
    if (expectedSize !== undefined && SizeExceedsLimitError.is(err)) {
      throw new MismatchedSizeError(`${ref}: content goes on past its size of ${expectedSize} bytes`);
    }
    throw err;
  });
  const headerDigest = header(res.headers, 'docker-content-digest');
  return { bytes, mediaType, ...(headerDigest ? { headerDigest } : {}) };
}

/** The bytes of the manifest `target`, checked against it (size, digest and media type). */
export async function fetchManifestBytes(
  ctx: RepositoryContext,
  target: Descriptor,
  options: OperationOptions,
): Promise<Uint8Array> {
  parseDigest(target.digest);
  if (target.size > ctx.maxMetadataBytes) {
    throw new SizeExceedsLimitError(
      `${target.digest}: manifest size ${target.size} exceeds the limit of ${ctx.maxMetadataBytes} bytes`,
    );
  }
  const { bytes, mediaType } = await getManifest(ctx, target.digest, target.mediaType, options, target.size);
  if (mediaType && mediaType !== target.mediaType) {
    throw new InvalidMediaTypeError(
      `${ctx.host}/${ctx.name}@${target.digest}: registry sent media type ${mediaType}, expected ${target.mediaType}`,
    );
  }
  verifyBytes(bytes, target);
  return bytes;
}

/** The manifest `target` as a stream, marked as verified (it was checked as it was read). */
export async function fetchManifest(
  ctx: RepositoryContext,
  target: Descriptor,
  options: OperationOptions,
): Promise<ReadableStream<Uint8Array>> {
  return markVerified(toReadableStream(await fetchManifestBytes(ctx, target, options)), target);
}

/**
 * Reads a manifest whole (size-capped), verifies it and `PUT`s it under `ref` (its digest or a
 * tag). Resolves to its bytes and the registry's answer (whose `OCI-Subject` the referrers
 * indexing reads).
 */
export async function pushManifest(
  ctx: RepositoryContext,
  expected: Descriptor,
  content: ContentSource,
  ref: string,
  options: OperationOptions,
): Promise<{ bytes: Uint8Array; res: RegistryResponse }> {
  if (expected.size > ctx.maxMetadataBytes) {
    throw new SizeExceedsLimitError(
      `${expected.digest}: manifest size ${expected.size} exceeds the limit of ${ctx.maxMetadataBytes} bytes`,
    );
  }
  const bytes = await readSource(content, ctx.maxMetadataBytes, `${expected.digest}: manifest`);
  verifyBytes(bytes, expected);
  const res = await putManifest(ctx, ref, expected.mediaType, bytes, options);
  return { bytes, res };
}

/** `PUT` of manifest bytes under `ref`, within `metadataTimeoutMs`. */
export function putManifest(
  ctx: RepositoryContext,
  ref: string,
  mediaType: string,
  bytes: Uint8Array,
  options: OperationOptions,
): Promise<RegistryResponse> {
  const url = ctx.url(`manifests/${ref}`);
  return ctx.metadata('PUT', url, options, async (o) => {
    const res = await ctx.send({
      method: 'PUT',
      url,
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: ctx.scopes('pull', 'push'),
      ...signalOf(o),
    });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw await toResponseError('PUT', res);
    await discard(res);
    return res;
  });
}

/** Points `reference` at the manifest `target`: its bytes are fetched and put again under the tag. */
export async function tagManifest(
  ctx: RepositoryContext,
  target: Descriptor,
  reference: string,
  options: OperationOptions,
): Promise<void> {
  const ref = ctx.referenceOf(reference);
  const bytes = await fetchManifestBytes(ctx, target, options);
  await putManifest(ctx, ref, target.mediaType, bytes, options);
}
