/** The implementation of `oras repo tags`. */
import { isTagLister } from '@oras/content';
import { isDigest, parseDigest } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError } from '../../../errors.js';
import { writeListPages } from '../../../output/list.js';
import { openReadOnlyTarget } from '../../../targets.js';
import type { RepoTagsOptions } from './command.js';

/** Whether a tag looks like a digest (`sha256-<hex>`), as the referrers tag schema names its indexes. */
export function isDigestTag(tag: string): boolean {
  const i = tag.indexOf('-');
  if (i <= 0) return false;
  try {
    parseDigest(`${tag.slice(0, i)}:${tag.slice(i + 1)}`);
    return true;
  } catch {
    return false;
  }
}

/** Runs `oras repo tags`: each page is printed as it arrives (see `writeListPages`). */
export async function runRepoTags(options: RepoTagsOptions, ctx: CliContext): Promise<void> {
  const { common, format, excludeDigestTags, last } = options;
  const { spec, reference, argument: raw } = options.target;
  const { target } = await openReadOnlyTarget(options.target, common, ctx);
  if (!isTagLister(target)) throw new CliError(`${raw}: the target does not support tag listing`);
  const lister = target;
  try {
    let filter: string | undefined;
    if (reference !== undefined) {
      filter = isDigest(reference) ? reference : (await target.resolve(reference)).digest;
      ctx.stderr.write(`[Experimental] querying tags associated to ${filter}, it may take a while...\n`);
    }
    async function* selected(): AsyncGenerator<string[]> {
      for await (const page of lister.tags(last ? { last } : {})) {
        const kept: string[] = [];
        for (const tag of page) {
          if (excludeDigestTags && isDigestTag(tag)) continue;
          if (filter !== undefined && tag !== reference && (await lister.resolve(tag)).digest !== filter)
            continue;
          kept.push(tag);
        }
        yield kept;
      }
    }
    await writeListPages(ctx, format, {}, 'tags', selected());
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras repo tags ${raw}`);
  }
}
