import type { Descriptor } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { captureContext } from '../test-support/capture.js';
import { formatBytes, formatDuration, toBytes } from './humanize.js';
import { descriptorModel, goJson, pushModel, writeResult } from './metadata.js';
import { TtyProgressReporter } from './progress.js';
import { createReporter } from './reporter.js';
import {
  COPY_PROMPTS,
  JsonStatusReporter,
  PULL_PROMPTS,
  PUSH_PROMPTS,
  shortDigest,
  statusLine,
  TextStatusReporter,
} from './status.js';
import { reportingHooks } from './track.js';
import { renderTree } from './tree.js';

const hex = 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447';
const file: Descriptor = {
  mediaType: 'application/vnd.oci.image.layer.v1.tar',
  digest: `sha256:${hex}`,
  size: 12,
  annotations: { 'org.opencontainers.image.title': 'hi.txt' },
};
const manifest: Descriptor = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'b'.repeat(64)}`,
  size: 587,
};

describe('status lines', () => {
  it('escape the control characters of a title as Go %q does (NUL, BEL, ESC, CR, C1)', () => {
    const hostile = {
      ...file,
      annotations: { 'org.opencontainers.image.title': 'a\u0000b\u0007\u001b[2J\r\n\u009bc' },
    };
    const line = statusLine(PULL_PROMPTS.start, hostile);
    expect(line).toBe('Downloading a948904f2f0f a\\x00b\\a\\x1b[2J\\r\\n\\u009bc');
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    const out = captureContext();
    const reporter = new TextStatusReporter(out.stdout, PULL_PROMPTS);
    reporter.start(hostile);
    reporter.done(hostile);
    expect(out.out()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('print the prompt, the 12-hex short digest and the title or media type', () => {
    expect(shortDigest(file)).toBe('a948904f2f0f');
    expect(statusLine(PUSH_PROMPTS.start, file)).toBe('Uploading a948904f2f0f hi.txt');
    expect(statusLine(PUSH_PROMPTS.done, manifest)).toBe(
      'Uploaded  bbbbbbbbbbbb application/vnd.oci.image.manifest.v1+json',
    );
  });

  it('pad the prompts as oras does so the columns line up', () => {
    for (const prompts of [PUSH_PROMPTS, PULL_PROMPTS, COPY_PROMPTS]) {
      const lengths = new Set(Object.values(prompts).map((p) => p.length));
      expect(lengths.size).toBe(1);
    }
    expect(PUSH_PROMPTS).toEqual({
      start: 'Uploading',
      done: 'Uploaded ',
      exists: 'Exists   ',
      skipped: 'Skipped  ',
    });
    expect(PULL_PROMPTS.restored).toBe('Restored   ');
    expect(COPY_PROMPTS.mounted).toBe('Mounted');
  });

  it('go to stdout as plain lines, and nowhere for JSON output', () => {
    const ctx = captureContext();
    const text = createReporter('plain', 'text', ctx, PUSH_PROMPTS);
    expect(text).toBeInstanceOf(TextStatusReporter);
    text.start(file);
    text.progress(file, 5);
    text.done(file);
    text.mark(manifest, PUSH_PROMPTS.exists);
    expect(ctx.out()).toBe(
      'Uploading a948904f2f0f hi.txt\nUploaded  a948904f2f0f hi.txt\n' +
        'Exists    bbbbbbbbbbbb application/vnd.oci.image.manifest.v1+json\n',
    );
    const json = captureContext();
    const quiet = createReporter('plain', 'json', json, PUSH_PROMPTS);
    quiet.start(file);
    quiet.done(file);
    expect(json.out()).toBe('');
  });

  it('write one JSON event per line with --progress json, throttling progress', () => {
    const ctx = captureContext();
    let now = 1000;
    const r = new JsonStatusReporter(ctx.stderr, PUSH_PROMPTS, 200, () => now);
    r.start(file);
    now += 50;
    r.progress(file, 3);
    now += 300;
    r.progress(file, 6);
    r.done(file);
    r.mark(manifest, PUSH_PROMPTS.exists);
    const events = ctx
      .err()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['start', 'progress', 'progress', 'done', 'exists']);
    expect(events[0]).toEqual({
      event: 'start',
      prompt: 'Uploading',
      digest: file.digest,
      mediaType: file.mediaType,
      size: 12,
      title: 'hi.txt',
      offset: 0,
    });
    expect(events[1].offset).toBe(6);
    expect(events[2]).toMatchObject({ event: 'progress', offset: 12 });
    expect(events[3]).toMatchObject({ prompt: 'Uploaded', offset: 12 });
  });
});

describe('reportingHooks', () => {
  it('report a transfer as start and done, and a node the destination has as exists', async () => {
    const out = captureContext();
    const hooks = reportingHooks(new TextStatusReporter(out.stdout, COPY_PROMPTS), COPY_PROMPTS);
    expect(await hooks.preCopy?.(file)).toBeUndefined();
    await hooks.postCopy?.(file);
    await hooks.onCopySkipped?.(manifest);
    expect(out.out()).toBe(
      'Copying a948904f2f0f hi.txt\n' +
        'Copied  a948904f2f0f hi.txt\n' +
        'Exists  bbbbbbbbbbbb application/vnd.oci.image.manifest.v1+json\n',
    );
  });
});

describe('the terminal progress display', () => {
  it('draws on stderr and leaves every entry done when closed', () => {
    const ctx = captureContext({ tty: true });
    const r = new TtyProgressReporter(ctx.stderr, PUSH_PROMPTS, { intervalMs: 60_000 });
    r.start(file);
    r.progress(file, 6);
    r.render();
    expect(ctx.err()).toContain('Uploading hi.txt');
    r.done(file);
    r.mark(manifest, PUSH_PROMPTS.exists);
    r.close();
    expect(ctx.err()).toContain('Uploaded  hi.txt');
    expect(ctx.err()).toContain('Exists    application/vnd.oci.image.manifest.v1+json');
    expect(ctx.out()).toBe('');
  });
});

describe('humanize', () => {
  it('scales sizes by 1024 with two decimals, and prints durations as Go does', () => {
    expect(formatBytes(toBytes(12))).toBe('12  B');
    expect(formatBytes(toBytes(1536))).toBe('1.5 KB');
    expect(formatBytes(toBytes(5 * 1024 ** 3))).toBe('5 GB');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(65_400)).toBe('1m5s');
  });
});

describe('results', () => {
  it('model descriptors with their reference, sorted annotations and no empty fields', () => {
    expect(
      descriptorModel('localhost:5000/hello', {
        ...manifest,
        annotations: { z: '1', a: '2' },
        artifactType: 'x/y',
      }),
    ).toEqual({
      reference: `localhost:5000/hello@${manifest.digest}`,
      mediaType: manifest.mediaType,
      digest: manifest.digest,
      size: 587,
      annotations: { a: '2', z: '1' },
      artifactType: 'x/y',
    });
    expect(Object.keys(descriptorModel('r', manifest))).toEqual(['reference', 'mediaType', 'digest', 'size']);
    expect(pushModel('localhost:5000/hello', manifest, ['v1', 'v2']).referenceAsTags).toEqual([
      'localhost:5000/hello:v1',
      'localhost:5000/hello:v2',
    ]);
    // oras sorts them: `push ref:v1,latest` prints latest first
    expect(pushModel('localhost:5000/hello', manifest, ['v1', 'latest', '2e2']).referenceAsTags).toEqual([
      'localhost:5000/hello:2e2',
      'localhost:5000/hello:latest',
      'localhost:5000/hello:v1',
    ]);
  });

  it('print JSON indented with Go escaping, templates over the JSON model, and text', async () => {
    expect(goJson({ a: '<&>' })).toBe('{\n  "a": "\\u003c\\u0026\\u003e"\n}');
    const model = pushModel('localhost:5000/hello', manifest, ['v1']);
    const json = captureContext();
    await writeResult(json, { type: 'json' }, model, () => 'text');
    expect(JSON.parse(json.out())).toEqual(model);
    const tpl = captureContext();
    await writeResult(
      tpl,
      { type: 'go-template', template: '{{.digest}} {{range .referenceAsTags}}{{.}}{{end}}' },
      model,
      () => '',
    );
    expect(tpl.out()).toBe(`${manifest.digest} localhost:5000/hello:v1`);
    const text = captureContext();
    await writeResult(text, { type: 'text' }, model, () => 'Digest: x\n');
    expect(text.out()).toBe('Digest: x\n');
    await expect(
      writeResult(text, { type: 'go-template', template: '{{.digest' }, model, () => ''),
    ).rejects.toThrow(/template/);
  });

  it('render trees with box-drawing branches', () => {
    expect(
      renderTree({
        label: 'root',
        children: [
          { label: 'a', children: [{ label: 'a1', children: [] }] },
          {
            label: 'b',
            children: [
              { label: 'b1', children: [] },
              { label: 'b2', children: [] },
            ],
          },
        ],
      }),
    ).toBe('root\n├── a\n│   └── a1\n└── b\n    ├── b1\n    └── b2\n');
  });

  it('render trees with control characters escaped in every label', () => {
    expect(renderTree({ label: 'r\u001b[2J', children: [{ label: 'note: \u0007\r\n', children: [] }] })).toBe(
      'r\\x1b[2J\n└── note: \\a\\r\\n\n',
    );
  });

  it('render a tree 3,000 levels deep, each level under its prefix', () => {
    let node: { label: string; children: { label: string; children: never[] }[] } = {
      label: 'leaf',
      children: [],
    };
    for (let i = 0; i < 3_000; i++) node = { label: String(i), children: [node as never] };
    const text = renderTree(node);
    const lines = text.split('\n');
    expect(lines.length).toBe(3_002);
    expect(lines.slice(0, 3)).toEqual(['2999', '└── 2998', '    └── 2997']);
    expect(lines[3_000]).toBe(`${' '.repeat(4 * 2_999)}└── leaf`);
  });
});
