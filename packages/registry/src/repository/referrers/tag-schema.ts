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
import { subjectKey, withSubjectLock } from './subject-lock.js';

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

/** Changes of one subject's index that wait for their turn, written together. */
interface Batch {
  readonly changes: ReferrersChange[];
  /** The signal every change of the batch was given. */
  readonly signal: AbortSignal | undefined;
  /** Settles when the batch is written (or failed). */
  done: Promise<void>;
}

/** The open batch of each subject ({@link subjectKey}), until its turn comes. */
const waiting = new Map<string, Batch>();

/**
 * Adds a referrer to, or removes one from, the tag-schema index of `subject`, so that the index
 * ends up reflecting the change whoever else writes it at the same time.
 *
 * In this process, updates of one subject run one at a time ({@link withSubjectLock}), and the
 * changes that arrive while one runs are written together after it, in one write (those given
 * the same `signal`: each batch fails or aborts as one). A copy of 8 referrers of one subject makes
 * two or three writes instead of 8.
 *
 * Another process may still write between our read and our write; distribution has no
 * conditional `PUT`, so: just before writing, the tag's digest is compared with the one read, and
 * when it moved, the index is read again and the changes merged into what is there now. After
 * writing, the index is read once more: a writer that landed between the check and our `PUT`, or
 * just after it, may have dropped our referrer, and the changes are merged again. This goes on
 * until the index reflects them, at most {@link MAX_INDEX_UPDATE_ATTEMPTS} writes.
 *
 * Once our write reads back, the index is read one last time after a pause ({@link settleDelay}):
 * a writer that compared the tag before our `PUT` landed writes its own index without our change
 * up to one write's time later, after our first read back (two processes pushing 8 referrers at
 * once lost one or two in 3 of 20 runs without this pause). Its length follows how long our own
 * write took, so a slow registry or a busy machine gets a longer one.
 */
export function updateReferrersIndex(
  ctx: RepositoryContext,
  subject: Descriptor,
  change: ReferrersChange,
  options: OperationOptions,
): Promise<void> {
  const key = subjectKey(ctx, subject);
  let batch = waiting.get(key);
  if (batch === undefined || batch.signal !== options.signal) {
    const opened: Batch = { changes: [], signal: options.signal, done: Promise.resolve() };
    waiting.set(key, opened);
    opened.done = withSubjectLock(ctx, subject, () => {
      // its turn: the batch is closed, what comes now waits for the next one
      if (waiting.get(key) === opened) waiting.delete(key);
      return writeChanges(ctx, subject, opened.changes, options);
    });
    batch = opened;
  }
  batch.changes.push(change);
  return batch.done;
}

/** Writes `changes` into the index of `subject` (see {@link updateReferrersIndex}). */
async function writeChanges(
  ctx: RepositoryContext,
  subject: Descriptor,
  changes: readonly ReferrersChange[],
  options: OperationOptions,
): Promise<void> {
  const tag = referrersTag(subject.digest);
  // how long our last write took (from the tag check to the end of its PUT: the window in
  // which another writer's write can land unseen), once we wrote
  let wroteMs: number | undefined;
  let settled = false;
  for (let attempt = 0; ; attempt++) {
    const read = await fetchReferrersIndex(ctx, subject, options);
    const next = applyChanges(read.index?.manifests ?? [], changes);
    if (next === undefined) {
      if (wroteMs === undefined || settled) return;
      settled = true;
      await pause(settleDelay(wroteMs), options.signal);
      continue;
    }
    settled = false;
    if (attempt >= MAX_INDEX_UPDATE_ATTEMPTS) {
      throw new OrasError(
        `${ctx.host}/${ctx.name}:${tag}: referrers index changed by other writers ${attempt} times in a row; ${describeChanges(changes)} not recorded`,
      );
    }
    if (attempt > 0) await backOff(attempt, options.signal);
    const started = performance.now();
    if ((await tagDigest(ctx, tag, options)) !== read.tagDigest) continue;
    try {
      const pushed = await writeIndex(ctx, subject, next, read.descriptor, options);
      wroteMs = pushed - started;
    } catch (err) {
      if (!listedManifestUnknown(err) || attempt + 1 >= MAX_INDEX_UPDATE_ATTEMPTS) throw err;
    }
  }
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

/**
 * The referrers after `changes`, in order, or undefined when `current` already reflects them all
 * (an add and a removal of the same referrer cancel out).
 */
function applyChanges(current: Descriptor[], changes: readonly ReferrersChange[]): Descriptor[] | undefined {
  let next = current;
  for (const change of changes) next = applyChange(next, change) ?? next;
  if (next.length === current.length && next.every((d, i) => d.digest === current[i]?.digest))
    return undefined;
  return next;
}

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

function describeChanges(changes: readonly ReferrersChange[]): string {
  const [change] = changes;
  const one = change?.add ? `referrer ${change.add.digest}` : `removal of referrer ${change?.remove?.digest}`;
  return changes.length === 1 ? one : `${one} and ${changes.length - 1} other change(s)`;
}

/**
 * Pushes the index of `referrers` under the subject's tag, and deletes the index it replaces
 * (unless `skipReferrersGc`). An empty list is pushed too when the old index will not be deleted,
 * or the stale index would go on listing a deleted referrer (as oras-go does). Resolves to the
 * time (`performance.now()`) the tag moved: after the `PUT`, or after the deletion when nothing
 * was pushed.
 */
async function writeIndex(
  ctx: RepositoryContext,
  subject: Descriptor,
  referrers: Descriptor[],
  old: Descriptor | undefined,
  options: OperationOptions,
): Promise<number> {
  const pushing = referrers.length > 0 || ctx.options.skipReferrersGc;
  if (pushing) {
    const bytes = serializeIndex({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: referrers });
    const desc: Descriptor = {
      mediaType: MediaType.ImageIndex,
      digest: digestOf(bytes),
      size: bytes.byteLength,
    };
    await pushManifest(ctx, desc, bytes, referrersTag(subject.digest), options);
  }
  const pushed = performance.now();
  if (old && !ctx.options.skipReferrersGc) {
    try {
      await ctx.delete('manifests', old, options);
    } catch (err) {
      if (!NotFoundError.is(err)) throw err;
    }
  }
  // (nothing pushed: deleting the old index is what removed the tag)
  return pushing ? pushed : performance.now();
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

/**
 * The pause before the last read back of a written index: twice what our own write took (another
 * writer's takes about as long on the same registry), at least {@link MIN_SETTLE_MS} and at most
 * {@link MAX_SETTLE_MS}, plus up to a quarter more at random.
 */
export function settleDelay(wroteMs: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_SETTLE_MS, Math.max(MIN_SETTLE_MS, 2 * wroteMs));
  return base * (1 + random() / 4);
}

/** The shortest pause of {@link settleDelay}. */
export const MIN_SETTLE_MS = 50;
/** The longest pause of {@link settleDelay}. */
export const MAX_SETTLE_MS = 2000;

/** Waits a little before writing again, longer each time and at random, so two writers fall out of step. */
function backOff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
  return pause(Math.random() * Math.min(1000, 25 * 2 ** attempt), signal);
}

/** Waits `ms`, or rejects with `AbortedError` when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError('operation aborted', { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('operation aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
