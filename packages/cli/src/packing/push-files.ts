/**
 * The fast path of `oras push` and `oras attach` to a registry: each regular file goes straight
 * to the registry, read once (hashed while it uploads), instead of being hashed into a file store
 * and read again by the copy.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_FILE_MEDIA_TYPE } from '@oras/content/file';
import { DEFAULT_BUFFERED_UPLOAD_BYTES, type RemoteRepository } from '@oras/registry';
import { Annotation, type Descriptor, digestOf } from '@oras/spec';
import type { CliContext } from '../context.js';
import type { PackAnnotations } from '../options/packer.js';
import { parseFileRef } from '../options/packer.js';
import type { Prompts, StatusReporter } from '../output/status.js';

/** The registry calls the fast path makes. */
export type DirectPushTarget = Pick<RemoteRepository, 'pushFile' | 'push' | 'exists'>;

/** Whether `target` can take files straight from disk (a registry repository). */
function canPushFiles(target: object): target is DirectPushTarget {
  return typeof (target as Partial<DirectPushTarget>).pushFile === 'function';
}

/** What {@link pushRegularFiles} needs. */
export interface PushRegularFilesOptions {
  /** `<file>[:<mediaType>]` arguments. */
  readonly files: readonly string[];
  /** Skip the absolute-path check. */
  readonly disablePathValidation: boolean;
  /** The per-file annotations (`--annotation-file`). */
  readonly annotations: PackAnnotations;
  /** How many files move at once. */
  readonly concurrency: number;
  /** The status display. */
  readonly reporter: StatusReporter;
  /** The prompts of the command. */
  readonly prompts: Prompts;
  /** Cancels the uploads. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Pushes every regular file among `files` to `target` (when it is a registry repository, which has
 * `pushFile`; otherwise nothing is pushed here) and returns, by argument index, the layer
 * descriptors (with the title and per-file annotations), as the file store would have made them.
 * Directories are left out (they are packed as tar+gzip by the file store); so is everything when
 * two arguments share a name, so that the file store reports the duplicate as before.
 *
 * A file up to {@link DEFAULT_BUFFERED_UPLOAD_BYTES} is read and hashed first, so a blob the
 * registry has is reported `Exists` and not sent. A larger one is hashed while it uploads
 * (`pushFile`); its digest is known only at the end, so its `Uploading` and `Uploaded` lines (and
 * the display's progress) come when its upload ends.
 */
export async function pushRegularFiles(
  target: object,
  options: PushRegularFilesOptions,
  ctx: CliContext,
): Promise<Map<number, Descriptor>> {
  // an OCI layout (or any store without pushFile) gets the files through the file store instead
  if (!canPushFiles(target)) return new Map();
  const repo = target;
  const jobs: { index: number; name: string; mediaType: string; path: string; size: number }[] = [];
  const names = new Set<string>();
  for (const [index, arg] of options.files.entries()) {
    const ref = parseFileRef(arg, { disablePathValidation: options.disablePathValidation });
    const extra = options.annotations.files[ref.path] ?? {};
    const name = extra[Annotation.Title] || ref.path;
    if (names.has(name)) return new Map();
    names.add(name);
    const path = resolve(ctx.cwd, ref.path);
    const stats = await stat(path).catch(() => undefined);
    // a missing file: the file store reports it, before anything is sent
    if (!stats) return new Map();
    if (!stats.isFile()) continue;
    jobs.push({ index, name, mediaType: ref.mediaType || DEFAULT_FILE_MEDIA_TYPE, path, size: stats.size });
  }
  const pushed = new Map<number, Descriptor>();
  const { reporter, prompts, signal } = options;
  const annotate = (desc: Descriptor, name: string, arg: string): Descriptor => {
    const ref = parseFileRef(arg, { disablePathValidation: options.disablePathValidation });
    const extra = options.annotations.files[ref.path] ?? {};
    return { ...desc, annotations: { [Annotation.Title]: name, ...extra } };
  };
  const one = async (job: (typeof jobs)[number]): Promise<void> => {
    const arg = options.files[job.index] ?? '';
    if (job.size <= DEFAULT_BUFFERED_UPLOAD_BYTES) {
      const bytes = await readFile(job.path, signal ? { signal } : {});
      const desc = annotate(
        { mediaType: job.mediaType, digest: digestOf(bytes), size: bytes.byteLength },
        job.name,
        arg,
      );
      if (await repo.exists(desc, signal ? { signal } : {})) {
        reporter.mark(desc, prompts.exists);
      } else {
        reporter.start(desc);
        await repo.push(desc, bytes, signal ? { signal } : {});
        reporter.progress(desc, desc.size);
        reporter.done(desc);
      }
      pushed.set(job.index, desc);
      return;
    }
    const plain = await repo.pushFile(job.mediaType, job.path, signal ? { signal } : {});
    const desc = annotate(plain, job.name, arg);
    reporter.start(desc);
    reporter.progress(desc, desc.size);
    reporter.done(desc);
    pushed.set(job.index, desc);
  };
  await runBounded(jobs, Math.max(1, options.concurrency), one);
  return pushed;
}

/** Runs `work` on every item, at most `limit` at a time; rejects with the first failure. */
async function runBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}
