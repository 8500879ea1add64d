/** The implementation of `oras backup`, and what `oras restore` shares with it. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve as resolvePath } from 'node:path';
import { type CopyGraphOptions, copyGraph } from '@oras/content';
import { OciLayoutStore, writeLayoutTar } from '@oras/content/oci';
import { type Descriptor, ErrorCode, isIndexMediaType, OrasError } from '@oras/spec';
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
import type { BackupOptions } from './command.js';

/**
 * The status prompts of backup, padded to 9 columns as oras 1.3 pads them (`backupPrompt*` of
 * cmd/oras/internal/display/status/utils.go): `Pulling  `, `Pulled   `, `Exists   `.
 */
export const BACKUP_PROMPTS = {
  start: 'Pulling  ',
  done: 'Pulled   ',
  exists: 'Exists   ',
  skipped: 'Skipped  ',
} as const satisfies Prompts;

/** A tag of the referrers tag schema, `<alg>-<hex>`: the index of the referrers of `<alg>:<hex>`. */
const REFERRERS_TAG = /^(sha256)-([0-9a-f]{64})$|^(sha512)-([0-9a-f]{128})$/;

/**
 * The subject a referrers tag-schema index is about, when the repository no longer has it: such a
 * tag is left behind when a subject is deleted, and its referrers cannot be copied without it.
 */
async function goneSubject(
  repo: { resolve(reference: string): Promise<Descriptor> },
  tag: string,
  desc: Descriptor,
): Promise<string | undefined> {
  const m = REFERRERS_TAG.exec(tag);
  if (!m || !isIndexMediaType(desc.mediaType)) return undefined;
  const subject = `${m[1] ?? m[3]}:${m[2] ?? m[4]}`;
  try {
    await repo.resolve(subject);
    return undefined;
  } catch (error) {
    if ((error as { code?: string }).code === ErrorCode.NotFound) return subject;
    throw error;
  }
}

/**
 * The error a tag failed with, for a message of the command's own: a copy error stands for the
 * error inside it (as oras unwraps it), so the registry's answer keeps oras's prefix and the
 * command's context (`failed to back up tag ...`) stays in the message.
 */
export function tagFailure(error: unknown): Error {
  const inner = OrasError.is(error) && error.code === ErrorCode.Copy ? (error.cause ?? error) : error;
  return inner instanceof Error ? inner : new Error(String(inner));
}

/** Whether something exists at `path`. */
async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

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
  // A folder this run creates is removed again if the backup fails; one that was there is left.
  const createsOutput = toTar || !(await exists(outputPath));
  const root = toTar ? await mkdtemp(join(tmpdir(), 'oras-backup-')) : outputPath;
  let done = false;
  try {
    const { tags: found, roots: foundRoots } = await resolveTags(repo, refs.tags);
    if (found.length === 0) {
      throw new CliError(`no tags found in repository "${refs.repository}"`, {
        hint: `If you want to list available tags in "${refs.repository}", use "oras repo tags"`,
      });
    }
    ctx.stdout.write(
      `Found ${found.length} tag(s) in ${refs.repository}: ${found.map((t) => printable(t)).join(', ')}\n`,
    );
    const tags: string[] = [];
    const roots: Descriptor[] = [];
    for (const [i, tag] of found.entries()) {
      const node = foundRoots[i] as Descriptor;
      const subject = await goneSubject(repo, tag, node);
      if (subject === undefined) {
        tags.push(tag);
        roots.push(node);
        continue;
      }
      ctx.stdout.write(
        `Skipped tag ${printable(tag)}: a referrers index whose subject ${subject} is no longer in the repository\n`,
      );
    }
    if (tags.length === 0) throw new CliError(`no tags to back up in repository "${refs.repository}"`);
    const store = await OciLayoutStore.open(root);
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
        const failure = tagFailure(error);
        throw new CliError(
          `failed to back up tag "${printable(tag)}" from "${refs.repository}" to "${output}": ${failure.message}`,
          {
            code: (failure as { code?: string }).code ?? ErrorCode.Unknown,
            cause: failure,
          },
        );
      } finally {
        reporter.close();
      }
      ctx.stdout.write(`Pulled tag ${printable(tag)} and ${count} referrer(s)\n`);
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
    done = true;
  } finally {
    if (toTar) await rm(root, { recursive: true, force: true });
    else if (!done && createsOutput) await rm(outputPath, { recursive: true, force: true });
  }
}
