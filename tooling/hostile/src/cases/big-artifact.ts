/**
 * The artifact the fault cases move: 64 MiB in four blobs of different sizes, random bytes (so no
 * compression or deduplication helps), written as the user's files and pushed by hand; and the
 * checks that a pull's output or a registry's content is exactly that artifact.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestRegistry } from '@oras-internal/test-registry';
import { type RawTarget, fileLayer, manifestOf, pushArtifactRaw, sha256 } from '../harness/craft.js';
import { type TreeSnapshot, filesUnder } from '../harness/tree.js';

const MiB = 1024 * 1024;

/** One file of the artifact. */
export interface ArtifactFile {
  readonly name: string;
  readonly bytes: Buffer;
  readonly digest: string;
}

/** The four files: 40 + 16 + 6 + 2 MiB. */
export const BIG_ARTIFACT_SIZES: ReadonlyArray<readonly [string, number]> = [
  ['big.bin', 40 * MiB],
  ['mid.bin', 16 * MiB],
  ['small.bin', 6 * MiB],
  ['tiny.bin', 2 * MiB],
];

/** Makes the artifact's files in memory. */
export function makeBigArtifact(): ArtifactFile[] {
  return BIG_ARTIFACT_SIZES.map(([name, size]) => {
    const bytes = randomBytes(size);
    return { name, bytes, digest: sha256(bytes) };
  });
}

/** Writes the files into `dir` (the user's files to push). */
export async function writeArtifactFiles(dir: string, files: readonly ArtifactFile[]): Promise<void> {
  for (const file of files) await writeFile(join(dir, file.name), file.bytes);
}

/** Pushes the artifact with raw requests (not our packer); resolves to the manifest digest. */
export function pushArtifactFiles(
  target: RawTarget,
  repo: string,
  tag: string,
  files: readonly ArtifactFile[],
): Promise<string> {
  return pushArtifactRaw(
    target,
    repo,
    tag,
    files.map((f) => fileLayer(f.name, f.bytes)),
  );
}

/**
 * What is wrong with the output folder `prefix` of a snapshot, which should hold exactly the
 * artifact's files, each complete (checked by digest), and nothing else.
 */
export function outputProblems(tree: TreeSnapshot, prefix: string, files: readonly ArtifactFile[]): string[] {
  const found = filesUnder(tree, prefix);
  const problems: string[] = [];
  for (const file of files) {
    const digest = found.get(file.name);
    if (digest === undefined) problems.push(`${file.name}: missing`);
    else if (digest !== file.digest) problems.push(`${file.name}: wrong content under its final name`);
  }
  const expected = new Set(files.map((f) => f.name));
  for (const name of found.keys()) if (!expected.has(name)) problems.push(`${name}: unexpected file`);
  return problems;
}

/** What is wrong with an output folder that may be incomplete but holds nothing partial or foreign. */
export function partialOutputProblems(
  tree: TreeSnapshot,
  prefix: string,
  files: readonly ArtifactFile[],
): string[] {
  const byName = new Map(files.map((f) => [f.name, f.digest]));
  const problems: string[] = [];
  for (const [name, digest] of filesUnder(tree, prefix)) {
    const want = byName.get(name);
    if (want === undefined) problems.push(`${name}: unexpected file`);
    else if (want !== digest) problems.push(`${name}: partial or wrong content under its final name`);
  }
  return problems;
}

/** What is wrong with `repo:tag` in the test registry, which should be the artifact, blobs and all. */
export function registryProblems(
  registry: TestRegistry,
  repo: string,
  tag: string,
  files: readonly ArtifactFile[],
): string[] {
  const manifest = registry.storage.getManifest(repo, tag);
  if (!manifest) return [`${repo}:${tag}: no manifest`];
  const problems: string[] = [];
  const json = JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as {
    layers?: Array<{ digest: string; size: number; annotations?: Record<string, string> }>;
  };
  const layers = json.layers ?? [];
  for (const file of files) {
    const layer = layers.find((l) => l.annotations?.['org.opencontainers.image.title'] === file.name);
    if (!layer) {
      problems.push(`${file.name}: not a layer of the manifest`);
      continue;
    }
    if (layer.digest !== file.digest || layer.size !== file.bytes.byteLength) {
      problems.push(`${file.name}: the manifest lists the wrong digest or size`);
    }
    const blob = registry.storage.getBlob(repo, file.digest);
    if (!blob) problems.push(`${file.name}: blob missing in the registry`);
    else if (sha256(blob) !== file.digest) problems.push(`${file.name}: blob corrupt in the registry`);
  }
  return problems;
}

/** What is wrong with every manifest in `repo`: each must reference only blobs the registry holds. */
export function brokenManifests(registry: TestRegistry, repo: string, tags: readonly string[]): string[] {
  const problems: string[] = [];
  for (const tag of tags) {
    const manifest = registry.storage.getManifest(repo, tag);
    if (!manifest) continue;
    const json = JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as {
      config?: { digest: string };
      layers?: Array<{ digest: string }>;
    };
    for (const d of [json.config, ...(json.layers ?? [])]) {
      if (d && !registry.storage.getBlob(repo, d.digest))
        problems.push(`${tag}: references missing ${d.digest}`);
    }
  }
  return problems;
}

/** Puts the artifact into the test registry's storage directly (the fast way, for the fault cases). */
export function seedArtifact(
  registry: TestRegistry,
  repo: string,
  tag: string,
  files: readonly ArtifactFile[],
): string {
  const config = Buffer.from('{}');
  registry.storage.putBlob(repo, sha256(config), config);
  for (const file of files) registry.storage.putBlob(repo, file.digest, file.bytes);
  const manifest = manifestOf(files.map((f) => fileLayer(f.name, f.bytes).descriptor));
  return registry.storage.putManifest(repo, tag, manifest, 'application/vnd.oci.image.manifest.v1+json')
    .digest;
}
