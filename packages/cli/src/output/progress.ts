/**
 * The live progress display on a terminal (stderr), in oras's shape: two lines per row,
 *
 *   ⠋ [████........]( 12.3 MB/s) Downloading big.bin        12.5/64 MB  19.53%     1s ETA    5s
 *     └─ sha256:...
 *
 * and, once done, `✓ Pulled      big.bin   64/64 MB 100.00%     5s` (a pull; `✓ Uploaded  ` a push).
 *
 * Every line is fitted to the terminal's width at each redraw, measured in columns (a CJK
 * character or an emoji takes two): the name is cut before any number, then the elapsed time,
 * half the bar and the speed give way at narrow widths. A line as wide as the terminal would
 * wrap, and the cursor-up of the next redraw would then leave a stale copy above; so lines stop
 * one column short of the edge. When the terminal is resized (`SIGWINCH`, seen as the stream's
 * `resize` event), the display is redrawn at once, moving up over as many rows as the terminal's
 * reflow made of the lines already drawn.
 *
 * A row shows done once its bytes are all in (a manifest fetched early, before its blobs, does
 * not spin at 100%). Rows are ordered config, layers, manifests (as oras prints them), and the
 * display ends with only the final lines. Finished rows leave the live area early only when it
 * would not fit on the screen.
 */
import { type Descriptor, MediaType } from '@oras/spec';
import type { OutputStream } from '../context.js';
import { printable } from './escape.js';
import { formatBytes, formatDuration, inUnitOf, toBytes } from './humanize.js';
import {
  packingPrompt,
  type PendingContent,
  type Prompts,
  type StatusReporter,
  type Transfer,
} from './status.js';
import { displayWidth, truncateToWidth } from './width.js';

const BAR_LENGTH = 20;
const SHORT_BAR_LENGTH = 10;
const SPEED_LENGTH = 7;
/** The name keeps at least this many columns before other parts of a line give way. */
const MIN_NAME_WIDTH = 16;
/** ... and at least this many beside a short bar, before the bar gives way. */
const MIN_BAR_NAME_WIDTH = 8;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const DONE_MARK = '\x1b[92m✓\x1b[0m';
const STOPPED_MARK = '\x1b[91m✗\x1b[0m';
const BAR_FILL = (s: string) => `\x1b[104m${s}\x1b[0m`;
const SPIN_COLOR = (s: string) => `\x1b[93m${s}\x1b[0m`;
const TITLE = 'org.opencontainers.image.title';

/** How often the display is redrawn. */
export const DEFAULT_RENDER_INTERVAL_MS = 200;
/** The time constant of the speed's moving average: about the last second counts. */
export const DEFAULT_SPEED_WINDOW_MS = 1000;
/** Samples closer together than this are merged into the next one. */
const MIN_SAMPLE_MS = 50;
/** The rows of a terminal that does not say. */
const DEFAULT_ROWS = 24;

/**
 * A transfer speed smoothed by an exponential moving average with time constant `windowMs`
 * (each sample weighs `1 - e^(-dt/windowMs)`), so one fast or slow burst moves it a little and a
 * stall makes it decay, instead of the jumps of a plain mean.
 */
export class SpeedMeter {
  readonly #windowMs: number;
  #at: number | undefined;
  #bytes = 0;
  #rate = 0;
  #primed = false;

  constructor(windowMs = DEFAULT_SPEED_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /** Records that `total` bytes have moved by time `now` (milliseconds). */
  sample(now: number, total: number): void {
    if (this.#at === undefined) {
      this.#at = now;
      this.#bytes = total;
      return;
    }
    const dt = now - this.#at;
    if (dt < MIN_SAMPLE_MS) return;
    // a resumed upload goes back: no negative speed
    const instant = Math.max(0, ((total - this.#bytes) * 1000) / dt);
    const alpha = 1 - Math.exp(-dt / this.#windowMs);
    this.#rate = this.#primed ? this.#rate + alpha * (instant - this.#rate) : instant;
    this.#primed = true;
    this.#at = now;
    this.#bytes = total;
  }

  /** The smoothed speed in bytes per second (0 before two samples). */
  get bytesPerSecond(): number {
    return this.#rate;
  }
}

/** What a row is doing: being packed, moving bytes, done, or stopped before its end. */
export type RowState = 'packing' | 'moving' | 'done' | 'stopped';

/** One row of the live display. */
export interface ProgressRow {
  /** The name: the title, else the media type (raw: escaped when drawn). */
  name: string;
  /** The media type, which orders the rows. */
  mediaType: string;
  /** The digest, once known. */
  digest: string | undefined;
  /** The size in bytes, once known. */
  size: number | undefined;
  /** The prompt shown (`Downloading`, `Uploaded `, `Exists   `, `Packing  `). */
  prompt: string;
  /** What the row is doing. */
  state: RowState;
  /** Bytes moved so far. */
  offset: number;
  /** Bytes of the folder read while packing. */
  packed: number;
  /** When the row's own work began (milliseconds). */
  start: number;
  /** When it ended. */
  end: number | undefined;
  /** Its smoothed speed. */
  readonly speed: SpeedMeter;
}

/** One way to lay a line out: which parts show around the name. */
interface Layout {
  /** Everything before the name, styled, and its width. */
  readonly head: string;
  readonly headWidth: number;
  /** Everything after the name (plain). */
  readonly tail: string;
  /** The columns the name must keep for this layout to be chosen. */
  readonly minName: number;
}

/** Lays a line out in the first of `layouts` that leaves the name enough room, within `width`. */
function layOut(layouts: readonly Layout[], name: string, width: number): string {
  const nameWidth = displayWidth(name);
  const last = layouts[layouts.length - 1] as Layout;
  const layout =
    layouts.find((l) => width - l.headWidth - displayWidth(l.tail) >= Math.min(nameWidth, l.minName)) ??
    (width - last.headWidth - displayWidth(last.tail) >= 0 ? last : undefined);
  if (!layout) {
    // narrower than the smallest layout: its plain text, cut
    const plain = `${last.head.replace(/\x1b\[[0-9;]*m/g, '')}${name}${last.tail}`;
    return truncateToWidth(plain, width, '');
  }
  const room = width - layout.headWidth - displayWidth(layout.tail);
  const shown = truncateToWidth(name, room);
  const margin = room - displayWidth(shown);
  return `${layout.head}${shown}${' '.repeat(margin)}${layout.tail}`;
}

/** The display name of a row, escaped. */
function nameOf(row: ProgressRow): string {
  return printable(row.name);
}

/** A head: a mark, then the optional bar and speed, then the prompt. */
function head(mark: string, prompt: string, bar?: string, speed?: string): Layout['head'] {
  return `${mark} ${bar ?? ''}${speed ?? ''}${bar || speed ? ' ' : ''}${prompt} `;
}

function barOf(fraction: number, length: number): string {
  const filled = Math.max(0, Math.min(length, Math.floor(fraction * length)));
  return `[${BAR_FILL(' '.repeat(filled))}${'.'.repeat(length - filled)}]`;
}

/** The estimated time left, or `--` when the speed is not known yet. */
function etaOf(row: ProgressRow): string {
  const rate = row.speed.bytesPerSecond;
  if (row.size === undefined || rate <= 0) return '--';
  const seconds = Math.ceil(Math.max(0, row.size - row.offset) / rate);
  return seconds > 99 * 3600 ? '--' : formatDuration(seconds * 1000);
}

function layouts(row: ProgressRow, now: number, tick: number): Layout[] {
  const elapsed = formatDuration((row.end ?? now) - row.start).padStart(6);
  const make = (h: string, tail: string, minName = MIN_NAME_WIDTH): Layout => ({
    head: h,
    headWidth: displayWidth(h),
    tail,
    minName,
  });
  if (row.state === 'packing') {
    const spin = SPIN_COLOR(SPINNER[tick % SPINNER.length] ?? '⠋');
    const read = ` ${formatBytes(toBytes(row.packed))}`;
    return [make(head(spin, row.prompt), `${read} ${elapsed}`), make(head(spin, row.prompt), read)];
  }
  const total = row.size;
  const done = row.state === 'done';
  const fraction = done ? 1 : total === undefined ? 0 : total === 0 ? 1 : Math.min(row.offset / total, 1);
  const percent = `${(fraction * 100).toFixed(2).padStart(6)}%`;
  let sizes: string;
  if (total === undefined) sizes = formatBytes(toBytes(row.offset));
  else if (done) sizes = `${toBytes(total).size}/${formatBytes(toBytes(total))}`;
  else sizes = `${inUnitOf(row.offset, total)}/${formatBytes(toBytes(total))}`;
  if (row.state !== 'moving') {
    const mark = done ? DONE_MARK : STOPPED_MARK;
    const h = head(mark, row.prompt);
    return [
      make(h, ` ${sizes} ${percent} ${elapsed}`),
      make(h, ` ${sizes} ${percent}`),
      make(h, ` ${percent}`),
    ];
  }
  const spin = SPIN_COLOR(SPINNER[tick % SPINNER.length] ?? '⠋');
  const speed = `(${formatBytes(toBytes(row.speed.bytesPerSecond)).padStart(SPEED_LENGTH)}/s)`;
  const eta = `ETA ${etaOf(row).padStart(5)}`;
  const bar = barOf(fraction, BAR_LENGTH);
  const short = barOf(fraction, SHORT_BAR_LENGTH);
  const known = total !== undefined;
  return [
    make(head(spin, row.prompt, bar, speed), ` ${sizes} ${known ? `${percent} ` : ''}${elapsed} ${eta}`),
    make(head(spin, row.prompt, bar, speed), ` ${sizes} ${known ? `${percent} ` : ''}${eta}`),
    make(head(spin, row.prompt, short, speed), ` ${sizes} ${known ? `${percent} ` : ''}${eta}`),
    make(head(spin, row.prompt, short), ` ${sizes} ${known ? `${percent} ` : ''}${eta}`),
    // the bar stays longer than the other parts: it is what shows that something moves
    make(head(spin, row.prompt, short), ` ${sizes}${known ? ` ${percent}` : ''}`, MIN_BAR_NAME_WIDTH),
    make(head(spin, row.prompt, short), known ? ` ${percent}` : ` ${sizes}`, MIN_BAR_NAME_WIDTH),
    make(head(spin, row.prompt), known ? ` ${percent}` : ` ${sizes}`, 0),
  ];
}

/**
 * The two lines of a row for a terminal line `width` columns wide (the usable width: callers
 * keep one column free), at time `now` and spinner frame `tick`. Neither line is wider than
 * `width` columns.
 */
export function renderRow(row: ProgressRow, width: number, now: number, tick: number): [string, string] {
  const status = layOut(layouts(row, now, tick), nameOf(row), width);
  const digest = row.digest === undefined ? '(digest pending)' : printable(row.digest);
  return [status, truncateToWidth(`  └─ ${digest}`, width)];
}

const MANIFEST_TYPES: ReadonlySet<string> = new Set([
  MediaType.ImageManifest,
  MediaType.ImageIndex,
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
  'application/vnd.oci.artifact.manifest.v1+json',
]);

/** Where a row goes: configs first, then layers and files, then manifests and indexes. */
function rankOf(mediaType: string): number {
  if (MANIFEST_TYPES.has(mediaType)) return 2;
  if (
    mediaType === MediaType.Empty ||
    mediaType === 'application/vnd.docker.container.image.v1+json' ||
    /(^|[./+-])config([./+-]|$)/.test(mediaType)
  )
    return 0;
  return 1;
}

/** Options of {@link TtyProgressReporter}. */
export interface TtyProgressOptions {
  /** The redraw interval; {@link DEFAULT_RENDER_INTERVAL_MS} by default. */
  readonly intervalMs?: number;
  /** The clock (for tests). */
  readonly now?: () => number;
}

/** A row with what the reporter keeps beside it. */
interface Slot {
  readonly id: number;
  readonly row: ProgressRow;
  /** Printed above the live area for good (it did not fit on the screen). */
  committed: boolean;
  /** Made by {@link TtyProgressReporter.transfer}: its digest is not known yet. */
  pending: boolean;
}

/** A slot's key in {@link TtyProgressReporter}'s index: its digest and name. */
function slotKey(digest: string | undefined, name: string): string {
  return `${digest ?? ''}\n${name}`;
}

/** The live display on a terminal. */
export class TtyProgressReporter implements StatusReporter {
  /** Byte counts move the bars. */
  readonly showsProgress = true;
  readonly #out: OutputStream;
  readonly #prompts: Prompts;
  readonly #now: () => number;
  readonly #slots: Slot[] = [];
  /**
   * The first slot (by id) of each digest and name ({@link slotKey}), and the slots made pending
   * under each name: an artifact of thousands of files would otherwise scan every slot for each
   * event (5,000 files took 0.65 s of CPU, 20,000 took 12 s).
   */
  readonly #byKey = new Map<string, Slot>();
  readonly #pendingByName = new Map<string, Slot[]>();
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #onResize: () => void;
  /** The widths of the lines of the live area as drawn, top to bottom. */
  #drawn: number[] = [];
  #tick = 0;
  #closed = false;

  constructor(out: OutputStream, prompts: Prompts, options: TtyProgressOptions = {}) {
    this.#out = out;
    this.#prompts = prompts;
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(() => this.render(), options.intervalMs ?? DEFAULT_RENDER_INTERVAL_MS);
    this.#timer.unref();
    this.#onResize = () => this.render();
    out.on('resize', this.#onResize);
  }

  /** The prompt of a finished transfer on this display. */
  get #donePrompt(): string {
    return this.#prompts.ttyDone ?? this.#prompts.done;
  }

  #add(desc: Descriptor, prompt: string): ProgressRow {
    const slot = this.#slot(desc.annotations?.[TITLE] || desc.mediaType, desc.mediaType, prompt, false);
    slot.row.digest = desc.digest;
    slot.row.size = desc.size;
    this.#index(slot);
    return slot.row;
  }

  /** Indexes a slot under its (new) digest, unless a slot made before it has the same key. */
  #index(slot: Slot): void {
    const key = slotKey(slot.row.digest, slot.row.name);
    const held = this.#byKey.get(key);
    if (held === undefined || held.id > slot.id || slotKey(held.row.digest, held.row.name) !== key) {
      this.#byKey.set(key, slot);
    }
  }

  #slot(name: string, mediaType: string, prompt: string, pending: boolean): Slot {
    const now = this.#now();
    const slot: Slot = {
      id: this.#slots.length,
      committed: false,
      pending,
      row: {
        name,
        mediaType,
        digest: undefined,
        size: undefined,
        prompt,
        state: 'moving',
        offset: 0,
        packed: 0,
        start: now,
        end: undefined,
        speed: new SpeedMeter(),
      },
    };
    this.#slots.push(slot);
    if (pending) {
      const list = this.#pendingByName.get(name);
      if (list === undefined) this.#pendingByName.set(name, [slot]);
      else list.push(slot);
    }
    return slot;
  }

  /** The row of a descriptor: its own, a pending row of the same name, or a new one. */
  #rowOf(desc: Descriptor): ProgressRow {
    return this.#find(desc)?.row ?? this.#add(desc, this.#prompts.start);
  }

  /** The row of a descriptor if it has one: its own, or a pending row of the same name. */
  #find(desc: Descriptor): Slot | undefined {
    const name = desc.annotations?.[TITLE] || desc.mediaType;
    const key = slotKey(desc.digest, name);
    let slot = this.#byKey.get(key);
    if (slot !== undefined && slotKey(slot.row.digest, slot.row.name) !== key) {
      // its digest changed since: the first slot that has this key now, if any
      slot = this.#slots.find((s) => s.row.digest === desc.digest && s.row.name === name);
      if (slot === undefined) this.#byKey.delete(key);
      else this.#byKey.set(key, slot);
    }
    if (!slot) {
      // a folder packed under this name, now copied by descriptor: its row goes on
      slot = this.#pendingByName.get(name)?.find((s) => s.pending && s.row.state !== 'done');
      if (slot) {
        slot.pending = false;
        if (slot.row.state === 'packing') {
          slot.row.state = 'moving';
          slot.row.prompt = this.#prompts.start;
        }
      }
    }
    if (slot) {
      slot.row.digest = desc.digest;
      slot.row.size = desc.size;
      slot.row.mediaType = desc.mediaType;
      this.#index(slot);
    }
    return slot;
  }

  #finish(row: ProgressRow, prompt: string): void {
    row.state = 'done';
    row.prompt = prompt;
    row.end ??= this.#now();
    if (row.size !== undefined) row.offset = row.size;
  }

  #moved(row: ProgressRow, offset: number): void {
    if (row.state === 'done') return;
    const now = this.#now();
    row.state = 'moving';
    row.offset = offset;
    row.speed.sample(now, offset);
    // all bytes in: done, not spinning at 100% while its successors move
    if (row.size !== undefined && row.size > 0 && offset >= row.size) this.#finish(row, this.#donePrompt);
  }

  start(desc: Descriptor): void {
    const row = this.#rowOf(desc);
    if (row.state === 'done') return;
    row.state = 'moving';
    row.prompt = this.#prompts.start;
  }

  /**
   * Bytes of a row that has started. Bytes read before a row's start are not its transfer (a
   * copy reads a manifest from the source to find its blobs long before it uploads it), so they
   * neither make a row appear nor show it done.
   */
  progress(desc: Descriptor, offset: number): void {
    const row = this.#find(desc)?.row;
    if (row) this.#moved(row, offset);
  }

  done(desc: Descriptor): void {
    const row = this.#rowOf(desc);
    if (row.state !== 'done') this.#finish(row, this.#donePrompt);
  }

  mark(desc: Descriptor, prompt: string): void {
    const row = this.#rowOf(desc);
    row.state = 'done';
    row.prompt = prompt;
    row.offset = desc.size;
    row.end ??= row.start;
  }

  transfer(content: PendingContent): Transfer {
    let slot: Slot | undefined;
    let started = false;
    const row = (): ProgressRow => {
      slot ??= this.#slot(content.name, content.mediaType, this.#prompts.start, true);
      return slot.row;
    };
    const known = (desc: Descriptor): ProgressRow => {
      const r = row();
      r.digest = desc.digest;
      r.size = desc.size;
      if (slot) {
        slot.pending = false;
        this.#index(slot);
      }
      return r;
    };
    return {
      packing: (bytesRead) => {
        const r = row();
        if (started || r.state === 'done') return;
        r.state = 'packing';
        r.prompt = packingPrompt(this.#prompts);
        r.packed = bytesRead;
      },
      start: (size) => {
        const r = row();
        started = true;
        if (r.state === 'done') return;
        r.state = 'moving';
        r.prompt = this.#prompts.start;
        r.size = size;
      },
      progress: (sent) => {
        started = true;
        this.#moved(row(), sent);
      },
      done: (desc) => {
        const r = known(desc);
        if (r.state !== 'done') this.#finish(r, this.#donePrompt);
      },
      mark: (desc, prompt) => {
        const r = known(desc);
        r.state = 'done';
        r.prompt = prompt;
        r.offset = desc.size;
        r.end ??= r.start;
      },
    };
  }

  /** Redraws the live area. */
  render(): void {
    if (this.#closed) return;
    this.#draw(false);
  }

  #draw(final: boolean): void {
    const columns = this.#out.columns || 80;
    const width = Math.max(1, columns - 1);
    const screenRows = (this.#out as { rows?: number }).rows || DEFAULT_ROWS;
    const now = this.#now();
    const live = this.#slots
      .filter((s) => !s.committed)
      .sort((a, b) => rankOf(a.row.mediaType) - rankOf(b.row.mediaType) || a.id - b.id);
    for (const { row } of live) {
      if (row.state === 'moving') row.speed.sample(now, row.offset);
      if (final && (row.state === 'moving' || row.state === 'packing')) {
        row.state = 'stopped';
        row.end ??= now;
      }
    }
    // Move up over the live area as the terminal now shows it (a narrower terminal that
    // reflows has wrapped each line over more rows), then draw over it.
    const up = this.#drawn.reduce((n, w) => n + Math.max(1, Math.ceil(w / columns)), 0);
    if (up === 0 && live.length === 0) return;
    let text = up > 0 ? `\x1b[${up}F` : '';
    const lines: string[] = [];
    const drawn: number[] = [];
    // The live area must fit on the screen (the cursor cannot go above its top): finished rows
    // leave it for good, first come first.
    const capacity = final ? Number.POSITIVE_INFINITY : Math.max(3, screenRows - 1);
    let shown = live;
    if (live.length * 2 > capacity) {
      let excess = live.length * 2 - capacity;
      for (const slot of live) {
        if (excess <= 0) break;
        if (slot.row.state !== 'done') continue;
        slot.committed = true;
        lines.push(...renderRow(slot.row, width, now, this.#tick));
        excess -= 2;
      }
      shown = live.filter((s) => !s.committed);
    }
    const fits = Math.floor((capacity - 1) / 2);
    const hidden = shown.length * 2 > capacity ? shown.length - fits : 0;
    for (const slot of hidden > 0 ? shown.slice(0, fits) : shown) {
      const pair = renderRow(slot.row, width, now, this.#tick);
      lines.push(...pair);
      drawn.push(...pair.map(displayWidth));
    }
    if (hidden > 0) {
      const more = truncateToWidth(`  ... ${hidden} more`, width);
      lines.push(more);
      drawn.push(displayWidth(more));
    }
    for (const line of lines) text += `\x1b[2K${line}\n`;
    text += '\x1b[J';
    this.#drawn = final ? [] : drawn;
    this.#tick++;
    this.#out.write(text);
  }

  close(): void {
    if (this.#closed) return;
    clearInterval(this.#timer);
    this.#out.removeListener('resize', this.#onResize);
    this.#draw(true);
    this.#closed = true;
  }
}
