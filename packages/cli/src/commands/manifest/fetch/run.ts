/** The implementation of `oras manifest fetch`. */
import type { ReadOnlyTarget } from '@oras/content';
import { RemoteRepository } from '@oras/registry';
import type { Descriptor } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError } from '../../../errors.js';
import { resolvePlatform } from '../../../graph.js';
import { jsonOutput, writeDescriptor } from '../../../json.js';
import { fetchManifest } from '../../../manifests.js';
import { exclusive, listArg, stringArg } from '../../../options/args.js';
import { parseCommon } from '../../../options/common.js';
import { type FormatOptions, parseFormat } from '../../../options/format.js';
import { platformArg } from '../../../options/platform.js';
import { parseTarget, requireReference } from '../../../options/target.js';
import { descriptorModel, writeResult } from '../../../output/metadata.js';
import { writeOutput } from '../../../stdio.js';
import { openReadOnlyTarget } from '../../../targets.js';
import { MANIFEST_FETCH_FORMATS } from './command.js';

const FORM = '<registry>/<repo>{:<tag>|@<digest>}';

/** The `--media-type` values, comma-separated or repeated. */
export function mediaTypesArg(argv: Record<string, unknown>): string[] {
  return listArg(argv, 'media-type')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Runs `oras manifest fetch`. */
export async function runManifestFetch(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const output = stringArg(argv, 'output');
  const descriptorOnly = argv.descriptor === true;
  const formatGiven = argv.format !== undefined || argv.template !== undefined;
  if (output === '-' && formatGiven) {
    throw new CliError(
      `\`--output -\` cannot be used with \`--format ${String(argv.format ?? 'go-template')}\` at the same time`,
    );
  }
  if (output === '-' && descriptorOnly)
    throw new CliError('`--descriptor` cannot be used with `--output -` at the same time');
  exclusive(argv, 'format', 'pretty');
  exclusive(argv, 'format', 'descriptor');
  const pretty = argv.pretty === true && (output === undefined || output === '-');
  const format: FormatOptions = formatGiven ? parseFormat(argv, MANIFEST_FETCH_FORMATS) : { type: 'text' };
  const spec = parseTarget(String(argv.name), argv, { form: FORM });
  const reference = requireReference(spec, FORM);
  const platform = platformArg(argv);
  const mediaTypes = mediaTypesArg(argv);
  if (spec.kind === 'oci-layout' && mediaTypes.length > 0) {
    throw new CliError('`--media-type` cannot be used with `--oci-layout` at the same time');
  }
  const opened = await openReadOnlyTarget(spec, argv, common, ctx);
  let target: ReadOnlyTarget = opened.target;
  if (mediaTypes.length > 0 && opened.target instanceof RemoteRepository) {
    target = new RemoteRepository({ ...opened.target.options, manifestMediaTypes: mediaTypes });
  }
  const raw = String(argv.name);
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
    writeResult(ctx, format, { ...descriptorModel(opened.name, desc), content }, () => '');
  }
}
