/**
 * Transfer status: the events a command reports for each descriptor it moves, the plain-text
 * printer used when stderr is not a terminal, and the JSON events of `--progress json`. A status
 * line is `<prompt> <short digest> <title or media type>`, with the prompts padded as oras pads
 * them so that the columns line up.
 *
 * Content whose digest is known before it moves (everything a pull or copy fetches) is reported
 * by descriptor: `start`, `progress`, `done`, `mark`. Content whose digest is known only once it
 * has moved (a file hashed while it uploads, a folder tarred and gzipped before it uploads) gets
 * a {@link Transfer} from {@link beginTransfer}, which reports it by name until its descriptor is
 * known.
 */
import { Annotation, type Descriptor } from '@oras/spec';
import type { OutputStream } from '../context.js';
import { printable, printableJson } from './escape.js';

/** The prompts of one command: the start and end of a transfer and the other outcomes. */
export interface Prompts {
  /** A transfer starts (`Uploading`). */
  readonly start: string;
  /** A transfer ends (`Uploaded `). */
  readonly done: string;
  /** Content the destination already has (`Exists   `). */
  readonly exists: string;
  /** Content left out (`Skipped  `). */
  readonly skipped: string;
  /** Content being unpacked or checked (`Processing `, pull only). */
  readonly processing?: string;
  /** Content written again under another name (`Restored   `, pull only). */
  readonly restored?: string;
  /** A blob mounted from another repository (`Mounted`, cp only). */
  readonly mounted?: string;
  /**
   * The end of a transfer on the live display, when it differs from the plain line's
   * (`Pulled     `: oras's pull ends its rows with `✓ Pulled` but prints `Downloaded` lines).
   */
  readonly ttyDone?: string;
}

/** The prompts of push and attach. */
export const PUSH_PROMPTS = {
  start: 'Uploading',
  done: 'Uploaded ',
  exists: 'Exists   ',
  skipped: 'Skipped  ',
} as const satisfies Prompts;

/** The prompts of blob and config fetches: `Downloading`, then `Downloaded` on every display. */
export const FETCH_PROMPTS = {
  start: 'Downloading',
  done: 'Downloaded ',
  exists: 'Skipped    ',
  skipped: 'Skipped    ',
  processing: 'Processing ',
  restored: 'Restored   ',
} as const satisfies Prompts;

/** The prompts of pull: a done row on the live display reads `✓ Pulled`, as in oras. */
export const PULL_PROMPTS = { ...FETCH_PROMPTS, ttyDone: 'Pulled     ' } as const satisfies Prompts;

/** The prompts of cp. */
export const COPY_PROMPTS = {
  start: 'Copying',
  done: 'Copied ',
  exists: 'Exists ',
  skipped: 'Skipped',
  mounted: 'Mounted',
} as const satisfies Prompts;

/**
 * The prompts of `manifest index create` and `update`, padded as oras 1.3 pads them
 * (`IndexPrompt*` of its status package); a space follows each, as Go's `Println` puts one
 * between its operands: `Fetching  v1`, `Fetched   sha256:... v1`, `Updated   sha256:...`.
 */
export const INDEX_PROMPTS = {
  fetching: 'Fetching ',
  fetched: 'Fetched  ',
  added: 'Added    ',
  merged: 'Merged   ',
  removed: 'Removed  ',
  packed: 'Packed   ',
  pushed: 'Pushed   ',
  updated: 'Updated  ',
} as const;

/** Content whose digest is not known yet: a file hashed as it uploads, a folder being packed. */
export interface PendingContent {
  /** The name shown: the title the content is pushed under (a file name, a folder name). */
  readonly name: string;
  /** The media type it is pushed with. */
  readonly mediaType: string;
}

/**
 * One row of the report for content whose digest is known only at the end of its transfer. The
 * push code calls, in this order:
 *
 * - `packing(bytesRead)` any number of times while a folder is tarred and gzipped (the files'
 *   bytes read so far), for a live "Packing" state instead of a blank screen;
 * - `start(size)` when the upload begins and its size is known;
 * - `progress(sent)` as bytes go out, with the running total (the shape of `onProgress` of
 *   `RemoteRepository.pushStream`/`pushFile`: it may go back when an upload resumes);
 * - `done(desc)` once the registry has the blob, with its descriptor (title annotation included),
 *   or `mark(desc, prompt)` instead when no upload was needed (`Exists`).
 *
 * A folder packed into a file store and then copied by descriptor may also stop calling the
 * transfer after `packing`: the first descriptor event whose title is the transfer's name takes
 * its row over on the live display.
 */
export interface Transfer {
  /** The folder is being packed: `bytesRead` of its files have been read so far. */
  packing(bytesRead: number): void;
  /** The upload starts; `size` bytes are to be sent. */
  start(size: number): void;
  /** `sent` bytes have been sent so far (a running total, which may go back on a resume). */
  progress(sent: number): void;
  /** The upload ended: the registry has `desc`. */
  done(desc: Descriptor): void;
  /** The content needed no upload: `prompt` (`Exists   `) with its descriptor. */
  mark(desc: Descriptor, prompt: string): void;
}

/** What a command reports about the content it moves. */
export interface StatusReporter {
  /**
   * Whether {@link StatusReporter.progress} shows anything. When not, callers may skip counting
   * the bytes of their streams (one stream layer less per blob); missing counts as `false`.
   */
  readonly showsProgress?: boolean;
  /** A transfer starts. */
  start(desc: Descriptor): void;
  /** `offset` bytes of a transfer have moved. */
  progress(desc: Descriptor, offset: number): void;
  /** A transfer ended. */
  done(desc: Descriptor): void;
  /** An outcome without a transfer (`Exists`, `Skipped`, `Mounted`, `Restored` ...). */
  mark(desc: Descriptor, prompt: string): void;
  /** Ends the report (stops a live display, leaving its final state on screen). */
  close(): void;
  /**
   * A row for content whose digest is not known yet. Optional, so that any reporter works with
   * {@link beginTransfer}; every reporter of this module has it.
   */
  transfer?(content: PendingContent): Transfer;
  /**
   * A file argument of push or attach is about to be read (`Preparing <name>`, before any
   * upload). Optional: only the plain lines show it, as only oras's text output does.
   */
  preparing?(name: string): void;
}

/** The prompt oras prints for each file of a push or attach before it uploads anything. */
export const PREPARING_PROMPT = 'Preparing';

/**
 * A {@link Transfer} on `reporter` for `content`. A reporter without `transfer` hears of the
 * content only at its end (start, progress and done together), which is all it could show
 * without a digest.
 */
export function beginTransfer(reporter: StatusReporter, content: PendingContent): Transfer {
  if (reporter.transfer) return reporter.transfer(content);
  return {
    packing: () => {},
    start: () => {},
    progress: () => {},
    done: (desc) => {
      reporter.start(desc);
      reporter.progress(desc, desc.size);
      reporter.done(desc);
    },
    mark: (desc, prompt) => reporter.mark(desc, prompt),
  };
}

/** The prompt of the packing state, padded like the command's other prompts. */
export function packingPrompt(prompts: Prompts): string {
  return 'Packing'.padEnd(prompts.start.length);
}

/** The first 12 hex characters of a descriptor's digest. */
export function shortDigest(desc: Pick<Descriptor, 'digest'>): string {
  const i = desc.digest.indexOf(':');
  return printable(desc.digest.slice(i + 1, i + 13));
}

/** The title annotation of a descriptor, if any. */
function titleOf(desc: Pick<Descriptor, 'annotations'>): string | undefined {
  return desc.annotations?.[Annotation.Title] || undefined;
}

/**
 * The title annotation of a descriptor, else its media type, escaped ({@link printable}): both
 * come from whoever pushed the artifact.
 */
export function displayName(desc: Pick<Descriptor, 'mediaType' | 'annotations'>): string {
  return printable(titleOf(desc) || desc.mediaType);
}

/** One plain status line (without the newline). */
export function statusLine(prompt: string, desc: Descriptor): string {
  return `${prompt} ${shortDigest(desc)} ${displayName(desc)}`;
}

/** Options of {@link TextStatusReporter}. */
export interface TextStatusOptions {
  /**
   * Print the lines of unnamed content (no title: configs, manifests) too; `true` by default,
   * `false` with oras's deprecated `--verbose=false`.
   */
  readonly verbose?: boolean | undefined;
}

/** Prints plain status lines (used when stderr is not a terminal, or with `--no-tty`). */
export class TextStatusReporter implements StatusReporter {
  readonly #out: OutputStream;
  readonly #prompts: Prompts;
  readonly #verbose: boolean;

  constructor(out: OutputStream, prompts: Prompts, options: TextStatusOptions = {}) {
    this.#out = out;
    this.#prompts = prompts;
    this.#verbose = options.verbose ?? true;
  }

  #line(prompt: string, desc: Descriptor): void {
    if (!this.#verbose && titleOf(desc) === undefined) return;
    this.#out.write(`${statusLine(prompt, desc)}\n`);
  }

  start(desc: Descriptor): void {
    this.#line(this.#prompts.start, desc);
  }

  progress(): void {}

  done(desc: Descriptor): void {
    this.#line(this.#prompts.done, desc);
  }

  mark(desc: Descriptor, prompt: string): void {
    this.#line(prompt, desc);
  }

  close(): void {}

  /** `Preparing <name>`, as oras's verbose text output says for each file. */
  preparing(name: string): void {
    if (this.#verbose) this.#out.write(`${PREPARING_PROMPT} ${printable(name)}\n`);
  }

  /** The start line has no digest yet (`Uploading big.bin`); the done line has it. */
  transfer(content: PendingContent): Transfer {
    let started = false;
    return {
      packing: () => {},
      start: () => {
        if (started) return;
        started = true;
        this.#out.write(`${this.#prompts.start} ${printable(content.name)}\n`);
      },
      progress: () => {},
      done: (desc) => this.done(desc),
      mark: (desc, prompt) => this.mark(desc, prompt),
    };
  }
}

/** Reports nothing (JSON and template output, `--progress none`). */
export class DiscardStatusReporter implements StatusReporter {
  start(): void {}
  progress(): void {}
  done(): void {}
  mark(): void {}
  close(): void {}
  transfer(): Transfer {
    return { packing() {}, start() {}, progress() {}, done() {}, mark() {} };
  }
}

/** Where one row of JSON events stands. */
interface JsonRow {
  started: boolean;
  finished: boolean;
  /** The offset of the last progress event written. */
  lastOffset: number | undefined;
  /** When the last progress (or start, or packing) event was written. */
  lastAt: number;
}

/** The fields of one JSON event but `event` and `prompt`. */
interface JsonFields {
  readonly digest?: string;
  readonly mediaType: string;
  readonly size?: number;
  readonly title?: string;
  readonly offset?: number;
}

/**
 * Writes one JSON object per line for each event, for CI systems and other tools:
 * `{"event":"start|progress|done|packing|<outcome>","prompt":...,"digest":...,"mediaType":...,
 * "size":...,"title"?:...,"offset"?:...}`.
 *
 * For every row (one descriptor under one title) the events come in order: `start`, then
 * `progress` (at most one every `intervalMs`, and always one at the full size), then `done`,
 * whatever order the command reported them in: bytes reported before a row's start are not its
 * transfer (a copy reads a manifest from the source to find its blobs before it uploads it) and
 * are dropped, a `done` without a start gets one first, and events after `done` are dropped. A row reported
 * through {@link Transfer} may begin with `packing` events, and has no `digest` before `done`.
 * Text from the registry (titles, media types) reaches the line with the characters a terminal
 * acts on escaped (`\u001b`, `\u202e`).
 */
export class JsonStatusReporter implements StatusReporter {
  /** Byte counts become `progress` events. */
  readonly showsProgress = true;
  readonly #out: OutputStream;
  readonly #prompts: Prompts;
  readonly #intervalMs: number;
  readonly #rows = new Map<string, JsonRow>();
  readonly #now: () => number;

  constructor(out: OutputStream, prompts: Prompts, intervalMs = 200, now: () => number = Date.now) {
    this.#out = out;
    this.#prompts = prompts;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  #write(event: string, prompt: string, fields: JsonFields): void {
    const record = {
      event,
      prompt: prompt.trim(),
      ...(fields.digest !== undefined ? { digest: fields.digest } : {}),
      mediaType: fields.mediaType,
      ...(fields.size !== undefined ? { size: fields.size } : {}),
      ...(fields.title ? { title: fields.title } : {}),
      ...(fields.offset !== undefined ? { offset: fields.offset } : {}),
    };
    this.#out.write(`${printableJson(JSON.stringify(record))}\n`);
  }

  #row(key: string): JsonRow {
    let row = this.#rows.get(key);
    if (!row) {
      row = { started: false, finished: false, lastOffset: undefined, lastAt: 0 };
      this.#rows.set(key, row);
    }
    return row;
  }

  #start(row: JsonRow, fields: JsonFields): void {
    if (row.started || row.finished) return;
    row.started = true;
    row.lastAt = this.#now();
    this.#write('start', this.#prompts.start, { ...fields, offset: 0 });
  }

  #progress(row: JsonRow, fields: JsonFields, offset: number): void {
    if (row.finished || !row.started) return;
    const now = this.#now();
    const complete = fields.size !== undefined && offset >= fields.size;
    if (offset === row.lastOffset || (!complete && now - row.lastAt < this.#intervalMs)) return;
    row.lastAt = now;
    row.lastOffset = offset;
    this.#write('progress', this.#prompts.start, { ...fields, offset });
  }

  #done(row: JsonRow, fields: JsonFields & { size: number }): void {
    if (row.finished) return;
    this.#start(row, fields);
    this.#progress(row, fields, fields.size);
    row.finished = true;
    this.#write('done', this.#prompts.done, { ...fields, offset: fields.size });
  }

  start(desc: Descriptor): void {
    this.#start(this.#row(keyOf(desc)), fieldsOf(desc));
  }

  progress(desc: Descriptor, offset: number): void {
    this.#progress(this.#row(keyOf(desc)), fieldsOf(desc), offset);
  }

  done(desc: Descriptor): void {
    this.#done(this.#row(keyOf(desc)), fieldsOf(desc));
  }

  mark(desc: Descriptor, prompt: string): void {
    this.#write(prompt.trim().toLowerCase(), prompt, fieldsOf(desc));
  }

  close(): void {}

  transfer(content: PendingContent): Transfer {
    const row: JsonRow = { started: false, finished: false, lastOffset: undefined, lastAt: 0 };
    let size: number | undefined;
    const fields = (): JsonFields => ({
      mediaType: content.mediaType,
      ...(size !== undefined ? { size } : {}),
      title: content.name,
    });
    const packing = packingPrompt(this.#prompts);
    return {
      packing: (bytesRead) => {
        if (row.started || row.finished) return;
        const now = this.#now();
        if (row.lastAt !== 0 && now - row.lastAt < this.#intervalMs) return;
        row.lastAt = now;
        this.#write('packing', packing, { ...fields(), offset: bytesRead });
      },
      start: (total) => {
        size = total;
        this.#start(row, fields());
      },
      progress: (sent) => this.#progress(row, fields(), sent),
      done: (desc) => {
        size = desc.size;
        this.#done(row, fieldsOf(desc));
      },
      mark: (desc, prompt) => {
        row.finished = true;
        this.mark(desc, prompt);
      },
    };
  }
}

/** The row key of a descriptor: one blob may be shown under two titles. */
function keyOf(desc: Descriptor): string {
  return `${desc.digest}\n${titleOf(desc) ?? ''}`;
}

function fieldsOf(desc: Descriptor): JsonFields & { size: number } {
  const title = titleOf(desc);
  return {
    digest: desc.digest,
    mediaType: desc.mediaType,
    size: desc.size,
    ...(title ? { title } : {}),
  };
}
