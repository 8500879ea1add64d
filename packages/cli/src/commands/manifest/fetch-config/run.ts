/** The implementation of `oras manifest fetch-config`. */
import { readAll } from '@oras/content';
import { type Descriptor, isIndexMediaType, validateDescriptor } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError } from '../../../errors.js';
import { jsonOutput, parseJsonObject, writeDescriptor } from '../../../json.js';
import { DEFAULT_MAX_MANIFEST_BYTES, fetchManifest } from '../../../manifests.js';
import { stringArg } from '../../../options/args.js';
import { parseCommon } from '../../../options/common.js';
import { platformArg } from '../../../options/platform.js';
import { parseTarget, requireReference } from '../../../options/target.js';
import { streamToFile, streamToStdout, writeOutput } from '../../../stdio.js';
import { openReadOnlyTarget } from '../../../targets.js';

const FORM = '<registry>/<repo>{:<tag>|@<digest>}';

/** Runs `oras manifest fetch-config`. */
export async function runManifestFetchConfig(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const output = stringArg(argv, 'output');
  const descriptorOnly = argv.descriptor === true;
  if (output === '-' && descriptorOnly)
    throw new CliError('`--descriptor` cannot be used with `--output -` at the same time');
  const pretty = argv.pretty === true && (output === undefined || output === '-');
  const spec = parseTarget(String(argv.name), argv, { form: FORM });
  const reference = requireReference(spec, FORM);
  const platform = platformArg(argv);
  const { target } = await openReadOnlyTarget(spec, argv, common, ctx);
  const raw = String(argv.name);
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
  if (descriptorOnly) writeDescriptor(ctx, config, argv.pretty === true);
}
