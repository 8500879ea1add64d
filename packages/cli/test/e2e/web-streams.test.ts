/**
 * Node compiles its web streams (`ReadableStream` and the rest) on their first use, and from
 * source once the CLI has set its V8 flags (src/v8-tuning.ts): 5-8 ms of a run here. Manifests
 * are read whole, as bytes (`FetchedReference.bytes`), and small blobs into memory, so a pull of
 * plain files, a copy and a manifest fetch never make one. This reads Node's own list of the
 * internal modules a run loaded (`process.moduleLoadList`), written at exit by a preloaded hook,
 * rather than a timing. The same holds for `node:zlib`: only folders are gzipped, so a pull of
 * plain files does not load it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTestRegistry } from './fixture.js';

const e2e = withTestRegistry({ files: { 'a.txt': 'hello\n', 'b.txt': 'world\n' } });

/** Runs `oras args` in the sandbox and returns the modules the run loaded (Node's list). */
async function modulesLoadedBy(args: readonly string[]): Promise<string[]> {
  const hook = join(e2e.box.dir, 'module-list.cjs');
  const list = join(e2e.box.dir, `modules-${args[0]}.json`);
  await writeFile(
    hook,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(process.moduleLoadList)));\n`,
  );
  await e2e.box.ok(args, { env: { NODE_OPTIONS: `--require ${hook}` } });
  const modules = JSON.parse(await readFile(list, 'utf8')) as string[];
  // the hook ran: Node's own modules are listed
  expect(modules).toContain('NativeModule fs');
  return modules;
}

/** Runs `oras args` in the sandbox and returns the web-stream modules the run loaded. */
async function webStreamsLoadedBy(args: readonly string[]): Promise<string[]> {
  const modules = await modulesLoadedBy(args);
  // Node's bootstrap loads the small helpers (webstreams/util, queuingstrategies) for Blob:
  // the streams themselves are what a first `ReadableStream` compiles
  return modules.filter((m) =>
    /webstreams\/(readablestream|writablestream|transformstream|adapters)$/.test(m),
  );
}

describe('web streams', () => {
  it('a pull of plain files, a copy and a manifest fetch load none', async () => {
    const ref = `${e2e.host}/streams:v1`;
    await e2e.box.ok(['push', '--plain-http', ref, 'a.txt', 'b.txt']);
    expect(await webStreamsLoadedBy(['pull', '--plain-http', '-o', 'out', ref])).toEqual([]);
    expect(await readFile(join(e2e.box.dir, 'out', 'b.txt'), 'utf8')).toBe('world\n');
    expect(
      await webStreamsLoadedBy(['cp', '--from-plain-http', '--to-plain-http', ref, `${e2e.host}/copy:v1`]),
    ).toEqual([]);
    expect(await webStreamsLoadedBy(['manifest', 'fetch', '--plain-http', ref])).toEqual([]);
  });

  it('are seen when a run does make one (the check can fail)', async () => {
    // `blob fetch --output -` streams the blob to stdout through a web stream
    const ref = `${e2e.host}/streams:v1`;
    const { stdout } = await e2e.box.ok(['manifest', 'fetch', '--plain-http', ref]);
    const layer = (JSON.parse(stdout) as { layers: { digest: string }[] }).layers[0]!.digest;
    const loaded = await webStreamsLoadedBy([
      'blob',
      'fetch',
      '--plain-http',
      '--output',
      '-',
      `${ref.replace(/:v1$/, '')}@${layer}`,
    ]);
    expect(loaded.length).toBeGreaterThan(0);
  });
});

describe('node:zlib', () => {
  it('a pull of plain files does not load it; a pull of a folder does', async () => {
    const files = `${e2e.host}/zlib-files:v1`;
    await e2e.box.ok(['push', '--plain-http', files, 'a.txt']);
    const plain = await modulesLoadedBy(['pull', '--plain-http', '-o', 'plain', files]);
    expect(plain).not.toContain('NativeModule zlib');
    expect(await readFile(join(e2e.box.dir, 'plain', 'a.txt'), 'utf8')).toBe('hello\n');

    await mkdir(join(e2e.box.dir, 'folder'));
    await writeFile(join(e2e.box.dir, 'folder', 'c.txt'), 'packed\n');
    const folder = `${e2e.host}/zlib-folder:v1`;
    await e2e.box.ok(['push', '--plain-http', folder, 'folder']);
    const unpacked = await modulesLoadedBy(['pull', '--plain-http', '-o', 'unpacked', folder]);
    expect(unpacked).toContain('NativeModule zlib');
    expect(await readFile(join(e2e.box.dir, 'unpacked', 'folder', 'c.txt'), 'utf8')).toBe('packed\n');
  });
});
