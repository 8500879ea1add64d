/** The implementation of `oras manifest index update`. */
import { type Index, isDigest, isIndexMediaType, MediaType, parseIndex } from '@oras/spec';
import type { CliContext } from '../../../../context.js';
import { withDockerHubHint } from '../../../../docker-hub.js';
import { CliError } from '../../../../errors.js';
import { DEFAULT_MAX_MANIFEST_BYTES, fetchManifest } from '../../../../manifests.js';
import { shortDigest } from '../../../../output/status.js';
import { openTarget } from '../../../../targets.js';
import { indexEntry } from '../index-entries.js';
import { pushOrWriteIndex } from '../push-index.js';
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
  const log = options.index.output === '-' ? ctx.stderr : ctx.stdout;
  if (
    adds.length === 0 &&
    merges.length === 0 &&
    removes.length === 0 &&
    artifactType === undefined &&
    annotations === undefined
  ) {
    ctx.stdout.write('Nothing to update as no change is requested\n');
    return;
  }
  const { target } = await openTarget(options.target, common, ctx);
  try {
    log.write(`Fetching ${reference}\n`);
    const { desc: oldDesc, bytes } = await fetchIndex(target, reference);
    const index = parseIndex(bytes, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES });
    log.write(`Fetched ${shortDigest(oldDesc)} ${reference}\n`);
    const manifests = [...index.manifests];
    const has = (digest: string) => manifests.some((m) => m.digest === digest);
    for (const add of adds) {
      log.write(`Fetching ${add}\n`);
      const entry = await indexEntry(target, add);
      if (!has(entry.digest)) manifests.push(entry);
      log.write(`Added ${shortDigest(entry)} ${add}\n`);
    }
    for (const merge of merges) {
      log.write(`Fetching ${merge}\n`);
      const { desc, bytes: other } = await fetchIndex(target, merge);
      for (const m of parseIndex(other, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES }).manifests)
        if (!has(m.digest)) manifests.push(m);
      log.write(`Merged ${shortDigest(desc)} ${merge}\n`);
    }
    for (const remove of removes) {
      if (!has(remove))
        throw new CliError(`${remove} does not exist in the index ${reference}`, {
          code: 'ORAS_ERR_NOT_FOUND',
        });
      for (let i = manifests.length - 1; i >= 0; i--)
        if (manifests[i]?.digest === remove) manifests.splice(i, 1);
      log.write(`Removed ${shortDigest({ digest: remove })} ${remove}\n`);
    }
    const updated: Index = { ...index, mediaType: index.mediaType ?? MediaType.ImageIndex, manifests };
    if (artifactType !== undefined) {
      if (artifactType === '') delete updated.artifactType;
      else updated.artifactType = artifactType;
    }
    if (annotations) updated.annotations = { ...(index.annotations ?? {}), ...annotations };
    const keep = isDigest(reference) ? undefined : reference;
    await pushOrWriteIndex(ctx, log, options.index, target, spec, updated, keep, tags, 'Updated');
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest index update ${raw}`);
  }
}
