/** The implementation of `oras attach`: an image-spec v1.1 manifest whose subject is the artifact. */
import { PackManifestVersion, selectPlatform } from '@oras/content';
import type { Descriptor } from '@oras/spec';
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { CliError } from '../../errors.js';
import { progressMode } from '../../options/common.js';
import { loadAnnotations } from '../../options/packer.js';
import { annotatedReference } from '../../options/target.js';
import { descriptorModel, writeResult } from '../../output/metadata.js';
import { createReporter } from '../../output/reporter.js';
import { PUSH_PROMPTS, type StatusReporter } from '../../output/status.js';
import { exportManifest, type Packed, packFiles, uploadPacked } from '../../packing/pack-files.js';
import { openTarget } from '../../targets.js';
import type { AttachOptions } from './command.js';

/** Runs `oras attach`. */
export async function runAttach(options: AttachOptions, ctx: CliContext): Promise<void> {
  const { common, format, artifactType, platform, files, concurrency, disablePathValidation } = options;
  const { spec, reference, argument } = options.target;
  const annotations = await loadAnnotations(options.annotations, options.annotationFile);
  if (files.length === 0 && Object.keys(annotations.manifest).length === 0) {
    throw new CliError('neither file nor annotation provided in the command', {
      usage:
        'oras attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} {<file>[:<layer_media_type>]|--annotation <key>=<value>} [...]',
      hint: 'To attach to an existing artifact, please provide files via argument or annotations via flag "--annotation". Run "oras attach -h" for more options and examples',
    });
  }
  const { target, name } = await openTarget(options.target, common, ctx, { concurrency });
  let subject: Descriptor;
  try {
    subject = await target.resolve(reference);
    if (platform) subject = await selectPlatform(target, subject, platform);
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras attach ${argument}`);
  }
  const reporter = createReporter(progressMode(common, ctx), format.type, ctx, PUSH_PROMPTS, common.verbose);
  let packed: Packed;
  try {
    packed = await packFiles(
      {
        files,
        disablePathValidation,
        annotations,
        config: options.config,
        version: PackManifestVersion.V1_1,
        artifactType,
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      },
      ctx,
      { target, reporter, prompts: PUSH_PROMPTS, concurrency },
    );
  } catch (error) {
    reporter.close();
    throw withDockerHubHint(error, spec, `oras attach ${argument}`);
  }
  try {
    if (options.exportManifest !== undefined) await exportManifest(packed, options.exportManifest);
    await uploadPacked(
      packed,
      target,
      undefined,
      withoutSubject(reporter, subject),
      PUSH_PROMPTS,
      concurrency,
    );
    reporter.close();
    const root = packed.root;
    const subjectRef = spec.raw.endsWith(subject.digest) ? spec.raw : `${name}@${subject.digest}`;
    await writeResult(ctx, format, descriptorModel(name, root), () => {
      return `Attached to ${annotatedReference(spec, subjectRef)}\nDigest: ${root.digest}\n`;
    });
  } finally {
    reporter.close();
    await packed.store.close();
  }
}

/**
 * `reporter` without the `Exists` line of the subject: the copy finds the subject (a successor of
 * the new manifest) already in the repository, where oras skips it and prints nothing.
 */
function withoutSubject(reporter: StatusReporter, subject: Descriptor): StatusReporter {
  return {
    start: (desc) => reporter.start(desc),
    progress: (desc, offset) => reporter.progress(desc, offset),
    done: (desc) => reporter.done(desc),
    mark: (desc, prompt) => {
      if (desc.digest !== subject.digest) reporter.mark(desc, prompt);
    },
    close: () => reporter.close(),
    ...(reporter.transfer ? { transfer: reporter.transfer.bind(reporter) } : {}),
  };
}
