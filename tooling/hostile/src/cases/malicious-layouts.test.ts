/**
 * OCI layouts built by hand that `oras restore` and `oras cp --from-oci-layout` read: a tar with
 * `..` and absolute entries and links out, an `index.json` whose digests are paths, and a layout
 * folder whose blob is a symlink to a file outside it. Nothing outside the output folder changes,
 * nothing from outside reaches the registry, and every refusal is one clean line naming the reason.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TarEntry, manifestOf, sha256, tarOf } from '../harness/craft.js';
import { useSandbox, useTestRegistry } from '../harness/fixture.js';
import { eitherProblems } from '../harness/outcome.js';
import { diffTrees, pathsOutside } from '../harness/tree.js';

const LAYOUT = '{"imageLayoutVersion":"1.0.0"}';
const REASON = /digest|invalid|path|travers|outside|link|not found|layout|tar|entry|blob/i;

const SECRET_FILE_TEXT = 'outside secret 8c2f\n';

const registry = useTestRegistry({}, 'file');
const box = useSandbox({ files: { 'outside/canary': SECRET_FILE_TEXT } });

/** A layout's files: one manifest with one layer, tagged v1, plus `extra` tar entries. */
function layoutEntries(extra: readonly TarEntry[], layerBytes = Buffer.from('layer\n')): TarEntry[] {
  const layer = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: sha256(layerBytes),
    size: layerBytes.byteLength,
  };
  const manifest = manifestOf([layer]);
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha256(manifest),
        size: manifest.byteLength,
        annotations: { 'org.opencontainers.image.ref.name': 'v1' },
      },
    ],
  });
  const blob = (bytes: Uint8Array | string): TarEntry => ({
    name: `blobs/sha256/${sha256(bytes).slice(7)}`,
    type: 'file',
    data: bytes,
  });
  return [
    { name: 'oci-layout', type: 'file', data: LAYOUT },
    { name: 'index.json', type: 'file', data: index },
    { name: 'blobs/', type: 'dir' },
    { name: 'blobs/sha256/', type: 'dir' },
    blob('{}'),
    blob(manifest),
    blob(layerBytes),
    ...extra,
  ];
}

async function restore(tar: Buffer, repo: string) {
  const input = join(box.work, 'layout.tar');
  await writeFile(input, tar);
  const before = await box.snapshot();
  const run = await box.run(['restore', '--input', input, `${registry.host}/${repo}`, '--plain-http'], {
    timeoutMs: 30_000,
  });
  const diff = diffTrees(before, await box.snapshot());
  return { run, outside: pathsOutside(diff, ['out']) };
}

describe('restore from a hand-made layout tar', () => {
  it('never writes the .. and absolute entries of the tar anywhere', async () => {
    const tar = tarOf(
      layoutEntries([
        { name: '../../outside/evil', type: 'file', data: 'evil' },
        { name: join(box.outside, 'abs-evil'), type: 'file', data: 'evil' },
        { name: 'blobs/up', type: 'symlink', linkname: '../../../outside' },
        { name: 'blobs/up/canary', type: 'file', data: 'overwritten' },
      ]),
    );
    const { run, outside } = await restore(tar, 'layouts/dotdot');
    expect(eitherProblems(run, REASON)).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('refuses an index.json whose digest is a path out of the layout', async () => {
    const entries = layoutEntries([]);
    const evil = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: 'sha256:../../../outside/canary',
          size: SECRET_FILE_TEXT.length,
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        },
      ],
    });
    const tar = tarOf(entries.map((e) => (e.name === 'index.json' ? { ...e, data: evil } : e)));
    const { run, outside } = await restore(tar, 'layouts/digest');
    expect(eitherProblems(run, REASON)).toEqual([]);
    expect(run.code).not.toBe(0);
    expect(outside).toEqual([]);
    expect(registry.storage.getManifest('layouts/digest', 'v1')).toBeUndefined();
  });
});

describe('copy from a hand-made layout folder', () => {
  it('never pushes a file outside the layout that a blob symlink points to', async () => {
    const dir = join(box.work, 'layout');
    const layerBytes = Buffer.from(SECRET_FILE_TEXT);
    await mkdir(dir);
    for (const entry of layoutEntries([], layerBytes)) {
      const path = join(dir, entry.name);
      if (entry.type === 'dir') await mkdir(path, { recursive: true });
      else if (entry.name.endsWith(sha256(layerBytes).slice(7))) {
        // the layer's blob is a link to the user's file: same digest, but outside the layout
        await symlink(join(box.outside, 'canary'), path);
      } else await writeFile(path, entry.data ?? '');
    }
    const run = await box.run(
      ['cp', '--from-oci-layout', `${dir}:v1`, `${registry.host}/layouts/symlink:v1`, '--to-plain-http'],
      { timeoutMs: 30_000 },
    );
    expect(eitherProblems(run, REASON)).toEqual([]);
    expect(run.code).not.toBe(0);
    expect(registry.storage.getBlob('layouts/symlink', sha256(layerBytes))).toBeUndefined();
  });

  it('never reads blobs through a blobs/sha256 folder that is a symlink out of the layout', async () => {
    const dir = join(box.work, 'layout');
    const store = join(box.outside, 'store');
    const layerBytes = Buffer.from(SECRET_FILE_TEXT);
    await mkdir(dir);
    await mkdir(join(dir, 'blobs'));
    await mkdir(store);
    for (const entry of layoutEntries([], layerBytes)) {
      if (entry.type === 'dir') continue;
      // every blob lives outside, reached through the linked folder
      const path = entry.name.startsWith('blobs/sha256/')
        ? join(store, entry.name.slice('blobs/sha256/'.length))
        : join(dir, entry.name);
      await writeFile(path, entry.data ?? '');
    }
    await symlink(store, join(dir, 'blobs', 'sha256'));
    const run = await box.run(
      ['cp', '--from-oci-layout', `${dir}:v1`, `${registry.host}/layouts/linked-dir:v1`, '--to-plain-http'],
      { timeoutMs: 30_000 },
    );
    expect(eitherProblems(run, /symlink/)).toEqual([]);
    expect(run.code).not.toBe(0);
    expect(registry.storage.getBlob('layouts/linked-dir', sha256(layerBytes))).toBeUndefined();
  });
});

describe('copy into a layout folder whose blobs/sha256 is a symlink out of it', () => {
  it('refuses, writing nothing outside the layout', async () => {
    const config = Buffer.from('{}');
    const layerBytes = Buffer.from('layer for the linked layout\n');
    registry.storage.putBlob('layouts/source', sha256(config), config);
    registry.storage.putBlob('layouts/source', sha256(layerBytes), layerBytes);
    registry.storage.putManifest(
      'layouts/source',
      'v1',
      manifestOf([
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: sha256(layerBytes),
          size: layerBytes.length,
        },
      ]),
      'application/vnd.oci.image.manifest.v1+json',
    );
    const dir = join(box.work, 'dest');
    await mkdir(join(dir, 'blobs'), { recursive: true });
    await writeFile(join(dir, 'oci-layout'), LAYOUT);
    await writeFile(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    await mkdir(join(box.outside, 'elsewhere'));
    await symlink(join(box.outside, 'elsewhere'), join(dir, 'blobs', 'sha256'));
    const before = await box.snapshot();
    const run = await box.run(
      ['cp', `${registry.host}/layouts/source:v1`, '--from-plain-http', '--to-oci-layout', `${dir}:v1`],
      { timeoutMs: 30_000 },
    );
    expect(eitherProblems(run, /symlink/)).toEqual([]);
    expect(run.code).not.toBe(0);
    const diff = diffTrees(before, await box.snapshot());
    expect([...diff.added, ...diff.changed].filter((p) => p.startsWith('outside/'))).toEqual([]);
  });
});
