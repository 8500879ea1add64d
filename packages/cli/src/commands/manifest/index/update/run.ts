/** The implementation of `oras manifest index update`. */
import { type Index, isDigest, isIndexMediaType, MediaType, parseIndex } from '@oras/spec';
import type { CliContext } from '../../../../context.js';
import { withDockerHubHint } from '../../../../docker-hub.js';
import { CliError } from '../../../../errors.js';
import { DEFAULT_MAX_MANIFEST_BYTES, fetchManifest } from '../../../../manifests.js';
import { annotatedReference } from '../../../../options/target.js';
import { INDEX_PROMPTS } from '../../../../output/status.js';
import { openTarget } from '../../../../targets.js';
import { indexEntry } from '../index-entries.js';
import { indexLog, pathOf, pushOrWriteIndex, UPDATED } from '../push-index.js';
import type { IndexUpdateOptions } from './command.js';

/** Fetches the index `reference` names, in oras's words when it cannot be found or is no index. */
async function fetchIndex(
  target: Parameters<typeof fetchManifest>[0],
  reference: string,
): Promise<Awaited<ReturnType<typeof fetchManifest>>> {
  let fetched: Awaited<ReturnType<typeof fetchManifest>>;
  try {
    fetched = await fetchManifest(target, reference);
  } catch (error) {
    throw new CliError(`could not find the index ${reference}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isIndexMediaType(fetched.desc.mediaType)) throw new CliError(`${reference} is not an index`);
  return fetched;
}

/** Runs `oras manifest index update`. */
export async function runIndexUpdate(options: IndexUpdateOptions, ctx: CliContext): Promise<void> {
  const { common, tags, adds, merges, removes } = options;
  const { spec, reference, argument: raw } = options.target;
  const { annotations, artifactType } = options.index;
  const log = indexLog(ctx, options.index.output);
  // as oras 1.3: only --add, --merge and --remove ask for a change; --artifact-type and the
  // annotations apply along with one of them, and alone leave the index as it is
  if (adds.length === 0 && merges.length === 0 && removes.length === 0) {
    ctx.stdout.write('Nothing to update as no change is requested\n');
    return;
  }
  const { target } = await openTarget(options.target, common, ctx);
  try {
    log.fetching(reference);
    const { desc: oldDesc, bytes } = await fetchIndex(target, reference);
    const index = parseIndex(bytes, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES });
    log.found(INDEX_PROMPTS.fetched, reference, oldDesc);
    // as oras: removals apply to the index as fetched (every entry of each digest), then the
    // additions and merges are appended as they come, even an entry the index already has
    const toRemove = new Set(removes);
    for (const remove of toRemove) {
      if (!index.manifests.some((m) => m.digest === remove))
        throw new CliError(`${remove} does not exist in the index ${reference}`, {
          code: 'ORAS_ERR_NOT_FOUND',
        });
    }
    const manifests = index.manifests.filter((m) => !toRemove.has(m.digest));
    for (const remove of toRemove) log.line(INDEX_PROMPTS.removed, remove);
    for (const add of adds) {
      log.fetching(add);
      const entry = await indexEntry(target, add);
      log.found(INDEX_PROMPTS.fetched, add, entry);
      manifests.push(entry);
      log.found(INDEX_PROMPTS.added, add, entry);
    }
    for (const merge of merges) {
      log.fetching(merge);
      const { desc, bytes: other } = await fetchIndex(target, merge);
      log.found(INDEX_PROMPTS.fetched, merge, desc);
      manifests.push(...parseIndex(other, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES }).manifests);
      log.found(INDEX_PROMPTS.merged, merge, desc);
    }
    const updated: Index = { ...index, mediaType: index.mediaType ?? MediaType.ImageIndex, manifests };
    if (artifactType !== undefined) {
      if (artifactType === '') delete updated.artifactType;
      else updated.artifactType = artifactType;
    }
    if (annotations) updated.annotations = { ...(index.annotations ?? {}), ...annotations };
    const keep = isDigest(reference) ? undefined : reference;
    // oras names the repository alone when the index was named by its digest, now stale
    const pushed = annotatedReference(spec, keep === undefined ? pathOf(spec) : spec.raw);
    await pushOrWriteIndex(ctx, log, options.index, target, updated, keep, tags, UPDATED, pushed);
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest index update ${raw}`);
  }
}
