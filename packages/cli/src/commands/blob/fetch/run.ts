/** The implementation of `oras blob fetch`. */
import { stat } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import type { ReadOnlyStorage } from '@oras/content';
import { RemoteRepository } from '@oras/registry';
import { type Descriptor, NotFoundError, parseDigest } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError } from '../../../errors.js';
import { writeDescriptor } from '../../../json.js';
import { progressMode } from '../../../options/common.js';
import type { TargetSpec } from '../../../options/target.js';
import { createReporter } from '../../../output/reporter.js';
import { DiscardStatusReporter, FETCH_PROMPTS, type StatusReporter } from '../../../output/status.js';
import { streamToFile, streamToStdout, tracked } from '../../../stdio.js';
import { openReadOnlyTarget } from '../../../targets.js';
import { blobDigest } from '../digest.js';
import type { BlobFetchOptions } from './command.js';

/**
 * Resolves a blob digest to its descriptor: `HEAD` on a registry; in an OCI layout directory, the
 * size of the blob file (the layout itself resolves only manifests it lists).
 */
export async function resolveBlob(target: object, spec: TargetSpec, digest: string): Promise<Descriptor> {
  if (target instanceof RemoteRepository) return target.blobs().resolve(digest);
  const layout = target as { resolve(ref: string): Promise<Descriptor> };
  try {
    const desc = await layout.resolve(digest);
    return { mediaType: 'application/octet-stream', digest, size: desc.size };
  } catch (error) {
    if (!NotFoundError.is(error) || spec.kind !== 'oci-layout') throw error;
  }
  const { algorithm, encoded } = parseDigest(digest);
  try {
    const info = await stat(join(resolvePath(spec.path), 'blobs', algorithm, encoded));
    return { mediaType: 'application/octet-stream', digest, size: info.size };
  } catch {
    throw new NotFoundError(`${spec.path}@${digest}: not found`);
  }
}

/** Runs `oras blob fetch`. */
export async function runBlobFetch(options: BlobFetchOptions, ctx: CliContext): Promise<void> {
  const { common, output } = options;
  const descriptorOnly = options.descriptor.descriptor;
  const { spec, argument: raw } = options.target;
  const digest = blobDigest(spec);
  const { target } = await openReadOnlyTarget(options.target, common, ctx);
  const storage: ReadOnlyStorage = target instanceof RemoteRepository ? target.blobs() : target;
  try {
    let desc: Descriptor;
    try {
      desc = await resolveBlob(target, spec, digest);
    } catch (error) {
      throw new CliError(`failed to resolve ${digest}: ${(error as Error).message}`, {
        code: (error as { code?: string }).code ?? 'ORAS_ERR_NOT_FOUND',
        cause: error,
      });
    }
    if (output !== undefined) {
      const mode = progressMode(common, ctx, output === '-');
      const reporter: StatusReporter =
        mode === 'tty' || mode === 'json'
          ? createReporter(mode, 'text', ctx, FETCH_PROMPTS)
          : new DiscardStatusReporter();
      try {
        const stream = tracked(await storage.fetch(desc), desc, reporter);
        if (output === '-') await streamToStdout(ctx, stream);
        else await streamToFile(ctx, output, stream);
      } finally {
        reporter.close();
      }
    }
    if (descriptorOnly) writeDescriptor(ctx, desc, options.descriptor.pretty);
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras blob fetch ${raw}`);
  }
}
