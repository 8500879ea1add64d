/** The implementation of `oras manifest fetch`. */
import type { ReadOnlyTarget } from '@oras/content';
import { RemoteRepository } from '@oras/registry';
import { Annotation, type Descriptor, isDigest } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError } from '../../../errors.js';
import { resolvePlatform } from '../../../graph.js';
import { jsonOutput, writeDescriptor } from '../../../json.js';
import { fetchManifest } from '../../../manifests.js';
import { descriptorModel, writeResult } from '../../../output/metadata.js';
import { writeOutput } from '../../../stdio.js';
import { openReadOnlyTarget } from '../../../targets.js';
import type { ManifestFetchOptions } from './command.js';

/** Runs `oras manifest fetch`. */
export async function runManifestFetch(options: ManifestFetchOptions, ctx: CliContext): Promise<void> {
  const { common, output, descriptorOnly, pretty, format, platform, mediaTypes } = options;
  const { spec, reference, argument: raw } = options.target;
  const opened = await openReadOnlyTarget(options.target, common, ctx);
  let target: ReadOnlyTarget = opened.target;
  if (mediaTypes.length > 0 && opened.target instanceof RemoteRepository) {
    target = new RemoteRepository({ ...opened.target.options, manifestMediaTypes: [...mediaTypes] });
  }
  let desc: Descriptor;
  let bytes: Uint8Array | undefined;
  try {
    if (descriptorOnly && output === undefined) {
      try {
        desc = await resolvePlatform(target, reference, platform);
      } catch (error) {
        throw new CliError(`failed to find "${raw}": ${(error as Error).message}`, {
          code: (error as { code?: string }).code ?? 'ORAS_ERR_NOT_FOUND',
          cause: error,
        });
      }
    } else {
      try {
        ({ desc, bytes } = await fetchManifest(target, reference, platform));
      } catch (error) {
        throw new CliError(`failed to fetch the content of "${raw}": ${(error as Error).message}`, {
          code: (error as { code?: string }).code ?? 'ORAS_ERR_NOT_FOUND',
          cause: error,
        });
      }
    }
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest fetch ${raw}`);
  }
  // A layout's index.json names its tagged manifests; oras prints that name with the descriptor.
  if (spec.kind === 'oci-layout' && platform === undefined && !isDigest(reference)) {
    desc = { ...desc, annotations: { ...desc.annotations, [Annotation.RefName]: reference } };
  }
  // The content goes to the output file when one is named, else to stdout unless metadata is printed.
  if (bytes !== undefined) {
    if (output !== undefined && output !== '-') await writeOutput(ctx, output, bytes);
    else if (!descriptorOnly && format.type === 'text')
      await writeOutput(ctx, '-', jsonOutput(bytes, pretty));
  }
  if (descriptorOnly) {
    writeDescriptor(ctx, desc, pretty);
    return;
  }
  if (format.type !== 'text') {
    let content: unknown = null;
    if (bytes !== undefined) {
      try {
        content = JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        content = null;
      }
    }
    await writeResult(ctx, format, { ...descriptorModel(opened.name, desc), content }, () => '');
  }
}
