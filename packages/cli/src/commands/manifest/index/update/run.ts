/** The implementation of `oras manifest index update`. */
import { type Index, isDigest, isIndexMediaType, MediaType, parseIndex } from '@oras/spec';
import type { CliContext } from '../../../../context.js';
import { withDockerHubHint } from '../../../../docker-hub.js';
import { CliError } from '../../../../errors.js';
import { DEFAULT_MAX_MANIFEST_BYTES, fetchManifest } from '../../../../manifests.js';
import { listArg, stringArg } from '../../../../options/args.js';
import { parseCommon } from '../../../../options/common.js';
import { parseTarget, requireReference } from '../../../../options/target.js';
import { shortDigest } from '../../../../output/status.js';
import { openTarget } from '../../../../targets.js';
import { indexEntry, parseAnnotations } from '../index-entries.js';
import { pushOrWriteIndex } from '../push-index.js';

/** Runs `oras manifest index update`. */
export async function runIndexUpdate(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const raw = String(argv.name);
  const form = '<registry>/<repo>{:<tag>|@<digest>}';
  const spec = parseTarget(raw, argv, { form });
  const reference = requireReference(spec, form);
  const tags = listArg(argv, 'tag');
  const output = stringArg(argv, 'output');
  if (tags.length > 0 && output !== undefined) throw new CliError('--tag cannot be used with --output');
  const removes = listArg(argv, 'remove');
  for (const r of removes) {
    if (!isDigest(r)) throw new CliError(`--remove ${r}: use the digest of the manifest to remove`);
  }
  const adds = listArg(argv, 'add');
  const merges = listArg(argv, 'merge');
  const annotations = parseAnnotations(listArg(argv, 'annotation'));
  const log = output === '-' ? ctx.stderr : ctx.stdout;
  const { target } = await openTarget(spec, argv, common, ctx);
  try {
    log.write(`Fetching ${reference}\n`);
    const { desc: oldDesc, bytes } = await fetchManifest(target, reference);
    if (!isIndexMediaType(oldDesc.mediaType))
      throw new CliError(`${raw} is not an index: ${oldDesc.mediaType}`);
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
      const { desc, bytes: other } = await fetchManifest(target, merge);
      if (!isIndexMediaType(desc.mediaType))
        throw new CliError(`${merge} is not an index: ${desc.mediaType}`);
      for (const m of parseIndex(other, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES }).manifests)
        if (!has(m.digest)) manifests.push(m);
      log.write(`Merged ${shortDigest(desc)} ${merge}\n`);
    }
    for (const remove of removes) {
      if (!has(remove))
        throw new CliError(`${remove}: not found in the index ${raw}`, { code: 'ORAS_ERR_NOT_FOUND' });
      for (let i = manifests.length - 1; i >= 0; i--)
        if (manifests[i]?.digest === remove) manifests.splice(i, 1);
      log.write(`Removed ${shortDigest({ digest: remove })} ${remove}\n`);
    }
    const updated: Index = { ...index, mediaType: index.mediaType ?? MediaType.ImageIndex, manifests };
    if (argv['artifact-type'] !== undefined) {
      const type = stringArg(argv, 'artifact-type') ?? '';
      if (type === '') delete updated.artifactType;
      else updated.artifactType = type;
    }
    if (annotations) updated.annotations = { ...(index.annotations ?? {}), ...annotations };
    const keep = isDigest(reference) ? undefined : reference;
    await pushOrWriteIndex(ctx, log, argv, target, spec, updated, keep, tags, 'Updated');
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest index update ${raw}`);
  }
}
