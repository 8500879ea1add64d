/** The implementation of `oras repo tags`. */
import { isTagLister } from '@oras/content';
import { isDigest, parseDigest } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError } from '../../../errors.js';
import { printable } from '../../../output/escape.js';
import { writeResult } from '../../../output/metadata.js';
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

/** Runs `oras repo tags`. */
export async function runRepoTags(options: RepoTagsOptions, ctx: CliContext): Promise<void> {
  const { common, format, excludeDigestTags, last } = options;
  const { spec, reference, argument: raw } = options.target;
  const { target } = await openReadOnlyTarget(options.target, common, ctx);
  if (!isTagLister(target)) throw new CliError(`${raw}: the target does not support tag listing`);
  const tags: string[] = [];
  try {
    let filter: string | undefined;
    if (reference !== undefined) {
      filter = isDigest(reference) ? reference : (await target.resolve(reference)).digest;
      ctx.stderr.write(`[Experimental] querying tags associated to ${filter}, it may take a while...\n`);
    }
    for await (const page of target.tags(last ? { last } : {})) {
      for (const tag of page) {
        if (excludeDigestTags && isDigestTag(tag)) continue;
        if (filter !== undefined && tag !== reference && (await target.resolve(tag)).digest !== filter)
          continue;
        tags.push(tag);
        if (format.type === 'text') ctx.stdout.write(`${printable(tag)}\n`);
      }
    }
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras repo tags ${raw}`);
  }
  if (format.type !== 'text') writeResult(ctx, format, { tags }, () => '');
}
