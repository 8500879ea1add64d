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
import { parseCommon, progressMode } from '../../options/common.js';
import { platformArg } from '../../options/platform.js';
import { parseTarget, requireReference } from '../../options/target.js';
import { createReporter } from '../../output/reporter.js';
import { DiscardStatusReporter, PULL_PROMPTS, type StatusReporter } from '../../output/status.js';
import { streamToStdout, tracked } from '../../stdio.js';
import { openReadOnlyTarget } from '../../targets.js';

const FORM = '<registry>/<repo>{:<tag>|@<digest>}';

/** The layers of a manifest that carry content (the empty JSON descriptor is not one). */
export function contentLayers(manifest: Record<string, unknown>): Descriptor[] {
  const layers = Array.isArray(manifest.layers) ? (manifest.layers as Descriptor[]) : [];
  return layers.filter((d) => !descriptorsEqual(d, EMPTY_DESCRIPTOR));
}

/** Runs `oras pull <ref> -o -`: streams the artifact's single layer to stdout. */
export async function pullToStdout(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  if (argv.format !== undefined || argv.template !== undefined) {
    throw new CliError('`--output -` cannot be used with `--format` at the same time');
  }
  const raw = String(argv.name);
  const spec = parseTarget(raw, argv, { form: FORM });
  const reference = requireReference(spec, FORM);
  const { target } = await openReadOnlyTarget(spec, argv, common, ctx);
  let layer: Descriptor;
  try {
    const { desc, bytes } = await fetchManifest(target, reference, platformArg(argv));
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
