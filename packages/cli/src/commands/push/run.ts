/** The implementation of `oras push`. */
import { PackManifestVersion } from '@oras/content';
import { MediaType, type Platform } from '@oras/spec';
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { CliError } from '../../errors.js';
import { progressMode } from '../../options/common.js';
import { refuseTogether } from '../../options/flag-set.js';
import { loadAnnotations } from '../../options/packer.js';
import { annotatedReference } from '../../options/target.js';
import { pushModel, writeResult } from '../../output/metadata.js';
import { createReporter } from '../../output/reporter.js';
import { PUSH_PROMPTS } from '../../output/status.js';
import { exportManifest, type Packed, packFiles, uploadPacked } from '../../packing/pack-files.js';
import { openTarget } from '../../targets.js';
import type { PushOptions } from './command.js';

/** The config media type oras uses when none is given. */
export const UNKNOWN_CONFIG_MEDIA_TYPE = 'application/vnd.unknown.config.v1+json';

/** The platform config JSON `--artifact-platform` writes. */
export function platformConfig(p: Platform): Uint8Array {
  const doc: Record<string, string> = { architecture: p.architecture, os: p.os };
  if (p['os.version']) doc['os.version'] = p['os.version'];
  if (p.variant) doc.variant = p.variant;
  return new TextEncoder().encode(JSON.stringify(doc));
}

/** Runs `oras push`. */
export async function runPush(options: PushOptions, ctx: CliContext): Promise<void> {
  const { common, format, files, config, concurrency, disablePathValidation } = options;
  const { spec, argument } = options.target;
  const platform = options.artifactPlatform;
  let artifactType = options.artifactType;
  const imageSpec = options.imageSpec;
  // the checks of oras's PreRunE, in its order and words; then runPush's check of the platform
  let version: PackManifestVersion =
    imageSpec === 'v1.0' ? PackManifestVersion.V1_0 : PackManifestVersion.V1_1;
  if (config !== undefined && artifactType === '') {
    // a config without an artifact type asks for a v1.0 manifest (the OCI v1.1 artifact guidance)
    if (imageSpec === undefined) version = PackManifestVersion.V1_0;
    else if (imageSpec === 'v1.1') {
      throw new CliError('missing artifact type for OCI image-spec v1.1 artifacts', {
        hint: 'set an artifact type via `--artifact-type` or consider image spec v1.0',
      });
    }
  }
  refuseTogether([
    ['config', config !== undefined],
    ['artifact-platform', platform !== undefined],
  ]);
  if (version === PackManifestVersion.V1_0 && config !== undefined && artifactType !== '') {
    throw new CliError('--artifact-type and --config cannot both be provided for 1.0 OCI image');
  }
  // as oras: a v1.1 manifest without --config gets the unknown artifact type, also with
  // --artifact-platform (whose config is the platform's image config)
  if (version === PackManifestVersion.V1_1 && config === undefined && artifactType === '') {
    artifactType = 'application/vnd.unknown.artifact.v1';
  }
  if (version === PackManifestVersion.V1_0 && platform && artifactType !== '') {
    throw new CliError(
      'artifact type cannot be customized for OCI image-spec v1.0 when platform is specified',
      {
        hint: 'consider using image spec v1.1 or remove --artifact-type',
      },
    );
  }
  const annotations = await loadAnnotations(options.annotations, options.annotationFile);
  const reporter = createReporter(progressMode(common, ctx), format.type, ctx, PUSH_PROMPTS, common.verbose);
  try {
    if (files.length === 0 && format.type === 'text' && progressMode(common, ctx) === 'plain') {
      ctx.stdout.write('Uploading empty artifact\n');
    }
    const { target, name } = await openTarget(options.target, common, ctx, { concurrency });
    let packed: Packed;
    try {
      packed = await packFiles(
        {
          files,
          disablePathValidation,
          annotations,
          config,
          defaultConfigMediaType: UNKNOWN_CONFIG_MEDIA_TYPE,
          configBytes: platform
            ? { mediaType: MediaType.ImageConfig, bytes: platformConfig(platform) }
            : undefined,
          version,
          artifactType,
        },
        ctx,
        { target, reporter, prompts: PUSH_PROMPTS, concurrency },
      );
    } catch (error) {
      throw withDockerHubHint(error, spec, `oras push ${argument}`);
    }
    try {
      if (options.exportManifest !== undefined) await exportManifest(packed, options.exportManifest);
      const [first, ...extra] = spec.tags;
      try {
        await uploadPacked(packed, target, first, reporter, PUSH_PROMPTS, concurrency);
      } catch (error) {
        throw withDockerHubHint(error, spec, `oras push ${argument}`);
      }
      reporter.close();
      const root = packed.root;
      const text = format.type === 'text';
      // oras prints each extra tag as it is made, between `Pushed` and the digest
      if (text) ctx.stdout.write(`Pushed ${annotatedReference(spec)}\n`);
      try {
        for (const tag of extra) {
          await target.tag(root, tag);
          if (text) ctx.stdout.write(`Tagged ${tag}\n`);
        }
      } catch (error) {
        throw withDockerHubHint(error, spec, `oras push ${argument}`);
      }
      await writeResult(ctx, format, pushModel(name, root, spec.tags), () => {
        let lines = '';
        if (root.artifactType) lines += `ArtifactType: ${root.artifactType}\n`;
        return `${lines}Digest: ${root.digest}\n`;
      });
    } finally {
      await packed.store.close();
    }
  } finally {
    reporter.close();
  }
}
