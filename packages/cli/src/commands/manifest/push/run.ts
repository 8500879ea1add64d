import { descriptorFromBytes } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError, goQuote } from '../../../errors.js';
import { parseJsonObject, writeDescriptor } from '../../../json.js';
import {
  alreadyThere,
  DEFAULT_MAX_MANIFEST_BYTES,
  manifestTarget,
  pushManifestAs,
  tagAll,
} from '../../../manifests.js';
import { progressMode } from '../../../options/common.js';
import { annotatedReference } from '../../../options/target.js';
import { createReporter } from '../../../output/reporter.js';
import { DiscardStatusReporter, PUSH_PROMPTS, type StatusReporter } from '../../../output/status.js';
import { readInput } from '../../../stdio.js';
import { openTarget } from '../../../targets.js';
import { MANIFEST_PUSH_USAGE, type ManifestPushOptions } from './command.js';

/** Runs `oras manifest push`. */
export async function runManifestPush(options: ManifestPushOptions, ctx: CliContext): Promise<void> {
  const { common, file, concurrency } = options;
  const { spec, argument } = options.target;
  const descriptorOnly = options.descriptor.descriptor;
  const bytes = await readInput(ctx, file, DEFAULT_MAX_MANIFEST_BYTES, 'manifest');
  let mediaType = options.mediaType;
  if (!mediaType) {
    const doc = parseJsonObject(bytes, file === '-' ? 'stdin' : file);
    if (typeof doc.mediaType !== 'string' || doc.mediaType === '') {
      // oras's manifest push: manifest.ErrMediaTypeNotFound wrapped with the file, and the usage
      throw new CliError(`media type is not specified via the flag "--media-type" nor in ${goQuote(file)}`, {
        usage: MANIFEST_PUSH_USAGE,
        hint: 'Please specify a valid media type in the manifest JSON or via the "--media-type" flag',
      });
    }
    mediaType = doc.mediaType;
  }
  const desc = descriptorFromBytes(mediaType, bytes);
  const opened = await openTarget(options.target, common, ctx, { concurrency });
  const store = manifestTarget(opened.target);
  const own = spec.kind === 'registry' ? spec.reference.reference : spec.reference;
  const reference = own ?? desc.digest;
  const extraTags = spec.tags.filter((t) => t !== own);
  const reporter: StatusReporter = descriptorOnly
    ? new DiscardStatusReporter()
    : createReporter(progressMode(common, ctx), 'text', ctx, PUSH_PROMPTS);
  try {
    try {
      if (await alreadyThere(store, reference, desc.digest)) {
        reporter.mark(desc, PUSH_PROMPTS.exists);
      } else {
        reporter.start(desc);
        await pushManifestAs(store, desc, bytes, reference);
        reporter.done(desc);
      }
    } finally {
      reporter.close();
    }
    if (descriptorOnly) {
      await tagAll(store, desc, extraTags, concurrency, () => undefined);
      writeDescriptor(ctx, desc, options.descriptor.pretty);
      return;
    }
    ctx.stdout.write(`Pushed ${annotatedReference(spec)}\n`);
    await tagAll(store, desc, extraTags, concurrency, (tag) => ctx.stdout.write(`Tagged ${tag}\n`));
    ctx.stdout.write(`Digest: ${desc.digest}\n`);
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest push ${argument}`);
  }
}
