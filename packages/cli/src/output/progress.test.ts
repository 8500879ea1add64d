import { Writable } from 'node:stream';
import type { Descriptor } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { PULL_PROMPTS, PUSH_PROMPTS } from './status.js';
import { type ProgressRow, renderRow, SpeedMeter, TtyProgressReporter } from './progress.js';
import { displayWidth } from './width.js';

const MB = 1024 * 1024;
const TITLE = 'org.opencontainers.image.title';

/**
 * A small terminal: a grid `columns` wide that wraps a character at the edge onto a new row
 * (xterm's deferred wrap), with the sequences the display uses (CPL `ESC[nF`, EL `ESC[2K`, ED
 * `ESC[J`, SGR ignored). The cursor cannot go above the top of the screen (`rows` high); rows
 * above it are scrollback. On resize, lines that wrapped or no longer fit are reflowed, as tmux
 * and most terminals do.
 */
class Terminal {
  /** Each row: its cells (a wide character's second cell is '') and whether it wrapped on. */
  lines: { cells: string[]; wrapped: boolean }[] = [{ cells: [], wrapped: false }];
  row = 0;
  col = 0;
  readonly stream: Writable & { columns: number; rows: number; isTTY: true };

  constructor(
    public columns: number,
    public rows = 30,
  ) {
    this.stream = Object.assign(
      new Writable({
        write: (chunk, _enc, cb) => {
          this.feed(chunk.toString());
          cb();
        },
      }),
      { columns, rows, isTTY: true as const },
    );
  }

  #line(i: number) {
    while (this.lines.length <= i) this.lines.push({ cells: [], wrapped: false });
    return this.lines[i]!;
  }

  feed(text: string): void {
    const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    let i = 0;
    while (i < text.length) {
      const esc = /^\x1b\[([0-9;]*)([A-Za-z])/.exec(text.slice(i));
      if (esc) {
        i += esc[0].length;
        const n = Number(esc[1] || '1');
        if (esc[2] === 'F') {
          const top = Math.max(0, this.lines.length - this.rows);
          this.row = Math.max(top, this.row - n);
          this.col = 0;
        } else if (esc[2] === 'K') {
          this.#line(this.row).cells = [];
        } else if (esc[2] === 'J') {
          this.#line(this.row).cells.length = Math.min(this.#line(this.row).cells.length, this.col);
          this.lines.length = this.row + 1;
        } else if (esc[2] !== 'm') {
          throw new Error(`unexpected sequence ${JSON.stringify(esc[0])}`);
        }
        continue;
      }
      const next = text.indexOf('\x1b', i);
      const chunk = text.slice(i, next === -1 ? text.length : next);
      i += chunk.length;
      for (const { segment: g } of seg.segment(chunk)) {
        if (g === '\n') {
          this.row++;
          this.col = 0;
          this.#line(this.row);
          continue;
        }
        if (g === '\r') {
          this.col = 0;
          continue;
        }
        const w = displayWidth(g);
        if (this.col + w > this.columns) {
          this.#line(this.row).wrapped = true;
          this.row++;
          this.col = 0;
        }
        const line = this.#line(this.row);
        while (line.cells.length < this.col) line.cells.push(' ');
        line.cells[this.col] = g;
        if (w === 2) line.cells[this.col + 1] = '';
        this.col += w;
      }
    }
  }

  /** Changes the width, reflowing what is on screen, and tells the stream (`SIGWINCH`). */
  resize(columns: number): void {
    expect(this.col).toBe(0);
    const atEnd = this.row === this.lines.length - 1 && this.#line(this.row).cells.length === 0;
    expect(atEnd).toBe(true);
    const logical: string[][] = [];
    let current: string[] = [];
    for (const line of this.lines.slice(0, -1)) {
      current.push(...line.cells);
      if (!line.wrapped) {
        logical.push(current);
        current = [];
      }
    }
    this.columns = columns;
    this.lines = [];
    for (const cells of logical) {
      let rest = cells.filter((c) => c !== '');
      do {
        let width = 0;
        let n = 0;
        while (n < rest.length && width + displayWidth(rest[n]!) <= columns)
          width += displayWidth(rest[n++]!);
        const taken = rest.slice(0, n);
        rest = rest.slice(n);
        const out: string[] = [];
        for (const g of taken) out.push(...(displayWidth(g) === 2 ? [g, ''] : [g]));
        this.lines.push({ cells: out, wrapped: rest.length > 0 });
      } while (rest.length > 0);
    }
    this.lines.push({ cells: [], wrapped: false });
    this.row = this.lines.length - 1;
    this.col = 0;
    this.stream.columns = columns;
    this.stream.emit('resize');
  }

  /** Every row, scrollback included, trailing spaces removed. */
  screen(): string[] {
    const out = this.lines.map((l) => l.cells.join('').trimEnd());
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  }
}

function blob(name: string, size: number, mediaType = 'application/vnd.oci.image.layer.v1.tar'): Descriptor {
  return {
    mediaType,
    digest: `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`,
    size,
    annotations: { [TITLE]: name },
  };
}

const manifest: Descriptor = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'b'.repeat(64)}`,
  size: 1234,
};
const config = blob('config.json', 512, 'application/vnd.oci.image.config.v1+json');
const names = [
  'a-rather-long-file-name-for-a-layer-that-will-not-fit-at-eighty-columns.tar.gz',
  '日本語のファイル名-とても長い名前です.bin',
  'emoji-👨‍👩‍👧-🎉-❤️-layer.bin',
  'evil\u001b]52;c;aGk=\u0007\u202etxt.exe',
];

/** A pull as the commands report it: manifest first (fetched to find its blobs), then the rest. */
function pull(term: Terminal): {
  clock: { now: number };
  reporter: TtyProgressReporter;
  layers: Descriptor[];
} {
  const clock = { now: 0 };
  const reporter = new TtyProgressReporter(term.stream, PULL_PROMPTS, {
    intervalMs: 3_600_000,
    now: () => clock.now,
  });
  const layers = names.map((n, i) => blob(n, (640 + i * 1000) * MB));
  reporter.start(manifest);
  clock.now += 30;
  reporter.progress(manifest, manifest.size);
  reporter.render();
  reporter.start(config);
  for (const l of layers) reporter.start(l);
  // speeds from 60 to 400 MB/s, uneven, so that speeds like 135.78 MB/s come up
  for (let step = 1; step <= 40; step++) {
    clock.now += 200;
    for (const l of layers) reporter.progress(l, Math.round(l.size * (step * 0.02 - (step % 3) * 0.003)));
    if (step === 3) {
      reporter.progress(config, config.size);
      reporter.done(config);
    }
    reporter.render();
  }
  return { clock, reporter, layers };
}

const PROGRESS_LINE = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|\[[ .]*\]|ETA|Downloading|Packing/;

describe('the terminal progress display', () => {
  it.each([80, 130, 200, 60, 40])(
    'never draws a line wider than %i columns, and ends with only final lines',
    (cols) => {
      const term = new Terminal(cols);
      const { clock, reporter, layers } = pull(term);
      for (const line of term.screen()) expect(displayWidth(line)).toBeLessThan(cols);
      expect(term.lines.some((l) => l.wrapped)).toBe(false);
      if (cols >= 60) expect(term.screen().some((l) => /\[ *\.+\]/.test(l))).toBe(true);
      for (const l of layers) reporter.done(l);
      clock.now += 100;
      reporter.done(manifest);
      reporter.close();
      const screen = term.screen();
      expect(term.lines.some((l) => l.wrapped)).toBe(false);
      expect(screen.filter((l) => PROGRESS_LINE.test(l))).toEqual([]);
      // two lines a row, each row once: config, the layers, the manifest
      expect(screen).toHaveLength(2 * (layers.length + 2));
      const marks = screen.filter((l) => l.startsWith('✓'));
      expect(marks).toHaveLength(layers.length + 2);
      expect(marks[0]).toMatch(/^✓ Pulled {6}config\.json/);
      expect(marks[marks.length - 1]).toMatch(/^✓ Pulled {6}application\/vn/);
      for (const line of screen) expect(displayWidth(line)).toBeLessThan(cols);
    },
  );

  it('keeps every number and cuts the name at 80 columns', () => {
    const term = new Terminal(80);
    pull(term);
    const live = term.screen().filter((l) => l.includes('a-rather-long'));
    expect(live.length).toBeGreaterThan(0);
    const last = live[live.length - 1]!;
    expect(last).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[[ .]+\]/);
    expect(last).toMatch(/a-rather-long.*\.\.\. +\d+(\.\d+)?\/640 MB +\d+\.\d\d% ETA +\S+$/);
  });

  it('escapes what the registry put in a title, and measures wide characters', () => {
    const term = new Terminal(200);
    const { reporter } = pull(term);
    reporter.close();
    const text = term.screen().join('\n');
    expect(text).toContain('evil\\x1b]52;c;aGk=\\a\\u202etxt.exe');
    expect(text).toContain('日本語のファイル名');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it('shows a row done once its bytes are all in, while the others still move', () => {
    const term = new Terminal(120);
    pull(term);
    const manifestLines = term.screen().filter((l) => l.includes('manifest.v1+json'));
    expect(manifestLines[manifestLines.length - 1]).toMatch(
      /^✓ Pulled {6}application\/vnd\.oci\.image\.manifest\.v1\+json +1\.21\/1\.21 KB 100\.00% +30ms$/,
    );
  });

  it('ignores bytes read before a row starts (a push reads its manifest to find the blobs first)', () => {
    const term = new Terminal(120);
    const clock = { now: 0 };
    const reporter = new TtyProgressReporter(term.stream, PUSH_PROMPTS, {
      intervalMs: 3_600_000,
      now: () => clock.now,
    });
    reporter.progress(manifest, manifest.size);
    const big = blob('big.bin', 64 * MB);
    reporter.start(big);
    clock.now += 1000;
    reporter.progress(big, 32 * MB);
    reporter.render();
    expect(term.screen().some((l) => l.includes('manifest'))).toBe(false);
    reporter.done(big);
    reporter.start(manifest);
    reporter.render();
    expect(term.screen().find((l) => l.includes('image.manife'))).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] .*Uploading/);
    clock.now += 20;
    reporter.done(manifest);
    reporter.close();
    expect(term.screen().filter((l) => l.startsWith('✓'))).toEqual([
      expect.stringMatching(/^✓ Uploaded {2}big\.bin +64\/64 MB 100\.00% +1s$/),
      expect.stringMatching(
        /^✓ Uploaded {2}application\/vnd\.oci\.image\.manifest\.v1\+json +1\.21\/1\.21 KB 100\.00% +20ms$/,
      ),
    ]);
  });

  it('redraws at the new width on SIGWINCH, leaving no stale line', () => {
    const term = new Terminal(200);
    const { clock, reporter, layers } = pull(term);
    term.resize(80);
    for (const line of term.screen()) expect(displayWidth(line)).toBeLessThan(80);
    clock.now += 200;
    reporter.render();
    term.resize(130);
    clock.now += 200;
    reporter.render();
    for (const l of layers) reporter.done(l);
    reporter.done(manifest);
    reporter.close();
    const screen = term.screen();
    expect(screen.filter((l) => PROGRESS_LINE.test(l))).toEqual([]);
    expect(screen).toHaveLength(2 * (layers.length + 2));
  });

  it('keeps the live area on the screen when rows outnumber it, each final row printed once', () => {
    const term = new Terminal(100, 12);
    const clock = { now: 0 };
    const reporter = new TtyProgressReporter(term.stream, PUSH_PROMPTS, {
      intervalMs: 3_600_000,
      now: () => clock.now,
    });
    const files = Array.from({ length: 15 }, (_, i) => blob(`file-${i}.bin`, 10 * MB));
    for (const [i, f] of files.entries()) {
      reporter.start(f);
      clock.now += 100;
      reporter.progress(f, 5 * MB);
      reporter.render();
      if (i % 2 === 0) reporter.done(f);
      reporter.render();
    }
    for (const f of files) reporter.done(f);
    reporter.close();
    const screen = term.screen();
    expect(screen.filter((l) => PROGRESS_LINE.test(l) || l.includes('more'))).toEqual([]);
    for (const f of files) {
      const name = f.annotations?.[TITLE] ?? '';
      expect(screen.filter((l) => l.startsWith(`✓ Uploaded  ${name} `))).toHaveLength(1);
    }
  });

  it('measures elapsed time from each row’s own start', () => {
    const term = new Terminal(100);
    const clock = { now: 0 };
    const reporter = new TtyProgressReporter(term.stream, PULL_PROMPTS, {
      intervalMs: 3_600_000,
      now: () => clock.now,
    });
    const late = blob('late.bin', 3 * MB);
    clock.now = 60_000;
    reporter.start(late);
    clock.now = 62_400;
    reporter.done(late);
    reporter.close();
    expect(term.screen()[0]).toMatch(/^✓ Pulled {6}late\.bin +3\/3 MB 100\.00% +2s$/);
  });

  it('marks a row that never finished as stopped when closed (an interrupted pull)', () => {
    const term = new Terminal(100);
    const clock = { now: 0 };
    const reporter = new TtyProgressReporter(term.stream, PULL_PROMPTS, {
      intervalMs: 3_600_000,
      now: () => clock.now,
    });
    const big = blob('big.bin', 64 * MB);
    reporter.start(big);
    clock.now = 1000;
    reporter.progress(big, 16 * MB);
    reporter.render();
    reporter.close();
    const screen = term.screen();
    expect(screen[0]).toMatch(/^✗ Downloading big\.bin +16\.0\/64 MB {2}25\.00% +1s$/);
    expect(screen.filter((l) => PROGRESS_LINE.test(l.replace('Downloading', '')))).toEqual([]);
  });
});

describe('pushes through a transfer', () => {
  it('shows packing, then the bar as bytes are sent, then done with the digest', () => {
    const term = new Terminal(120);
    const clock = { now: 0 };
    const reporter = new TtyProgressReporter(term.stream, PUSH_PROMPTS, {
      intervalMs: 3_600_000,
      now: () => clock.now,
    });
    const t = reporter.transfer({ name: 'folder', mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' });
    t.packing(0);
    clock.now += 500;
    t.packing(12 * MB);
    reporter.render();
    expect(term.screen()[0]).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Packing {3}folder +12 MB +500ms$/);
    expect(term.screen()[1]).toBe('  └─ (digest pending)');
    t.start(8 * MB);
    for (let i = 1; i <= 4; i++) {
      clock.now += 200;
      t.progress(i * MB);
    }
    reporter.render();
    expect(term.screen()[0]).toMatch(
      /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[ {10}\.{10}\]\( +\d+(\.\d+)? MB\/s\) Uploading folder +4\.00\/8 MB {2}50\.00% +1s ETA +\S+$/,
    );
    const desc = blob('folder', 8 * MB, 'application/vnd.oci.image.layer.v1.tar+gzip');
    t.done(desc);
    reporter.close();
    expect(term.screen()).toEqual([
      expect.stringMatching(/^✓ Uploaded {2}folder +8\/8 MB 100\.00% +1s$/),
      `  └─ ${desc.digest}`,
    ]);
  });

  it('lets the descriptor events of a packed folder take the packing row over', () => {
    const term = new Terminal(120);
    const clock = { now: 0 };
    const reporter = new TtyProgressReporter(term.stream, PUSH_PROMPTS, {
      intervalMs: 3_600_000,
      now: () => clock.now,
    });
    reporter
      .transfer({ name: 'folder', mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })
      .packing(MB);
    reporter.render();
    const desc = blob('folder', 2 * MB, 'application/vnd.oci.image.layer.v1.tar+gzip');
    reporter.start(desc);
    clock.now += 1000;
    reporter.progress(desc, MB);
    reporter.render();
    expect(term.screen()).toHaveLength(2);
    expect(term.screen()[0]).toContain('Uploading folder');
    reporter.done(desc);
    reporter.close();
    expect(term.screen()).toHaveLength(2);
    expect(term.screen()[0]).toMatch(/^✓ Uploaded {2}folder/);
  });
});

describe('finding a row', () => {
  const reporterOn = (term: Terminal) =>
    new TtyProgressReporter(term.stream, PULL_PROMPTS, { intervalMs: 3_600_000, now: () => 0 });
  const withDigest = (d: Descriptor, hex: string): Descriptor => ({
    ...d,
    digest: `sha256:${hex.repeat(64)}`,
  });

  it('keeps one row per digest and name: the same content under two names is two rows', () => {
    const term = new Terminal(120);
    const reporter = reporterOn(term);
    const first = withDigest(blob('first.txt', MB), 'c');
    const second = withDigest(blob('second.txt', MB), 'c');
    reporter.start(first);
    reporter.start(first);
    reporter.start(second);
    reporter.progress(first, MB);
    reporter.done(first);
    reporter.mark(second, 'Restored');
    reporter.close();
    expect(term.screen()).toEqual([
      expect.stringMatching(/^✓ Pulled {6}first\.txt /),
      `  └─ ${first.digest}`,
      expect.stringMatching(/^✓ Restored +second\.txt /),
      `  └─ ${second.digest}`,
    ]);
  });

  it('gives each of 1,000 files its own row, found again for its bytes and its end', () => {
    const term = new Terminal(120);
    const reporter = reporterOn(term);
    const files = Array.from({ length: 1000 }, (_, i) => ({
      ...blob(`f${i}.bin`, 4096),
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
    }));
    for (const d of files) reporter.start(d);
    for (const d of files) reporter.progress(d, 2048);
    for (const d of [...files].reverse()) reporter.done(d);
    reporter.close();
    const screen = term.screen();
    expect(screen).toHaveLength(2 * files.length);
    const done = screen.filter((l) => l.startsWith('✓ Pulled'));
    expect(done.map((l) => /(f\d+\.bin)/.exec(l)?.[1])).toEqual(files.map((_, i) => `f${i}.bin`));
  });

  it('lets a packed folder of the same name take over only a pending row, once', () => {
    const term = new Terminal(120);
    const reporter = reporterOn(term);
    const first = reporter.transfer({
      name: 'dir',
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    });
    first.packing(MB);
    const packed = withDigest(blob('dir', MB, 'application/vnd.oci.image.layer.v1.tar+gzip'), 'd');
    // the descriptor events take the pending row over
    reporter.start(packed);
    reporter.done(packed);
    // another content of that name later is a row of its own
    const other = withDigest(blob('dir', 2 * MB, 'application/vnd.oci.image.layer.v1.tar+gzip'), 'e');
    reporter.start(other);
    reporter.done(other);
    reporter.close();
    expect(term.screen()).toEqual([
      expect.stringMatching(/^✓ Pulled {6}dir +1\/1 MB/),
      `  └─ ${packed.digest}`,
      expect.stringMatching(/^✓ Pulled {6}dir +2\/2 MB/),
      `  └─ ${other.digest}`,
    ]);
  });
});

describe('rows', () => {
  const row = (over: Partial<ProgressRow>): ProgressRow => ({
    name: 'hi.txt',
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: `sha256:${'a'.repeat(64)}`,
    size: 300 * MB,
    prompt: 'Downloading',
    state: 'moving',
    offset: 135 * MB,
    packed: 0,
    start: 0,
    end: undefined,
    speed: new SpeedMeter(),
    ...over,
  });

  it('fit any width down to a few columns, numbers before the name', () => {
    const speed = new SpeedMeter();
    speed.sample(0, 0);
    speed.sample(1000, 135.78 * MB);
    for (let width = 5; width <= 220; width++) {
      const [a, b] = renderRow(row({ speed, name: 'x'.repeat(100) }), width, 1000, 0);
      expect(displayWidth(a)).toBeLessThanOrEqual(width);
      expect(displayWidth(b)).toBeLessThanOrEqual(width);
      if (width >= 79) expect(a).toContain('135/300 MB');
      if (width >= 79) expect(a).toMatch(/\[.*\]/);
      if (width >= 130) expect(a).toContain(' 136 MB/s');
    }
  });
});

describe('the speed', () => {
  it('is a moving average over about a second, not the jumps of each interval', () => {
    const meter = new SpeedMeter(1000);
    let t = 0;
    let bytes = 0;
    meter.sample(t, bytes);
    const seen: number[] = [];
    for (const mbps of [59, 562, 151, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300]) {
      t += 200;
      bytes += mbps * MB * 0.2;
      meter.sample(t, bytes);
      seen.push(meter.bytesPerSecond / MB);
    }
    expect(seen[0]).toBeCloseTo(59, 5);
    // one fast interval moves it a fifth of the way, not to 562
    expect(seen[1]).toBeLessThan(200);
    expect(seen[1]).toBeGreaterThan(59);
    expect(Math.abs(seen[seen.length - 1]! - 300)).toBeLessThan(20);
    // a stall decays it
    t += 3000;
    meter.sample(t, bytes);
    expect(meter.bytesPerSecond / MB).toBeLessThan(20);
  });
});
