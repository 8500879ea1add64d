/**
 * What `oras manifest index create` and `update` print, and their end: the index written to
 * `-o`, or pushed and tagged.
 *
 * The lines are oras 1.3's (its text handlers for the two commands): `Fetching  <ref>` then
 * `Fetched   <digest> <ref>` (the digest alone when the reference is one) for each manifest or
 * index read, `Removed`, `Added`, `Merged` the same way, `Packed    <short digest> <media type>`
 * (create) or `Updated   <digest>` (update), `Pushed    [<type>] <reference>`, `Tagged <tag>`
 * for each extra tag and `Digest: <digest>`. With `--output -` only the index is printed.
 */
import {
  type Descriptor,
  descriptorFromBytes,
  type Index,
  isDigest,
  MediaType,
  serializeIndex,
} from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { jsonOutput } from '../../../json.js';
import { manifestTarget, pushManifestAs, tagAll } from '../../../manifests.js';
import type { TargetSpec } from '../../../options/target.js';
import { printable } from '../../../output/escape.js';
import { INDEX_PROMPTS, shortDigest } from '../../../output/status.js';
import { writeOutput } from '../../../stdio.js';
import type { IndexOptions } from './flags.js';

/** The status lines of one run of `manifest index create` or `update`. */
export interface IndexLog {
  /** One line: the words joined by a space, as Go's `Println` joins its operands. */
  line(...words: string[]): void;
  /** `Fetching  <ref>`. */
  fetching(ref: string): void;
  /** `<prompt> <digest> <ref>`, or `<prompt> <ref>` when `ref` is the digest. */
  found(prompt: string, ref: string, desc: Pick<Descriptor, 'digest'>): void;
}

/** The log of a run: stdout, or nothing when the index itself goes to stdout (`-o -`). */
export function indexLog(ctx: CliContext, output: string | undefined): IndexLog {
  const line = (...words: string[]) => {
    if (output !== '-') ctx.stdout.write(`${words.map((w) => printable(w)).join(' ')}\n`);
  };
  return {
    line,
    fetching: (ref) => line(INDEX_PROMPTS.fetching, ref),
    found: (prompt, ref, desc) => (isDigest(ref) ? line(prompt, ref) : line(prompt, desc.digest, ref)),
  };
}

/** How the index is announced once serialized: `Packed` (create) or `Updated` (update). */
export type PackedLine = (log: IndexLog, desc: Descriptor) => void;

/** `Packed    <short digest> application/vnd.oci.image.index.v1+json`. */
export const PACKED: PackedLine = (log, desc) =>
  log.line(INDEX_PROMPTS.packed, shortDigest(desc), MediaType.ImageIndex);

/** `Updated   <digest>`. */
export const UPDATED: PackedLine = (log, desc) => log.line(INDEX_PROMPTS.updated, desc.digest);

/**
 * Writes the index (`-o`) or pushes it under `reference` (a tag, or its digest), with extra
 * tags; `pushed` is the reference the `Pushed` line names.
 */
export async function pushOrWriteIndex(
  ctx: CliContext,
  log: IndexLog,
  flags: Pick<IndexOptions, 'output' | 'pretty'>,
  target: object,
  index: Index,
  reference: string | undefined,
  extraTags: readonly string[],
  packed: PackedLine,
  pushed: string,
): Promise<void> {
  const bytes = serializeIndex(index);
  const desc = descriptorFromBytes(MediaType.ImageIndex, bytes);
  packed(log, desc);
  if (flags.output !== undefined) {
    await writeOutput(ctx, flags.output, jsonOutput(bytes, flags.pretty));
  } else {
    const store = manifestTarget(target);
    await pushManifestAs(store, desc, bytes, reference ?? desc.digest);
    log.line(INDEX_PROMPTS.pushed, pushed);
    await tagAll(store, desc, extraTags, 5, (tag) => log.line('Tagged', tag));
  }
  log.line('Digest:', desc.digest);
}

/** The repository or layout path of a target, without tag or digest. */
export function pathOf(spec: TargetSpec): string {
  return spec.kind === 'registry' ? `${spec.reference.registry}/${spec.reference.repository}` : spec.path;
}
