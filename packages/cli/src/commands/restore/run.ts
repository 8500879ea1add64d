/** The implementation of `oras restore`. */
import { stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { type CopyGraphOptions, copy } from '@oras/content';
import { OciLayoutStore } from '@oras/content/oci';
import { type Descriptor, ErrorCode } from '@oras/spec';
import { parseArtifactReferences, repositorySpec, resolveTags } from '../../artifact-references.js';
import type { CliContext } from '../../context.js';
import { CliError, goQuote } from '../../errors.js';
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
  const noTags = () =>
    new CliError(`no tags found in OCI layout "${input}"`, {
      hint: `If you want to list available tags in "${input}", use "oras repo tags --oci-layout"`,
    });
  let src: Awaited<ReturnType<typeof OciLayoutStore.openReadOnly>>;
  try {
    src = await OciLayoutStore.openReadOnly(inputPath);
  } catch (error) {
    // oras opens a folder as a layout even without its files (so: no tags), and refuses a tar
    // that holds none as an invalid layout
    if (info.isDirectory()) throw noTags();
    // no cause kept: the layout's not-found would read as a registry's answer
    throw new CliError(`invalid OCI Image Layout: ${(error as Error).message}`);
  }
  if (info.isFile())
    ctx.stdout.write(`Loaded backup archive: ${input} (${formatBytes(toBytes(info.size))})\n`);
  const { tags, roots } = await resolveTags(src, refs.tags);
  if (tags.length === 0) throw noTags();
  // as oras's restore text handler: up to 5 tags on the line, more one per line
  const shown = tags.map((t) => printable(t));
  ctx.stdout.write(
    shown.length <= 5
      ? `Found ${tags.length} tag(s) in the backup: ${shown.join(', ')}\n`
      : `Found ${tags.length} tag(s) in the backup:\n${shown.map((t) => `${t}\n`).join('')}`,
  );
  const repo = await openRepository(repositorySpec(refs), options.remote, common, ctx, {
    referrersCapability: options.referrersCapability,
    concurrency,
  });
  for (const [i, tag] of tags.entries()) {
    const node = roots[i] as Descriptor;
    const count = excludeReferrers ? 0 : await countReferrers(src, node);
    if (dryRun) {
      ctx.stdout.write(`Dry run: would push tag ${printable(tag)} with ${count} referrer(s)\n`);
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
    ctx.stdout.write(`Pushed tag ${printable(tag)} with ${count} referrer(s)\n`);
  }
  // oras's restore text handler (display/metadata/text/restore.go): the repository as %q
  const repository = goQuote(refs.repository);
  ctx.stdout.write(
    dryRun
      ? `Dry run complete: ${tags.length} tag(s) would be restored to ${repository} (no data pushed)\n`
      : `Successfully restored ${tags.length} tag(s) to ${repository} in ${formatDuration(Date.now() - started)}\n`,
  );
}
