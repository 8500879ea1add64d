/**
 * `oras pull -o -`: the one layer of an artifact, streamed to stdout, so that
 * `oras pull localhost:5000/site:v1 -o - | tar x` works. Nothing else is written to stdout; a live
 * progress display goes to stderr only on a terminal.
 */
import { type Descriptor, descriptorsEqual, EMPTY_DESCRIPTOR, isIndexMediaType } from '@oras/spec';
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { CliError } from '../../errors.js';
import { parseJsonObject } from '../../json.js';
import { fetchManifest } from '../../manifests.js';
import { progressMode } from '../../options/common.js';
import { createReporter } from '../../output/reporter.js';
import { DiscardStatusReporter, PULL_PROMPTS, type StatusReporter } from '../../output/status.js';
import { streamToStdout, tracked } from '../../stdio.js';
import { openReadOnlyTarget } from '../../targets.js';
import type { PullOptions } from './command.js';

/** The layers of a manifest that carry content (the empty JSON descriptor is not one). */
export function contentLayers(manifest: Record<string, unknown>): Descriptor[] {
  const layers = Array.isArray(manifest.layers) ? (manifest.layers as Descriptor[]) : [];
  return layers.filter((d) => !descriptorsEqual(d, EMPTY_DESCRIPTOR));
}

/** Runs `oras pull <ref> -o -`: streams the artifact's single layer to stdout. */
export async function pullToStdout(options: PullOptions, ctx: CliContext): Promise<void> {
  const { common, platform } = options;
  const { spec, reference, argument: raw } = options.target;
  const { target } = await openReadOnlyTarget(options.target, common, ctx);
  let layer: Descriptor;
  try {
    const { desc, bytes } = await fetchManifest(target, reference, platform);
    if (isIndexMediaType(desc.mediaType)) {
      throw new CliError(`${raw}: is an index; \`--output -\` needs one artifact`, {
        hint: 'choose one with --platform',
      });
    }
    const layers = contentLayers(parseJsonObject(bytes, raw));
    if (layers.length !== 1) {
      throw new CliError(
        `${raw}: \`--output -\` needs an artifact of exactly one layer, this one has ${layers.length}`,
        {
          hint: 'pull into a directory instead, or fetch one layer with "oras blob fetch -o - <name>@<digest>"',
        },
      );
    }
    layer = layers[0] as Descriptor;
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras pull ${raw}`);
  }
  const mode = progressMode(common, ctx, true);
  const reporter: StatusReporter =
    mode === 'tty' || mode === 'json'
      ? createReporter(mode, 'text', ctx, PULL_PROMPTS)
      : new DiscardStatusReporter();
  try {
    await streamToStdout(ctx, tracked(await target.fetch(layer), layer, reporter));
  } finally {
    reporter.close();
  }
}
