/**
 * The live progress display on a terminal (stderr), in oras's shape: two lines per descriptor,
 *
 *   ⠋ [████........](  1.2 MB/s) Uploading hi.txt            1.5/3  MB  50.00%     2s
 *     └─ sha256:...
 *
 * and, once done, `✓ Uploaded  hi.txt ... 3/3 MB 100.00% 2s`. Finished entries at the top scroll
 * out of the live area as plain lines, so the area stays small however many blobs move.
 */
import type { Descriptor } from '@oras/spec';
import type { OutputStream } from '../context.js';
import { formatBytes, formatDuration, roundTo, toBytes } from './humanize.js';
import type { Prompts, StatusReporter } from './status.js';
import { displayName } from './status.js';

const BAR_LENGTH = 20;
const SPEED_LENGTH = 7;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const DONE_MARK = '\x1b[92m✓\x1b[0m';
const BAR_FILL = (s: string) => `\x1b[104m${s}\x1b[0m`;
const SPIN_COLOR = (s: string) => `\x1b[93m${s}\x1b[0m`;
/** How often the display is redrawn. */
export const DEFAULT_RENDER_INTERVAL_MS = 200;

interface Entry {
  desc: Descriptor;
  prompt: string;
  offset: number;
  start: number;
  end: number | undefined;
  samples: [number, number][];
}

/** Options of {@link TtyProgressReporter}. */
export interface TtyProgressOptions {
  /** The redraw interval; {@link DEFAULT_RENDER_INTERVAL_MS} by default. */
  readonly intervalMs?: number;
  /** The clock (for tests). */
  readonly now?: () => number;
}

/** Renders one entry as its two lines for a terminal `width` columns wide. */
export function renderEntry(e: Entry, width: number, now: number, tick: number): [string, string] {
  const done = e.end !== undefined;
  const total = e.desc.size;
  const totalH = toBytes(total);
  const percent = done ? 1 : total > 0 ? Math.min(e.offset / total, 1) : 0;
  const offsetText = done ? String(totalH.size) : roundTo(totalH.size * percent).toFixed(2);
  const elapsed = formatDuration((e.end ?? now) - e.start);
  const right = ` ${offsetText}/${formatBytes(totalH)} ${(percent * 100).toFixed(2).padStart(6)}% ${elapsed.padStart(6)}`;
  const name = displayName(e.desc);
  let left: string;
  let lenLeft: number;
  if (done) {
    left = `${DONE_MARK} ${e.prompt} ${name}`;
    lenLeft = e.prompt.length + name.length + 3;
  } else {
    const filled = Math.floor(percent * BAR_LENGTH);
    const bar = `[${BAR_FILL(' '.repeat(filled))}${'.'.repeat(BAR_LENGTH - filled)}]`;
    const speed = formatBytes(toBytes(speedOf(e, now)));
    left = `${SPIN_COLOR(SPINNER[tick % SPINNER.length] ?? '⠋')} ${bar}(${speed.padStart(SPEED_LENGTH)}/s) ${e.prompt} ${name}`;
    lenLeft = BAR_LENGTH + SPEED_LENGTH + 7 + e.prompt.length + name.length + 3;
  }
  let margin = width - lenLeft - right.length;
  if (margin < 0) {
    const cut = Math.max(0, name.length + margin - 1);
    left = `${left.slice(0, left.length - name.length)}${name.slice(0, cut)}.`;
    margin = 0;
  }
  return [`${left}${' '.repeat(margin)}${right}`, `  └─ ${e.desc.digest}`];
}

/** The mean speed over the last few seconds, in bytes per second. */
function speedOf(e: Entry, now: number): number {
  const recent = e.samples.filter(([t]) => now - t <= 5000);
  const first = recent[0];
  const last = recent[recent.length - 1];
  if (!first || !last || last[0] === first[0]) return 0;
  return ((last[1] - first[1]) * 1000) / (last[0] - first[0]);
}

/** The live display on a terminal. */
export class TtyProgressReporter implements StatusReporter {
  readonly #out: OutputStream;
  readonly #prompts: Prompts;
  readonly #now: () => number;
  readonly #entries: Entry[] = [];
  readonly #timer: ReturnType<typeof setInterval>;
  #liveLines = 0;
  #tick = 0;
  #closed = false;

  constructor(out: OutputStream, prompts: Prompts, options: TtyProgressOptions = {}) {
    this.#out = out;
    this.#prompts = prompts;
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(() => this.render(), options.intervalMs ?? DEFAULT_RENDER_INTERVAL_MS);
    this.#timer.unref();
  }

  #entry(desc: Descriptor, prompt: string): Entry {
    let e = this.#entries.find(
      (x) => x.desc.digest === desc.digest && displayName(x.desc) === displayName(desc),
    );
    if (!e) {
      const now = this.#now();
      e = { desc, prompt, offset: 0, start: now, end: undefined, samples: [[now, 0]] };
      this.#entries.push(e);
    }
    return e;
  }

  start(desc: Descriptor): void {
    this.#entry(desc, this.#prompts.start).prompt = this.#prompts.start;
  }

  progress(desc: Descriptor, offset: number): void {
    const e = this.#entry(desc, this.#prompts.start);
    e.offset = offset;
    e.samples.push([this.#now(), offset]);
    if (e.samples.length > 64) e.samples.splice(0, e.samples.length - 64);
  }

  done(desc: Descriptor): void {
    const e = this.#entry(desc, this.#prompts.done);
    e.prompt = this.#prompts.done;
    e.offset = desc.size;
    e.end = this.#now();
  }

  mark(desc: Descriptor, prompt: string): void {
    const e = this.#entry(desc, prompt);
    e.prompt = prompt;
    e.offset = desc.size;
    e.end ??= e.start;
  }

  /** Redraws the live area. */
  render(): void {
    if (this.#closed) return;
    const width = this.#out.columns || 80;
    const now = this.#now();
    let text = this.#liveLines > 0 ? `\x1b[${this.#liveLines}F` : '';
    // Finished entries at the head leave the live area for good.
    while (this.#entries.length > 0 && this.#entries[0]?.end !== undefined) {
      const e = this.#entries.shift() as Entry;
      const [a, b] = renderEntry(e, width, now, this.#tick);
      text += `\x1b[2K${a}\n\x1b[2K${b}\n`;
    }
    for (const e of this.#entries) {
      const [a, b] = renderEntry(e, width, now, this.#tick);
      text += `\x1b[2K${a}\n\x1b[2K${b}\n`;
    }
    this.#liveLines = this.#entries.length * 2;
    this.#tick++;
    if (text !== '') this.#out.write(text);
  }

  close(): void {
    if (this.#closed) return;
    clearInterval(this.#timer);
    for (const e of this.#entries) e.end ??= this.#now();
    this.render();
    this.#closed = true;
  }
}
