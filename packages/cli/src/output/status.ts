/**
 * Transfer status: the events a command reports for each descriptor it moves, and the plain-text
 * printer used when stderr is not a terminal. A status line is `<prompt> <short digest> <title or
 * media type>`, with the prompts padded as oras pads them so that the columns line up.
 */
import type { Descriptor } from '@oras/spec';
import type { OutputStream } from '../context.js';
import { printable } from './escape.js';

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
}

/** The prompts of push and attach. */
export const PUSH_PROMPTS = {
  start: 'Uploading',
  done: 'Uploaded ',
  exists: 'Exists   ',
  skipped: 'Skipped  ',
} as const satisfies Prompts;

/** The prompts of pull. */
export const PULL_PROMPTS = {
  start: 'Downloading',
  done: 'Downloaded ',
  exists: 'Skipped    ',
  skipped: 'Skipped    ',
  processing: 'Processing ',
  restored: 'Restored   ',
} as const satisfies Prompts;

/** The prompts of cp. */
export const COPY_PROMPTS = {
  start: 'Copying',
  done: 'Copied ',
  exists: 'Exists ',
  skipped: 'Skipped',
  mounted: 'Mounted',
} as const satisfies Prompts;

/** What a command reports about the content it moves. */
export interface StatusReporter {
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
}

/** The first 12 hex characters of a descriptor's digest. */
export function shortDigest(desc: Pick<Descriptor, 'digest'>): string {
  const i = desc.digest.indexOf(':');
  return desc.digest.slice(i + 1, i + 13);
}

/**
 * The title annotation of a descriptor, else its media type, with control characters escaped
 * ({@link printable}): both come from whoever pushed the artifact.
 */
export function displayName(desc: Pick<Descriptor, 'mediaType' | 'annotations'>): string {
  return printable(desc.annotations?.['org.opencontainers.image.title'] || desc.mediaType);
}

/** One plain status line (without the newline). */
export function statusLine(prompt: string, desc: Descriptor): string {
  return `${prompt} ${shortDigest(desc)} ${displayName(desc)}`;
}

/** Prints plain status lines (used when stderr is not a terminal, or with `--no-tty`). */
export class TextStatusReporter implements StatusReporter {
  readonly #out: OutputStream;
  readonly #prompts: Prompts;

  constructor(out: OutputStream, prompts: Prompts) {
    this.#out = out;
    this.#prompts = prompts;
  }

  start(desc: Descriptor): void {
    this.#out.write(`${statusLine(this.#prompts.start, desc)}\n`);
  }

  progress(): void {}

  done(desc: Descriptor): void {
    this.#out.write(`${statusLine(this.#prompts.done, desc)}\n`);
  }

  mark(desc: Descriptor, prompt: string): void {
    this.#out.write(`${statusLine(prompt, desc)}\n`);
  }

  close(): void {}
}

/** Reports nothing (JSON and template output, `--progress none`). */
export class DiscardStatusReporter implements StatusReporter {
  start(): void {}
  progress(): void {}
  done(): void {}
  mark(): void {}
  close(): void {}
}

/**
 * Writes one JSON object per line for each event, for CI systems and other tools:
 * `{"event":"start|progress|done|<outcome>","prompt":...,"digest":...,"mediaType":...,"size":...,
 * "title"?:...,"offset"?:...}`. Progress events for one descriptor come at most every `intervalMs`.
 */
export class JsonStatusReporter implements StatusReporter {
  readonly #out: OutputStream;
  readonly #prompts: Prompts;
  readonly #intervalMs: number;
  readonly #last = new Map<string, number>();
  readonly #now: () => number;

  constructor(out: OutputStream, prompts: Prompts, intervalMs = 200, now: () => number = Date.now) {
    this.#out = out;
    this.#prompts = prompts;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  #emit(event: string, prompt: string, desc: Descriptor, offset?: number): void {
    const title = desc.annotations?.['org.opencontainers.image.title'];
    const record = {
      event,
      prompt: prompt.trim(),
      digest: desc.digest,
      mediaType: desc.mediaType,
      size: desc.size,
      ...(title ? { title } : {}),
      ...(offset !== undefined ? { offset } : {}),
    };
    this.#out.write(`${JSON.stringify(record)}\n`);
  }

  start(desc: Descriptor): void {
    this.#last.set(desc.digest, this.#now());
    this.#emit('start', this.#prompts.start, desc, 0);
  }

  progress(desc: Descriptor, offset: number): void {
    const now = this.#now();
    if (now - (this.#last.get(desc.digest) ?? 0) < this.#intervalMs) return;
    this.#last.set(desc.digest, now);
    this.#emit('progress', this.#prompts.start, desc, offset);
  }

  done(desc: Descriptor): void {
    this.#emit('done', this.#prompts.done, desc, desc.size);
  }

  mark(desc: Descriptor, prompt: string): void {
    this.#emit(prompt.trim().toLowerCase(), prompt, desc);
  }

  close(): void {}
}
