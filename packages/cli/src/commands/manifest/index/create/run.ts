/** The implementation of `oras manifest index create`. */
import { type Descriptor, type Index, MediaType } from '@oras/spec';
import type { CliContext } from '../../../../context.js';
import { withDockerHubHint } from '../../../../docker-hub.js';
import { annotatedReference } from '../../../../options/target.js';
import { INDEX_PROMPTS } from '../../../../output/status.js';
import { openTarget } from '../../../../targets.js';
import { indexEntry } from '../index-entries.js';
import { indexLog, PACKED, pushOrWriteIndex } from '../push-index.js';
import type { IndexCreateOptions } from './command.js';

/** Runs `oras manifest index create`. */
export async function runIndexCreate(options: IndexCreateOptions, ctx: CliContext): Promise<void> {
  const { common, sources } = options;
  const { spec, reference: own, argument: raw } = options.target;
  const { annotations, artifactType } = options.index;
  const log = indexLog(ctx, options.index.output);
  const { target } = await openTarget(options.target, common, ctx);
  try {
    const manifests: Descriptor[] = [];
    for (const source of sources) {
      log.fetching(source);
      const entry = await indexEntry(target, source);
      log.found(INDEX_PROMPTS.fetched, source, entry);
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
      options.index,
      target,
      index,
      own,
      spec.tags.filter((t) => t !== own),
      PACKED,
      annotatedReference(spec),
    );
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest index create ${raw}`);
  }
}
