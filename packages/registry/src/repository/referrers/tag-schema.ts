/**
 * The referrers tag schema, for registries without the referrers API: the referrers of a subject
 * are kept in an image index tagged `<alg>-<hex>`, which the client reads, and changes (adds or
 * removes one referrer) by pushing a new index under the tag and deleting the old one, one writer
 * at a time per subject in a process, and merging again after losing a race to another process.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
 */
import type { OperationOptions } from '@oras/content';
import {
  AbortedError,
  type Descriptor,
  digestOf,
  type Index,
  isDigest,
  MediaType,
  NotFoundError,
  OrasError,
  parseDigest,
  serializeIndex,
} from '@oras/spec';
import { ResponseError } from '../../errors.js';
import { discard, header, toResponseError } from '../../http.js';
import { type RepositoryContext, signalOf } from '../context.js';
import { getManifest, pushManifest } from '../manifests.js';
import { parseIndexLoose } from './documents.js';
import { withSubjectLock } from './subject-lock.js';

/**
 * The tag of the tag-schema referrers index of a subject: `<alg>-<hex>`, cut to 128 characters.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
 */
export function referrersTag(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `${algorithm}-${encoded}`.slice(0, 128);
}

/** The tag-schema index of a subject as read: the tag's digest, and the index when it is one. */
export interface ReferrersIndexRead {
  /** The digest the tag pointed to when read (undefined: no such tag). */
  readonly tagDigest?: string;
  /** The index, when the tag names a referrers index. */
  readonly index?: Index;
  /** The index's descriptor, when the tag names a referrers index. */
  readonly descriptor?: Descriptor;
}

/**
 * Fetches the tag-schema referrers index of `subject`. A registry that answers the tag with the
 * subject itself (GitLab) or with something that is not an index is treated as having none.
 */
export async function fetchReferrersIndex(
  ctx: RepositoryContext,
  subject: Descriptor,
  options: OperationOptions,
): Promise<ReferrersIndexRead> {
  const tag = referrersTag(subject.digest);
  let got: { bytes: Uint8Array; mediaType: string };
  try {
    got = await getManifest(ctx, tag, MediaType.ImageIndex, options);
  } catch (err) {
    if (NotFoundError.is(err)) return {};
    throw err;
  }
  const digest = digestOf(got.bytes);
  if (digest === subject.digest || got.mediaType !== MediaType.ImageIndex) return { tagDigest: digest };
  let index: Index;
  try {
    index = parseIndexLoose(got.bytes, `referrers index ${tag}`);
  } catch {
    return { tagDigest: digest };
  }
  return {
    tagDigest: digest,
    index,
    descriptor: { mediaType: MediaType.ImageIndex, digest, size: got.bytes.byteLength },
  };
}

/** A change to the referrers of a subject: one referrer added or removed. */
export interface ReferrersChange {
  readonly add?: Descriptor;
  readonly remove?: Descriptor;
}

/**
 * Adds a referrer to, or removes one from, the tag-schema index of `subject`, so that the index
 * ends up reflecting the change whoever else writes it at the same time.
 *
 * In this process, updates of one subject run one at a time ({@link withSubjectLock}). Another
 * process may still write between our read and our write; distribution has no conditional `PUT`,
 * so: just before writing, the tag's digest is compared with the one read, and when it moved, the
 * index is read again and the change merged into what is there now. After writing, the index is
 * read once more: a writer that landed between the check and our `PUT`, or just after it, may
 * have dropped our referrer, and the change is merged again. This goes on until the index
 * reflects the change, at most {@link MAX_INDEX_UPDATE_ATTEMPTS} writes.
 */
export async function updateReferrersIndex(
  ctx: RepositoryContext,
  subject: Descriptor,
  change: ReferrersChange,
  options: OperationOptions,
): Promise<void> {
  await withSubjectLock(ctx, subject, async () => {
    const tag = referrersTag(subject.digest);
    for (let attempt = 0; ; attempt++) {
      const read = await fetchReferrersIndex(ctx, subject, options);
      const next = applyChange(read.index?.manifests ?? [], change);
      if (next === undefined) return;
      if (attempt >= MAX_INDEX_UPDATE_ATTEMPTS) {
        throw new OrasError(
          `${ctx.host}/${ctx.name}:${tag}: referrers index changed by other writers ${attempt} times in a row; ${describeChange(change)} not recorded`,
        );
      }
      if (attempt > 0) await backOff(attempt, options.signal);
      if ((await tagDigest(ctx, tag, options)) !== read.tagDigest) continue;
      try {
        await writeIndex(ctx, subject, next, read.descriptor, options);
      } catch (err) {
        if (!listedManifestUnknown(err) || attempt + 1 >= MAX_INDEX_UPDATE_ATTEMPTS) throw err;
      }
    }
  });
}

/**
 * Whether a `PUT` of an index failed because the registry did not find a manifest it lists. The
 * index is then read and written again: docker-registry checks each listed manifest while it
 * stores the index, and one being pushed again at that moment (its link file rewritten in place)
 * reads as unknown, or as an invalid digest (seen in the concurrency test: a referrer pushed again
 * while another was removed). A manifest that is really gone fails every attempt, and the last
 * error is reported.
 */
function listedManifestUnknown(err: unknown): boolean {
  return (
    ResponseError.is(err) &&
    err.statusCode === 400 &&
    err.errors.some((e) => e.code === 'MANIFEST_BLOB_UNKNOWN')
  );
}

/** Most writes of one referrers index change, when other processes keep changing it meanwhile. */
export const MAX_INDEX_UPDATE_ATTEMPTS = 10;

/** The referrers after `change`, or undefined when `current` already reflects it. */
function applyChange(current: Descriptor[], change: ReferrersChange): Descriptor[] | undefined {
  let next = current;
  if (change.add) {
    const add = change.add;
    if (current.some((d) => d.digest === add.digest)) return undefined;
    next = [...current, add];
  }
  if (change.remove) {
    const remove = change.remove;
    next = next.filter((d) => d.digest !== remove.digest);
    if (next.length === current.length) return undefined;
  }
  return next;
}

function describeChange(change: ReferrersChange): string {
  if (change.add) return `referrer ${change.add.digest}`;
  return `removal of referrer ${change.remove?.digest}`;
}

/**
 * Pushes the index of `referrers` under the subject's tag, and deletes the index it replaces
 * (unless `skipReferrersGc`). An empty list is pushed too when the old index will not be deleted,
 * or the stale index would go on listing a deleted referrer (as oras-go does).
 */
async function writeIndex(
  ctx: RepositoryContext,
  subject: Descriptor,
  referrers: Descriptor[],
  old: Descriptor | undefined,
  options: OperationOptions,
): Promise<void> {
  if (referrers.length > 0 || ctx.options.skipReferrersGc) {
    const bytes = serializeIndex({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: referrers });
    const desc: Descriptor = {
      mediaType: MediaType.ImageIndex,
      digest: digestOf(bytes),
      size: bytes.byteLength,
    };
    await pushManifest(ctx, desc, bytes, referrersTag(subject.digest), options);
  }
  if (old && !ctx.options.skipReferrersGc) {
    try {
      await ctx.delete('manifests', old, options);
    } catch (err) {
      if (!NotFoundError.is(err)) throw err;
    }
  }
}

/**
 * The digest the tag points to now (`HEAD`, or `GET` and hash when the registry leaves
 * `Docker-Content-Digest` out), undefined when there is no such tag.
 */
async function tagDigest(
  ctx: RepositoryContext,
  tag: string,
  options: OperationOptions,
): Promise<string | undefined> {
  const url = ctx.url(`manifests/${tag}`);
  const res = await ctx.metadata('HEAD', url, options, async (o) => {
    const answer = await ctx.send({
      method: 'HEAD',
      url,
      headers: { accept: MediaType.ImageIndex },
      scopes: ctx.scopes('pull'),
      ...signalOf(o),
    });
    await discard(answer);
    return answer;
  });
  if (res.statusCode === 404) return undefined;
  if (res.statusCode !== 200) throw await toResponseError('HEAD', res);
  const digest = header(res.headers, 'docker-content-digest');
  if (digest && isDigest(digest)) return digest;
  try {
    return digestOf((await getManifest(ctx, tag, MediaType.ImageIndex, options)).bytes);
  } catch (err) {
    if (NotFoundError.is(err)) return undefined;
    throw err;
  }
}

/** Waits a little before writing again, longer each time and at random, so two writers fall out of step. */
function backOff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
  const ms = Math.random() * Math.min(1000, 25 * 2 ** attempt);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new AbortedError('operation aborted', { cause: signal.reason }));
      },
      { once: true },
    );
  });
}
