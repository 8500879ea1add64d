/** The end of `oras manifest index create` and `update`: the index written to `-o`, or pushed and tagged. */
import { descriptorFromBytes, type Index, isDigest, MediaType, serializeIndex } from '@oras/spec';
import type { CliContext, OutputStream } from '../../../context.js';
import { jsonOutput } from '../../../json.js';
import { manifestTarget, pushManifestAs, tagAll } from '../../../manifests.js';
import { annotatedReference, type TargetSpec } from '../../../options/target.js';
import { shortDigest } from '../../../output/status.js';
import { writeOutput } from '../../../stdio.js';
import type { IndexOptions } from './flags.js';

/** Writes the index (`-o`) or pushes it under `reference` (a tag, or its digest), with extra tags. */
export async function pushOrWriteIndex(
  ctx: CliContext,
  log: OutputStream,
  flags: Pick<IndexOptions, 'output' | 'pretty'>,
  target: object,
  spec: TargetSpec,
  index: Index,
  reference: string | undefined,
  extraTags: readonly string[],
  prompt: string,
): Promise<void> {
  const bytes = serializeIndex(index);
  const desc = descriptorFromBytes(MediaType.ImageIndex, bytes);
  log.write(`${prompt} ${shortDigest(desc)} ${MediaType.ImageIndex}\n`);
  if (flags.output !== undefined) {
    await writeOutput(ctx, flags.output, jsonOutput(bytes, flags.pretty));
    return;
  }
  const store = manifestTarget(target);
  await pushManifestAs(store, desc, bytes, reference ?? desc.digest);
  const name =
    spec.kind === 'registry' ? `${spec.reference.registry}/${spec.reference.repository}` : spec.path;
  const shown =
    reference !== undefined && !isDigest(reference) ? `${name}:${reference}` : `${name}@${desc.digest}`;
  log.write(`Pushed ${annotatedReference(spec, shown)}\n`);
  await tagAll(store, desc, extraTags, 5, (tag) => log.write(`Tagged ${tag}\n`));
  log.write(`Digest: ${desc.digest}\n`);
}
