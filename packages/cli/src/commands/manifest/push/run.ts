import { descriptorFromBytes } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError } from '../../../errors.js';
import { parseJsonObject, writeDescriptor } from '../../../json.js';
import {
  alreadyThere,
  DEFAULT_MAX_MANIFEST_BYTES,
  manifestTarget,
  pushManifestAs,
  tagAll,
} from '../../../manifests.js';
import { fileArg, stringArg } from '../../../options/args.js';
import { parseCommon, progressMode } from '../../../options/common.js';
import { annotatedReference, parseTarget, referrersCapability } from '../../../options/target.js';
import { createReporter } from '../../../output/reporter.js';
import { DiscardStatusReporter, PUSH_PROMPTS, type StatusReporter } from '../../../output/status.js';
import { readInput } from '../../../stdio.js';
import { openTarget } from '../../../targets.js';

const FORM = '<registry>/<repo>[:<tag>[,<tag>][...]|@<digest>]';

/** Runs `oras manifest push`. */
export async function runManifestPush(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const file = fileArg(argv, 'file');
  if (file === '-' && (argv['password-stdin'] === true || argv['identity-token-stdin'] === true)) {
    throw new CliError(
      '`-` read file from input and `--password-stdin` read password from input cannot be both used',
    );
  }
  const spec = parseTarget(String(argv.name), argv, { form: FORM, allowTags: true });
  const descriptorOnly = argv.descriptor === true;
  const concurrency = Math.max(1, Number(argv.concurrency ?? 5));
  const bytes = await readInput(ctx, file, DEFAULT_MAX_MANIFEST_BYTES, 'manifest');
  let mediaType = stringArg(argv, 'media-type');
  if (!mediaType) {
    const doc = parseJsonObject(bytes, file === '-' ? 'stdin' : file);
    if (typeof doc.mediaType !== 'string' || doc.mediaType === '') {
      throw new CliError(`media type is not found via the flag "--media-type" nor in "${file}"`, {
        hint: 'Please specify a valid media type in the manifest JSON or via the "--media-type" flag',
      });
    }
    mediaType = doc.mediaType;
  }
  const desc = descriptorFromBytes(mediaType, bytes);
  const opened = await openTarget(spec, argv, common, ctx, {
    referrersCapability: referrersCapability(argv),
    concurrency,
  });
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
      writeDescriptor(ctx, desc, argv.pretty === true);
      return;
    }
    ctx.stdout.write(`Pushed ${annotatedReference(spec)}\n`);
    await tagAll(store, desc, extraTags, concurrency, (tag) => ctx.stdout.write(`Tagged ${tag}\n`));
    ctx.stdout.write(`Digest: ${desc.digest}\n`);
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest push ${String(argv.name)}`);
  }
}
