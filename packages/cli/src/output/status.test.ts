import type { Descriptor } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { captureContext } from '../test-support/capture.js';
import {
  beginTransfer,
  JsonStatusReporter,
  PULL_PROMPTS,
  type Prompts,
  PUSH_PROMPTS,
  type StatusReporter,
  TextStatusReporter,
} from './status.js';

const TITLE = 'org.opencontainers.image.title';
const layer: Descriptor = {
  mediaType: 'application/vnd.oci.image.layer.v1.tar',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 3000,
  annotations: { [TITLE]: 'big.bin' },
};
const manifest: Descriptor = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'b'.repeat(64)}`,
  size: 587,
};

function jsonReporter(prompts: Prompts = PULL_PROMPTS) {
  const ctx = captureContext();
  const clock = { now: 1000 };
  const reporter = new JsonStatusReporter(ctx.stderr, prompts, 200, () => clock.now);
  const events = () =>
    ctx
      .err()
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { reporter, clock, events, raw: ctx.err };
}

/** The events of each row (by digest, else title), in order. */
function byRow(events: Record<string, unknown>[]): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const e of events) {
    const key = String(e.title ?? e.digest);
    rows.set(key, [...(rows.get(key) ?? []), String(e.event)]);
  }
  return rows;
}

describe('--progress json', () => {
  it('writes start, then progress, then done for every row, whatever order they were reported in', () => {
    const { reporter, clock, events } = jsonReporter();
    // the manifest's bytes are reported before its start, and done comes without a start at all
    reporter.progress(manifest, 100);
    reporter.start(manifest);
    reporter.progress(manifest, manifest.size);
    reporter.done(layer);
    clock.now += 500;
    reporter.done(manifest);
    // after done: dropped
    reporter.progress(manifest, 10);
    reporter.start(manifest);
    reporter.done(manifest);
    const rows = byRow(events());
    expect(rows.get(manifest.digest)).toEqual(['start', 'progress', 'done']);
    expect(rows.get('big.bin')).toEqual(['start', 'progress', 'done']);
  });

  it('throttles progress to one every interval but always writes the last before done', () => {
    const { reporter, clock, events } = jsonReporter();
    reporter.start(layer);
    for (let offset = 100; offset < layer.size; offset += 100) {
      clock.now += 50;
      reporter.progress(layer, offset);
    }
    reporter.done(layer);
    const all = events();
    expect(all[0]).toEqual({
      event: 'start',
      prompt: 'Downloading',
      digest: layer.digest,
      mediaType: layer.mediaType,
      size: 3000,
      title: 'big.bin',
      offset: 0,
    });
    const offsets = all.filter((e) => e.event === 'progress').map((e) => e.offset as number);
    expect(offsets.length).toBeLessThan(10);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets[offsets.length - 1]).toBe(3000);
    expect(all[all.length - 1]).toMatchObject({ event: 'done', prompt: 'Downloaded', offset: 3000 });
  });

  it('reports a push by name as it is packed and sent, with the digest once known', () => {
    const { reporter, clock, events } = jsonReporter(PUSH_PROMPTS);
    const t = beginTransfer(reporter, {
      name: 'folder',
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    });
    t.packing(0);
    clock.now += 300;
    t.packing(4096);
    t.start(2000);
    for (const sent of [500, 1000, 1500, 2000]) {
      clock.now += 250;
      t.progress(sent);
    }
    t.done({ ...layer, size: 2000, annotations: { [TITLE]: 'folder' } });
    const all = events();
    expect(all.map((e) => e.event)).toEqual([
      'packing',
      'packing',
      'start',
      'progress',
      'progress',
      'progress',
      'progress',
      'done',
    ]);
    expect(all[0]).toEqual({
      event: 'packing',
      prompt: 'Packing',
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      title: 'folder',
      offset: 0,
    });
    expect(all[2]).toMatchObject({ event: 'start', prompt: 'Uploading', size: 2000, offset: 0 });
    expect(all[2]).not.toHaveProperty('digest');
    expect(all[7]).toMatchObject({ event: 'done', prompt: 'Uploaded', digest: layer.digest, offset: 2000 });
  });

  it('escapes what a terminal acts on in titles and media types, still as JSON', () => {
    const { reporter, raw, events } = jsonReporter();
    const hostile = { ...layer, annotations: { [TITLE]: 'a\u009b2J\u202etxt.exe\u001b]52;c;x\u0007' } };
    reporter.start(hostile);
    reporter.done(hostile);
    expect(raw()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(events()[0]?.title).toBe('a\u009b2J\u202etxt.exe\u001b]52;c;x\u0007');
  });
});

describe('plain status lines of a push', () => {
  it('print Uploading when the upload starts and Uploaded with the digest when it ends', () => {
    const ctx = captureContext();
    const reporter = new TextStatusReporter(ctx.stdout, PUSH_PROMPTS);
    const t = beginTransfer(reporter, { name: 'big.bin', mediaType: layer.mediaType });
    t.packing(10);
    t.start(3000);
    expect(ctx.out()).toBe('Uploading big.bin\n');
    t.progress(1500);
    t.done(layer);
    expect(ctx.out()).toBe('Uploading big.bin\nUploaded  aaaaaaaaaaaa big.bin\n');
  });
});

describe('plain status lines with --verbose=false', () => {
  it('leave out unnamed content and keep named content', () => {
    const quiet = captureContext();
    const reporter = new TextStatusReporter(quiet.stdout, PUSH_PROMPTS, { verbose: false });
    reporter.start(layer);
    reporter.done(layer);
    reporter.start(manifest);
    reporter.done(manifest);
    reporter.mark(manifest, PUSH_PROMPTS.exists);
    expect(quiet.out()).toBe('Uploading aaaaaaaaaaaa big.bin\nUploaded  aaaaaaaaaaaa big.bin\n');
    const loud = captureContext();
    const verbose = new TextStatusReporter(loud.stdout, PUSH_PROMPTS);
    verbose.done(manifest);
    expect(loud.out()).toBe(`Uploaded  bbbbbbbbbbbb ${manifest.mediaType}\n`);
  });
});

describe('beginTransfer', () => {
  it('reports the whole transfer at its end on a reporter that cannot show pending rows', () => {
    const events: string[] = [];
    const reporter: StatusReporter = {
      start: (d) => events.push(`start ${d.digest.slice(7, 9)}`),
      progress: (d, n) => events.push(`progress ${d.digest.slice(7, 9)} ${n}`),
      done: (d) => events.push(`done ${d.digest.slice(7, 9)}`),
      mark: (d, p) => events.push(`${p.trim()} ${d.digest.slice(7, 9)}`),
      close: () => {},
    };
    const t = beginTransfer(reporter, { name: 'big.bin', mediaType: layer.mediaType });
    t.packing(1);
    t.start(3000);
    t.progress(100);
    expect(events).toEqual([]);
    t.done(layer);
    beginTransfer(reporter, { name: 'm', mediaType: manifest.mediaType }).mark(manifest, 'Exists   ');
    expect(events).toEqual(['start aa', 'progress aa 3000', 'done aa', 'Exists bb']);
  });
});
