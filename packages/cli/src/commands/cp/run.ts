/**
 * The implementation of `oras cp`: copy a manifest (and with `-r` its referrers, including those
 * of an index's children) between registries and OCI layouts, mounting blobs across repositories
 * of one registry when both ends use the same credentials.
 */
import {
  type CopyGraphOptions,
  copy,
  copyGraph,
  DEFAULT_COPY_MAX_METADATA_BYTES,
  type Fetcher,
  resolveReference,
  successors,
} from '@oras/content';
import type { Descriptor } from '@oras/spec';
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { failedToResolve } from '../../errors.js';
import { copyWithReferrers } from '../../graph.js';
import { progressMode } from '../../options/common.js';
import { annotatedReference } from '../../options/target.js';
import { descriptorModel, writeResult } from '../../output/metadata.js';
import { createReporter } from '../../output/reporter.js';
import { COPY_PROMPTS, displayName, type StatusReporter } from '../../output/status.js';
import { reportingHooks, trackFetches } from '../../output/track.js';
import { openReadOnlyTarget, openTarget } from '../../targets.js';
import type { CopyOptions } from './command.js';

/** Runs `oras cp`. */
export async function runCopy(cp: CopyOptions, ctx: CliContext): Promise<void> {
  const { common, format, platform, recursive, concurrency } = cp;
  const from = cp.from.spec;
  const to = cp.to.spec;
  const srcRef = cp.from.reference;
  const src = await openReadOnlyTarget(cp.from, common, ctx, { concurrency });
  const dst = await openTarget(cp.to, common, ctx, { concurrency });
  // A blob can be mounted only within one registry and with the same credentials (oras #1903).
  const sameRegistry =
    from.kind === 'registry' &&
    to.kind === 'registry' &&
    from.reference.registry === to.reference.registry &&
    from.reference.repository !== to.reference.repository &&
    JSON.stringify(cp.from.remote) === JSON.stringify(cp.to.remote);
  const reporter = createReporter(progressMode(common, ctx), format.type, ctx, COPY_PROMPTS, common.verbose);
  const tracked = trackFetches(src.target, reporter);
  const options: CopyGraphOptions = {
    concurrency,
    ...successorStatus(
      reporter,
      sameRegistry && from.kind === 'registry' ? from.reference.repository : undefined,
    ),
  };
  const [firstTag, ...extraTags] = to.tags;
  const dstRef = firstTag ?? (to.kind === 'registry' ? to.reference.digest : to.reference);
  let root: Descriptor;
  try {
    if (!recursive && dstRef && !/^[a-z0-9]+:[a-f0-9]+$/i.test(dstRef)) {
      // as oras (oras.Copy, with the platform when given): copy() reads the source's root itself,
      // from a registry in one GET by tag whose bytes also choose the platform
      root = await copy(tracked, srcRef, dst.target, dstRef, {
        ...options,
        ...(platform ? { targetPlatform: platform } : {}),
      });
    } else {
      root = await copyResolved();
    }
  } catch (error) {
    throw withDockerHubHint(error, from, `oras cp ${cp.from.argument} ${cp.to.argument}`);
  }
  async function copyResolved(): Promise<Descriptor> {
    // as oras.Resolve: a HEAD, or with a platform one GET of the root whose bytes choose it
    const resolving = platform
      ? resolveReference(src.target, srcRef, { targetPlatform: platform })
      : src.target.resolve(srcRef);
    const root = await resolving.catch((error: unknown) => {
      throw failedToResolve(srcRef, error);
    });
    if (recursive) {
      await copyWithReferrers(tracked, dst.target, root, options);
      if (dstRef && dstRef !== root.digest) await dst.target.tag(root, dstRef);
    } else if (dstRef && dstRef !== root.digest) {
      await copy(tracked, srcRef, dst.target, dstRef, {
        ...options,
        ...(platform ? { targetPlatform: platform } : {}),
      });
    } else {
      await copyGraph(tracked, dst.target, root, options);
    }
    return root;
  }
  reporter.close();
  let text = `Copied ${annotatedReference(from)} => ${annotatedReference(to)}\n`;
  if (extraTags.length > 0) {
    text += `Tagging ${annotatedReference(to, `${dst.name}@${root.digest}`)}\n`;
    for (const tag of extraTags) {
      await dst.target.tag(root, tag);
      text += `Tagged ${tag}\n`;
    }
  }
  await writeResult(ctx, format, descriptorModel(dst.name, root), () => `${text}Digest: ${root.digest}\n`);
}

/**
 * The status hooks of a copy, as oras's copy handler prints them: every node copied, mounted (when
 * `mountFrom` is given) or already there, and, once a manifest is copied, `Skipped` for each of its
 * successors that no line has shown under its name yet (a second layer with the content of another).
 */
function successorStatus(reporter: StatusReporter, mountFrom: string | undefined): CopyGraphOptions {
  const hooks = reportingHooks(reporter, COPY_PROMPTS);
  // The last name shown for each digest, and the successors of the manifests being copied.
  const shown = new Map<string, string>();
  const successorsOf = new Map<string, Descriptor[]>();
  const show = (desc: Descriptor) => shown.set(desc.digest, displayName(desc));
  return {
    ...hooks,
    findSuccessors: async (fetcher: Fetcher, desc: Descriptor) => {
      const found = await successors(fetcher, desc, { maxBytes: DEFAULT_COPY_MAX_METADATA_BYTES });
      if (found.length > 0) successorsOf.set(desc.digest, found);
      return found;
    },
    postCopy: (desc) => {
      show(desc);
      for (const successor of successorsOf.get(desc.digest) ?? []) {
        if (shown.get(successor.digest) === displayName(successor)) continue;
        show(successor);
        reporter.mark(successor, COPY_PROMPTS.skipped);
      }
      successorsOf.delete(desc.digest);
      return hooks.postCopy?.(desc);
    },
    onCopySkipped: (desc) => {
      show(desc);
      return hooks.onCopySkipped?.(desc);
    },
    ...(mountFrom === undefined
      ? {}
      : {
          mountFrom: () => [mountFrom],
          onMounted: (desc: Descriptor) => {
            show(desc);
            reporter.mark(desc, COPY_PROMPTS.mounted);
          },
        }),
  };
}
