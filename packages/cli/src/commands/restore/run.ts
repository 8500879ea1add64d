/** The implementation of `oras restore`. */
import { stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { type CopyGraphOptions, copy } from '@oras/content';
import { OciLayoutStore } from '@oras/content/oci';
import { type Descriptor, ErrorCode } from '@oras/spec';
import { parseArtifactReferences, repositorySpec, resolveTags } from '../../artifact-references.js';
import type { CliContext } from '../../context.js';
import { CliError } from '../../errors.js';
import { copyWithReferrers, countReferrers } from '../../graph.js';
import { progressMode } from '../../options/common.js';
import { printable } from '../../output/escape.js';
import { formatBytes, formatDuration, toBytes } from '../../output/humanize.js';
import { createReporter } from '../../output/reporter.js';
import type { Prompts } from '../../output/status.js';
import { reportingHooks } from '../../output/track.js';
import { openRepository } from '../../targets.js';
import { tagFailure } from '../backup/run.js';
import type { RestoreOptions } from './command.js';

/** The status prompts of restore, padded to 9 columns as backup's are: `Pushing  `, `Pushed   `. */
export const RESTORE_PROMPTS = {
  start: 'Pushing  ',
  done: 'Pushed   ',
  exists: 'Exists   ',
  skipped: 'Skipped  ',
} as const satisfies Prompts;

/** Runs `oras restore`. */
export async function runRestore(options: RestoreOptions, ctx: CliContext): Promise<void> {
  const started = Date.now();
  const { common, input, concurrency, excludeReferrers, dryRun } = options;
  if (input === '') throw new CliError('the input path cannot be empty');
  const refs = parseArtifactReferences(options.name);
  const inputPath = resolvePath(ctx.cwd, input);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(inputPath);
  } catch (error) {
    throw new CliError(`failed to access input path "${input}": ${(error as Error).message}`, {
      code: ErrorCode.NotFound,
      cause: error,
    });
  }
  const src = await OciLayoutStore.openReadOnly(inputPath);
  if (info.isFile())
    ctx.stdout.write(`Loaded backup archive: ${input} (${formatBytes(toBytes(info.size))})\n`);
  const { tags, roots } = await resolveTags(src, refs.tags);
  if (tags.length === 0) {
    throw new CliError(`no tags found in OCI layout "${input}"`, {
      hint: `If you want to list available tags in "${input}", use "oras repo tags --oci-layout"`,
    });
  }
  ctx.stdout.write(
    `Found ${tags.length} tag(s) in the backup: ${tags.map((t) => printable(t)).join(', ')}\n`,
  );
  const repo = await openRepository(repositorySpec(refs), options.remote, common, ctx, {
    referrersCapability: options.referrersCapability,
    concurrency,
  });
  for (const [i, tag] of tags.entries()) {
    const node = roots[i] as Descriptor;
    const count = excludeReferrers ? 0 : await countReferrers(src, node);
    if (dryRun) {
      ctx.stdout.write(`[Dry run] Would push tag ${printable(tag)} and ${count} referrer(s)\n`);
      continue;
    }
    const reporter = createReporter(progressMode(common, ctx), 'text', ctx, RESTORE_PROMPTS);
    try {
      const options: CopyGraphOptions = { concurrency, ...reportingHooks(reporter, RESTORE_PROMPTS) };
      if (excludeReferrers) {
        await copy(src, tag, repo, tag, options);
      } else {
        await copyWithReferrers(src, repo, node, options);
        await repo.tag(node, tag);
      }
    } catch (error) {
      const failure = tagFailure(error);
      throw new CliError(
        `failed to restore tag "${printable(tag)}" from "${input}" to "${refs.repository}": ${failure.message}`,
        {
          code: (failure as { code?: string }).code ?? ErrorCode.Unknown,
          cause: failure,
        },
      );
    } finally {
      reporter.close();
    }
    ctx.stdout.write(`Pushed tag ${printable(tag)} and ${count} referrer(s)\n`);
  }
  const verb = dryRun ? 'Dry run finished: would restore' : 'Successfully restored';
  ctx.stdout.write(
    `${verb} ${tags.length} tag(s) to ${refs.repository} in ${formatDuration(Date.now() - started)}\n`,
  );
}
