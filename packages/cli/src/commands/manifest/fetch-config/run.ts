/** The implementation of `oras manifest fetch-config`. */
import { readAll } from '@oras/content';
import { type Descriptor, isIndexMediaType, validateDescriptor } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError } from '../../../errors.js';
import { jsonOutput, parseJsonObject, writeDescriptor } from '../../../json.js';
import { DEFAULT_MAX_MANIFEST_BYTES, fetchManifest } from '../../../manifests.js';
import { streamToFile, streamToStdout, writeOutput } from '../../../stdio.js';
import { openReadOnlyTarget } from '../../../targets.js';
import type { ManifestFetchConfigOptions } from './command.js';

/** Runs `oras manifest fetch-config`. */
export async function runManifestFetchConfig(
  options: ManifestFetchConfigOptions,
  ctx: CliContext,
): Promise<void> {
  const { common, output, descriptorOnly, platform } = options;
  const pretty = options.pretty && (output === undefined || output === '-');
  const { spec, reference, argument: raw } = options.target;
  const { target } = await openReadOnlyTarget(options.target, common, ctx);
  let config: Descriptor;
  try {
    const { desc, bytes } = await fetchManifest(target, reference, platform);
    if (isIndexMediaType(desc.mediaType)) {
      throw new CliError(`${raw}: ${desc.mediaType}: an index has no config`, {
        hint: 'use --platform to choose one of its manifests',
      });
    }
    const doc = parseJsonObject(bytes, `${raw}: manifest`);
    try {
      validateDescriptor(doc.config);
    } catch (error) {
      throw new CliError(`${raw}: manifest has no valid config: ${(error as Error).message}`, {
        cause: error,
      });
    }
    config = doc.config as Descriptor;
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest fetch-config ${raw}`);
  }
  if (descriptorOnly && output === undefined) {
    writeDescriptor(ctx, config, pretty);
    return;
  }
  if (pretty) {
    const bytes = await readAll(await target.fetch(config), config, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES });
    await writeOutput(ctx, '-', jsonOutput(bytes, true));
  } else if (output !== undefined && output !== '-') {
    await streamToFile(ctx, output, await target.fetch(config));
  } else if (!descriptorOnly) {
    await streamToStdout(ctx, await target.fetch(config));
  }
  if (descriptorOnly) writeDescriptor(ctx, config, options.pretty);
}
