/** The implementation of `oras manifest index create`. */
import { type Descriptor, type Index, isDigest, MediaType } from '@oras/spec';
import type { CliContext } from '../../../../context.js';
import { withDockerHubHint } from '../../../../docker-hub.js';
import { CliError } from '../../../../errors.js';
import { listArg, stringArg } from '../../../../options/args.js';
import { parseCommon } from '../../../../options/common.js';
import { parseTarget } from '../../../../options/target.js';
import { shortDigest } from '../../../../output/status.js';
import { openTarget } from '../../../../targets.js';
import { indexEntry, parseAnnotations } from '../index-entries.js';
import { pushOrWriteIndex } from '../push-index.js';

/** Runs `oras manifest index create`. */
export async function runIndexCreate(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const raw = String(argv.name);
  const spec = parseTarget(raw, argv, { form: '<registry>/<repo>[:<tag>[,<tag>][...]]', allowTags: true });
  const own = spec.kind === 'registry' ? spec.reference.reference : spec.reference;
  if (own !== undefined && isDigest(own))
    throw new CliError(`${raw}: an index to create cannot be named by a digest`);
  const sources = listArg(argv, 'sources');
  const annotations = parseAnnotations(listArg(argv, 'annotation'));
  const artifactType = stringArg(argv, 'artifact-type');
  const log = stringArg(argv, 'output') === '-' ? ctx.stderr : ctx.stdout;
  const { target } = await openTarget(spec, argv, common, ctx);
  try {
    const manifests: Descriptor[] = [];
    for (const source of sources) {
      log.write(`Fetching ${source}\n`);
      const entry = await indexEntry(target, source);
      log.write(`Fetched ${shortDigest(entry)} ${source}\n`);
      manifests.push(entry);
    }
    const index: Index = {
      schemaVersion: 2,
      mediaType: MediaType.ImageIndex,
      ...(artifactType ? { artifactType } : {}),
      manifests,
      ...(annotations ? { annotations } : {}),
    };
    await pushOrWriteIndex(
      ctx,
      log,
      argv,
      target,
      spec,
      index,
      own,
      spec.tags.filter((t) => t !== own),
      'Packed',
    );
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest index create ${raw}`);
  }
}
