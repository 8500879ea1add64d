/**
 * The fast path of `oras push` and `oras attach` to a registry: each regular file goes straight
 * to the registry (a large one hashed ahead of its upload, see `pushFile`), instead of being
 * hashed into a file store and read again by the copy. Its bytes are reported as they are sent.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DEFAULT_FILE_MEDIA_TYPE } from '@oras/content/file';
import { DEFAULT_BUFFERED_UPLOAD_BYTES, type RemoteRepository } from '@oras/registry';
import { Annotation, type Descriptor, digestOf } from '@oras/spec';
import { TtyProgressReporter } from '../output/progress.js';
import { beginTransfer, type Prompts, type StatusReporter } from '../output/status.js';
import type { FileArgument } from './pack-files.js';
import { runWeighted } from '../schedule.js';
import { DigestHints } from './digest-hints.js';

/**
 * Files up to this size (256 KiB) are read with one blocking call: a few microseconds from the
 * page cache, where the promise API costs five thread-pool round trips per file (open, stat,
 * read, read, close), each waiting for a pool thread on a busy machine.
 */
const SYNC_READ_BYTES = 256 * 1024;

/** The registry calls the fast path makes. */
export type DirectPushTarget = Pick<RemoteRepository, 'pushFile' | 'mount' | 'name'>;

/** Whether `target` can take files straight from disk (a registry repository). */
export function canPushFiles(target: object): target is DirectPushTarget {
  return typeof (target as Partial<DirectPushTarget>).pushFile === 'function';
}

/**
 * The prompt of a layer whose blob goes up under another title in the same push: oras's live
 * display says `Skipped`, its plain lines say `Exists`.
 */
export function duplicatePrompt(reporter: StatusReporter, prompts: Prompts): string {
  return reporter instanceof TtyProgressReporter ? prompts.skipped : prompts.exists;
}

/** What {@link pushRegularFiles} needs beside the files. */
export interface PushRegularFilesOptions {
  /** How many large files move at once (small ones move wider: see `./schedule.ts`). */
  readonly concurrency: number;
  /** The status display. */
  readonly reporter: StatusReporter;
  /** The prompts of the command. */
  readonly prompts: Prompts;
  /** Cancels the uploads. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Pushes the regular files (checked by `checkFiles`) to the registry repository `repo` and returns,
 * by argument index, their layer descriptors, titled and annotated as the file store would have
 * made them.
 *
 * A file up to {@link DEFAULT_BUFFERED_UPLOAD_BYTES} is read and hashed first, so a blob the
 * registry has is reported `Exists` and not sent, and a second file with the same bytes waits for
 * the first and is reported as oras reports it ({@link duplicatePrompt}); otherwise its row
 * starts when its upload starts and ends when the registry has it. A larger one goes to `pushFile`,
 * which starts its upload at once and hashes it ahead: its row is a {@link beginTransfer} transfer
 * that shows the bytes as they go out and gets its digest at the end, `Uploaded`, or `Exists` when
 * the registry turned out to have the blob (the upload is then stopped; the plain lines then have
 * no `Uploading` line).
 */
export async function pushRegularFiles(
  repo: DirectPushTarget,
  files: readonly FileArgument[],
  options: PushRegularFilesOptions,
): Promise<Map<number, Descriptor>> {
  const pushed = new Map<number, Descriptor>();
  const { reporter, prompts, signal } = options;
  const withSignal = signal ? { signal } : {};
  const titled = (desc: Descriptor, file: FileArgument): Descriptor => ({
    ...desc,
    annotations: { [Annotation.Title]: file.name, ...file.annotations },
  });
  // the small blobs of this push by digest: a second file with the same bytes is not sent again
  const sending = new Map<string, Promise<void>>();
  // the digests the large files had when pushed before (./digest-hints.ts): their push asks
  // the registry for that blob first
  const hints = files.some((f) => f.size > DEFAULT_BUFFERED_UPLOAD_BYTES) ? DigestHints.load() : undefined;
  const one = async (file: FileArgument): Promise<void> => {
    const mediaType = file.mediaType || DEFAULT_FILE_MEDIA_TYPE;
    if (file.size <= DEFAULT_BUFFERED_UPLOAD_BYTES) {
      const bytes =
        file.size <= SYNC_READ_BYTES && !signal?.aborted
          ? readFileSync(file.source)
          : await readFile(file.source, withSignal);
      const desc = titled({ mediaType, digest: digestOf(bytes), size: bytes.byteLength }, file);
      const earlier = sending.get(desc.digest);
      if (earlier) {
        await earlier;
        reporter.mark(desc, duplicatePrompt(reporter, prompts));
      } else {
        const upload = (async () => {
          // A mount from the repository itself asks "do you have it?" and opens the upload in
          // one request: 201 when the registry has the blob, else an upload session for the
          // bytes. (A HEAD first, then POST and PUT, costs a round trip more.) The bytes are
          // asked for only when they are sent.
          let sent = false;
          await repo.mount(
            desc,
            repo.name,
            async () => {
              sent = true;
              reporter.start(desc);
              return bytes;
            },
            withSignal,
          );
          if (!sent) {
            reporter.mark(desc, prompts.exists);
            return;
          }
          reporter.progress(desc, desc.size);
          reporter.done(desc);
        })();
        sending.set(desc.digest, upload);
        await upload;
      }
      pushed.set(file.index, desc);
      return;
    }
    const transfer = beginTransfer(reporter, { name: file.name, mediaType });
    // The live display shows the upload from its first byte. The lines (and events) of the other
    // reporters wait until the registry has been asked for the blob, so that a blob it has gets
    // `Exists` and no `Uploading` line, as oras prints it.
    let started = reporter instanceof TtyProgressReporter;
    if (started) transfer.start(file.size);
    let sent = 0;
    let exists = false;
    const digestHint = hints?.get(file.source);
    const plain = await repo.pushFile(mediaType, file.source, {
      ...withSignal,
      ...(digestHint ? { digestHint } : {}),
      onProgress: (bytes) => {
        sent = bytes;
        if (started) transfer.progress(bytes);
      },
      onChecked: (_, there) => {
        exists = there;
        if (started || there) return;
        started = true;
        transfer.start(file.size);
        if (sent > 0) transfer.progress(sent);
      },
    });
    hints?.set(file.source, plain.digest);
    const desc = titled(plain, file);
    if (exists) transfer.mark(desc, prompts.exists);
    else transfer.done(desc);
    pushed.set(file.index, desc);
  };
  try {
    await runWeighted(files, options.concurrency, (file) => file.size, one);
  } finally {
    hints?.save();
  }
  return pushed;
}
