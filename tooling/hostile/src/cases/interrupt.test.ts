/**
 * Ctrl-C (`SIGINT`) and `SIGTERM` in the middle of a pull and of a push: the run stops with one
 * line on stderr and exit 130 (143 for `SIGTERM`), leaves no temporary file in the output folder,
 * the working folder or `$TMPDIR` (a directory layer's download and a pushed folder's tar+gzip
 * included), nothing partial under a final name, and cancels the upload sessions it had open on
 * the registry (`DELETE`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RawLayer, directoryLayer, fileLayer, manifestOf, sha256 } from '../harness/craft.js';
import { useFaultProxy, useSandbox, useTestRegistry } from '../harness/fixture.js';
import type { OrasRun } from '../harness/oras.js';
import { crashProblems } from '../harness/outcome.js';
import { filesUnder } from '../harness/tree.js';
import { type ArtifactFile, makeBigArtifact, partialOutputProblems } from './big-artifact.js';

const MiB = 1024 * 1024;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const REPO = 'hostile/interrupt';

let files: ArtifactFile[];
let folder: RawLayer;

beforeAll(() => {
  files = makeBigArtifact();
  // a directory layer: downloaded to a temporary file, then unpacked
  folder = directoryLayer('folder', [
    { name: 'folder/', type: 'dir' },
    { name: 'folder/noise.bin', type: 'file', data: randomBytes(24 * MiB) },
  ]);
});

const box = useSandbox();
const registry = useTestRegistry();

/** The bytes of regular files under the folders (missing ones count 0). */
async function bytesUnder(...dirs: string[]): Promise<number> {
  let total = 0;
  for (const dir of dirs) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      total += (await stat(join(entry.parentPath, entry.name)).catch(() => undefined))?.size ?? 0;
    }
  }
  return total;
}

/** What is wrong with a run that should have stopped on `signal` with `line` and `code`. */
function interruptedProblems(run: OrasRun, line: string, code: number): string[] {
  const problems: string[] = [];
  if (!run.killed) problems.push('the signal was never sent (the run ended first)');
  if (run.timedOut) problems.push('it hung after the signal (timed out)');
  if (run.signal) problems.push(`it died of ${run.signal} instead of handling it`);
  if (run.code !== code) problems.push(`it exited ${run.code}, not ${code}`);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1 || lines[0] !== line) problems.push(`stderr is not the one line "${line}"`);
  problems.push(...crashProblems(run));
  return problems.length > 0 ? [...problems, `--- stderr\n${run.stderr.slice(0, 2000)}`] : [];
}

/** Temporary files (ours end in `.tmp`, or are tar+gzips of pushed folders) anywhere under the sandbox. */
async function leftovers(): Promise<string[]> {
  const tree = await box.snapshot();
  return [...tree.keys()].filter(
    (path) => path.startsWith('tmp/') || /\.tmp$|^(out|work)\/\.oras|oras_file_/.test(path),
  );
}

describe('SIGINT in the middle of a pull', () => {
  // every connection stalls for good after 6 MiB: the pull is always mid-transfer when the signal comes
  const proxy = useFaultProxy(registry, { stallAfterBytes: 6 * MiB });

  it('stops with one line and exit 130, leaving no temporary or partial file', async () => {
    const config = Buffer.from('{}');
    registry.storage.putBlob(REPO, sha256(config), config);
    const layers = [...files.map((f) => fileLayer(f.name, f.bytes)), folder];
    for (const layer of layers) registry.storage.putBlob(REPO, layer.descriptor.digest, layer.bytes);
    registry.storage.putManifest(REPO, 'v1', manifestOf(layers.map((l) => l.descriptor)), MANIFEST);
    const run = await box.run(['pull', `${proxy.host}/${REPO}:v1`, '-o', box.out, '--plain-http'], {
      killSignal: 'SIGINT',
      killWhen: async () => proxy.faulted >= 3 && (await bytesUnder(box.out, box.tmp)) > 4 * MiB,
    });
    expect(interruptedProblems(run, 'Error: interrupted', 130)).toEqual([]);
    expect(await leftovers()).toEqual([]);
    const tree = await box.snapshot();
    expect(partialOutputProblems(tree, 'out', files).filter((p) => !p.startsWith('folder/'))).toEqual([]);
    expect([...filesUnder(tree, 'out').keys()].filter((name) => name.startsWith('folder/'))).toEqual([]);
  });
});

describe('SIGINT and SIGTERM in the middle of a push', () => {
  /** Writes the artifact's files and a folder (packed into $TMPDIR) into the working folder. */
  async function writeUserFiles(): Promise<string[]> {
    for (const file of files) await writeFile(join(box.work, file.name), file.bytes);
    await mkdir(join(box.work, 'folder'), { recursive: true });
    await writeFile(join(box.work, 'folder', 'noise.bin'), randomBytes(8 * MiB));
    return [...files.map((f) => f.name), 'folder'];
  }

  for (const [signal, line, code] of [
    ['SIGINT', 'Error: interrupted', 130],
    ['SIGTERM', 'Error: terminated', 143],
  ] as const) {
    it(`${signal}: stops with one line and exit ${code}, and cancels the open upload sessions`, async () => {
      const names = await writeUserFiles();
      // every upload's final PUT is received, then left unanswered: its session stays open
      registry.setFaults({ slow: { routes: ['upload'], methods: ['PUT'], delayMs: 30_000 } });
      const stalledPuts = () =>
        registry.requests.filter((r) => r.method === 'PUT' && r.faults.includes('slow')).length;
      const run = await box.run(['push', `${registry.host}/${REPO}:v1`, ...names, '--plain-http'], {
        killSignal: signal,
        killWhen: () => stalledPuts() >= 1,
      });
      expect(interruptedProblems(run, line, code)).toEqual([]);
      expect(await leftovers()).toEqual([]);
      expect(registry.storage.getManifest(REPO, 'v1')).toBeUndefined();
      const sessions = new Set(
        registry.requests
          .filter((r) => r.method === 'PUT' && r.route === 'upload' && r.faults.includes('slow'))
          .map((r) => r.path),
      );
      const deleted = new Set(
        registry.requests.filter((r) => r.method === 'DELETE' && r.route === 'upload').map((r) => r.path),
      );
      expect(sessions.size).toBeGreaterThan(0);
      expect([...sessions].filter((path) => !deleted.has(path))).toEqual([]);
      expect(registry.openUploads()).toBe(0);
    });
  }
});
