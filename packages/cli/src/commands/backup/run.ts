/** The implementation of `oras backup`, and what `oras restore` shares with it. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve as resolvePath } from 'node:path';
import { type CopyGraphOptions, copyGraph } from '@oras/content';
import { OciLayoutStore, writeLayoutTar } from '@oras/content/oci';
import { type Descriptor, ErrorCode } from '@oras/spec';
import { parseArtifactReferences, repositorySpec, resolveTags } from '../../artifact-references.js';
import type { CliContext } from '../../context.js';
import { CliError } from '../../errors.js';
import { copyWithReferrers, countReferrers } from '../../graph.js';
import { progressMode } from '../../options/common.js';
import { formatBytes, formatDuration, toBytes } from '../../output/humanize.js';
import { createReporter } from '../../output/reporter.js';
import type { Prompts } from '../../output/status.js';
import { reportingHooks } from '../../output/track.js';
import { openRepository } from '../../targets.js';
import type { BackupOptions } from './command.js';

/** The status prompts of backup. */
export const BACKUP_PROMPTS = {
  start: 'Pulling',
  done: 'Pulled ',
  exists: 'Exists ',
  skipped: 'Skipped',
} as const satisfies Prompts;

/** Runs `oras backup`. */
export async function runBackup(options: BackupOptions, ctx: CliContext): Promise<void> {
  const started = Date.now();
  const { common, output, concurrency, includeReferrers } = options;
  if (output === '') throw new CliError('the output path cannot be empty');
  const refs = parseArtifactReferences(options.name);
  const outputPath = resolvePath(ctx.cwd, output);
  const toTar = extname(output).toLowerCase() === '.tar';
  if (toTar) {
    const info = await stat(outputPath).catch(() => undefined);
    if (info?.isDirectory()) {
      throw new CliError(`the output path "${output}" already exists and is a directory`, {
        hint: 'To back up to a tar archive, please specify a different output file name or remove the existing directory.',
      });
    }
  }
  const repo = await openRepository(repositorySpec(refs), options.remote, common, ctx, {
    referrersCapability: options.referrersCapability,
    concurrency,
  });
  const root = toTar ? await mkdtemp(join(tmpdir(), 'oras-backup-')) : outputPath;
  try {
    const store = await OciLayoutStore.open(root);
    const { tags, roots } = await resolveTags(repo, refs.tags);
    if (tags.length === 0) {
      throw new CliError(`no tags found in repository "${refs.repository}"`, {
        hint: `If you want to list available tags in "${refs.repository}", use "oras repo tags"`,
      });
    }
    ctx.stdout.write(`Found ${tags.length} tag(s) in ${refs.repository}: ${tags.join(', ')}\n`);
    for (const [i, tag] of tags.entries()) {
      const node = roots[i] as Descriptor;
      const reporter = createReporter(progressMode(common, ctx), 'text', ctx, BACKUP_PROMPTS);
      let count = 0;
      try {
        const options: CopyGraphOptions = { concurrency, ...reportingHooks(reporter, BACKUP_PROMPTS) };
        if (includeReferrers) {
          await copyWithReferrers(repo, store, node, options);
          count = await countReferrers(store, node);
        } else {
          await copyGraph(repo, store, node, options);
        }
        await store.tag(node, tag);
      } catch (error) {
        throw new CliError(
          `failed to back up tag "${tag}" from "${refs.repository}" to "${output}": ${(error as Error).message}`,
          {
            code: (error as { code?: string }).code ?? ErrorCode.Unknown,
            cause: error,
          },
        );
      } finally {
        reporter.close();
      }
      ctx.stdout.write(`Pulled tag ${tag} and ${count} referrer(s)\n`);
    }
    await rm(join(root, 'ingest'), { recursive: true, force: true });
    if (toTar) {
      ctx.stdout.write(`Exporting to ${output}\n`);
      try {
        const size = await writeLayoutTar(root, outputPath);
        ctx.stdout.write(`Exported to ${output} (${formatBytes(toBytes(size))})\n`);
      } catch (error) {
        await rm(outputPath, { force: true });
        throw error;
      }
    }
    ctx.stdout.write(
      `Successfully backed up ${tags.length} tag(s) from ${refs.repository} to ${output} in ${formatDuration(Date.now() - started)}\n`,
    );
  } finally {
    if (toTar) await rm(root, { recursive: true, force: true });
  }
}
