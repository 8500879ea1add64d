/**
 * `oras pull` status lines, in process against the in-process test registry: the manifest is
 * reported as oras 1.3 reports it ("Downloading", "Processing", then "Downloaded" once copied), and
 * a file whose content another name already brought is "Restored" rather than downloaded again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestRegistry, type TestRegistry } from '@oras-internal/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureContext } from '../../test-support/capture.js';
import { scratch } from '../../test-support/oras-process.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let registry: TestRegistry;
const work = scratch();

async function run(args: string[], options: { tty?: boolean } = {}) {
  const ctx = captureContext({ cwd: work.dir, env: { DOCKER_CONFIG: work.dir }, tty: options.tty ?? false });
  const code = await main(args, ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

/** `<prompt> <12 hex> <name>` lines of a status output, as [prompt, name] pairs. */
function statusLines(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line) => /^(\w+) +[0-9a-f]{12} (.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] ?? '', m[2] ?? '']);
}

beforeAll(async () => {
  registry = await startTestRegistry();
  const src = join(work.dir, 'src');
  mkdirSync(join(src, 'folder'), { recursive: true });
  writeFileSync(join(src, 'first.txt'), 'the same bytes\n');
  writeFileSync(join(src, 'second.txt'), 'the same bytes\n');
  writeFileSync(join(src, 'folder', 'inside.txt'), 'in a folder\n');
  const ctx = captureContext({ cwd: src, env: { DOCKER_CONFIG: work.dir } });
  const code = await main(
    ['push', '--plain-http', `${registry.host}/dedup:v1`, 'first.txt', 'second.txt', 'folder'],
    ctx,
  );
  expect(ctx.err()).toBe('');
  expect(code).toBe(0);
});

afterAll(async () => {
  await registry?.close();
  work.remove();
});

describe('oras pull status lines', () => {
  it('reports the manifest as Downloading, Processing, then Downloaded, and a deduplicated file as Restored', async () => {
    const res = await run(['pull', '--plain-http', '-o', 'out', `${registry.host}/dedup:v1`]);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    const lines = statusLines(res.out);
    const at = (prompt: string, name: string) => lines.findIndex(([p, n]) => p === prompt && n === name);
    // The manifest: fetched to find its files first, reported once, done last.
    expect(lines.filter(([, n]) => n === MANIFEST).map(([p]) => p)).toEqual([
      'Downloading',
      'Processing',
      'Downloaded',
    ]);
    expect(at('Downloading', MANIFEST)).toBe(0);
    expect(at('Processing', MANIFEST)).toBe(1);
    expect(at('Downloaded', MANIFEST)).toBe(lines.length - 1);
    // One content, two names: moved once, written twice.
    expect(lines.filter(([, n]) => n === 'first.txt').map(([p]) => p)).toEqual(['Downloading', 'Downloaded']);
    expect(lines.filter(([, n]) => n === 'second.txt').map(([p]) => p)).toEqual(['Restored']);
    expect(at('Restored', 'second.txt')).toBeGreaterThan(at('Downloaded', 'first.txt'));
    expect(lines.filter(([, n]) => n === 'folder').map(([p]) => p)).toEqual(['Downloading', 'Downloaded']);
    expect(res.out).toMatch(/^Restored {4}[0-9a-f]{12} second\.txt$/m);
    expect(res.out).toMatch(/^Processing {2}[0-9a-f]{12} application\/vnd\.oci\.image\.manifest\.v1\+json$/m);
    expect(res.out).toContain(`Pulled [registry] ${registry.host}/dedup:v1\n`);
    expect(readFileSync(join(work.dir, 'out', 'second.txt'), 'utf8')).toBe('the same bytes\n');
    expect(readFileSync(join(work.dir, 'out', 'folder', 'inside.txt'), 'utf8')).toBe('in a folder\n');
  });

  it('reads the manifest once, with a GET by tag, as oras-go copies', async () => {
    registry.requests.length = 0;
    const res = await run(['pull', '--plain-http', '-o', 'once', `${registry.host}/dedup:v1`]);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    const manifestReads = registry.requests.filter((r) => r.repository === 'dedup' && r.route === 'manifest');
    expect(manifestReads.map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['GET v1']);
    expect(readFileSync(join(work.dir, 'once', 'first.txt'), 'utf8')).toBe('the same bytes\n');
  });

  it('emits restored and processing events with --progress json', async () => {
    const res = await run([
      'pull',
      '--plain-http',
      '--progress',
      'json',
      '-o',
      'json-out',
      `${registry.host}/dedup:v1`,
    ]);
    expect(res.code).toBe(0);
    const events = res.err
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; title?: string; mediaType: string });
    expect(events.filter((e) => e.event === 'restored').map((e) => e.title)).toEqual(['second.txt']);
    expect(events.filter((e) => e.event === 'processing').map((e) => e.mediaType)).toEqual([MANIFEST]);
  });

  it('shows Restored on the live display but not Processing, as oras does', async () => {
    const res = await run(['pull', '--plain-http', '-o', 'tty-out', `${registry.host}/dedup:v1`], {
      tty: true,
    });
    expect(res.code).toBe(0);
    expect(res.out).toContain('Pulled [registry]');
    expect(res.err).toMatch(/Restored +second\.txt/);
    expect(res.err).not.toContain('Processing');
    expect(readFileSync(join(work.dir, 'tty-out', 'second.txt'), 'utf8')).toBe('the same bytes\n');
  });
});

describe('oras pull of unnamed content', () => {
  it('says Skipped, once each, for an unnamed config and unnamed layers, and nothing for the empty JSON', async () => {
    const blob = (mediaType: string, text: string, title?: string) => {
      const bytes = Buffer.from(text);
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      registry.storage.putBlob('unnamed', digest, bytes);
      return {
        mediaType,
        digest,
        size: bytes.length,
        ...(title ? { annotations: { 'org.opencontainers.image.title': title } } : {}),
      };
    };
    const config = blob('application/vnd.oci.image.config.v1+json', '{"architecture":"amd64","os":"linux"}');
    const empty = blob('application/vnd.oci.empty.v1+json', '{}');
    const unnamed = blob('application/vnd.oci.image.layer.v1.tar', 'no name');
    const named = blob('application/vnd.oci.image.layer.v1.tar', 'with a name', 'named.txt');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config,
        layers: [unnamed, empty, named, unnamed],
      }),
    );
    registry.storage.putManifest('unnamed', 'v1', manifest, MANIFEST);
    const res = await run(['pull', '--plain-http', '-o', 'unnamed-out', `${registry.host}/unnamed:v1`]);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    const lines = statusLines(res.out);
    expect(lines.filter(([p]) => p === 'Skipped')).toEqual([
      ['Skipped', 'application/vnd.oci.image.config.v1+json'],
      ['Skipped', 'application/vnd.oci.image.layer.v1.tar'],
    ]);
    expect(lines.some(([, n]) => n === 'application/vnd.oci.empty.v1+json')).toBe(false);
    expect(lines.filter(([, n]) => n === 'named.txt').map(([p]) => p)).toEqual(['Downloading', 'Downloaded']);
    expect(res.out).toMatch(/^Skipped {5}[0-9a-f]{12} application\/vnd\.oci\.image\.config\.v1\+json$/m);
    expect(readFileSync(join(work.dir, 'unnamed-out', 'named.txt'), 'utf8')).toBe('with a name');
  });
});

describe('oras pull --max-unpack-size', () => {
  it('refuses a folder that unpacks to more than the limit, naming it, and leaves nothing of it', async () => {
    const res = await run([
      'pull',
      '--plain-http',
      '-o',
      'small',
      '--max-unpack-size',
      '100',
      `${registry.host}/dedup:v1`,
    ]);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^Error: .*"folder": unpacked size exceeds the limit of 100 bytes$/m);
    expect(existsSync(join(work.dir, 'small', 'folder', 'inside.txt'))).toBe(false);
  });

  it('unpacks a folder under the limit, given with a unit', async () => {
    const res = await run([
      'pull',
      '--plain-http',
      '-o',
      'roomy',
      '--max-unpack-size',
      '1MiB',
      `${registry.host}/dedup:v1`,
    ]);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(readFileSync(join(work.dir, 'roomy', 'folder', 'inside.txt'), 'utf8')).toBe('in a folder\n');
  });

  it('refuses a size it cannot read before contacting the registry', async () => {
    const res = await run([
      'pull',
      '--plain-http',
      '-o',
      'bad',
      '--max-unpack-size',
      '10XB',
      '127.0.0.1:1/none:v1',
    ]);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^Error: invalid --max-unpack-size "10XB": use a positive number of bytes/);
    expect(existsSync(join(work.dir, 'bad'))).toBe(false);
  });
});
