/** The implementation of `oras manifest push`. */
import { RemoteRepository } from '@oras/registry';
import { type Descriptor, descriptorFromBytes, isDigest, NotFoundError } from '@oras/spec';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { parseCommon, progressMode } from '../options/common.js';
import { annotatedReference, parseTarget, referrersCapability } from '../options/target.js';
import { createReporter } from '../output/reporter.js';
import { DiscardStatusReporter, PUSH_PROMPTS, type StatusReporter } from '../output/status.js';
import { openTarget } from '../targets.js';
import { stringArg } from './flags.js';
import {
  DEFAULT_MAX_MANIFEST_BYTES,
  fileArg,
  parseJsonObject,
  readInput,
  writeDescriptor,
} from './manifest-support.js';
import { withDockerHubHint } from './run-support.js';

const FORM = '<registry>/<repo>[:<tag>[,<tag>][...]|@<digest>]';

/** The store manifests are pushed to: the manifest store of a repository, or a layout. */
export interface ManifestTarget {
  resolve(reference: string): Promise<Descriptor>;
  exists(desc: Descriptor): Promise<boolean>;
  push(desc: Descriptor, content: Uint8Array): Promise<void>;
  tag(desc: Descriptor, reference: string): Promise<void>;
  pushReference?(desc: Descriptor, content: Uint8Array, reference: string): Promise<void>;
}

/** The manifest store of a target: `manifests()` of a repository, so any media type is a manifest. */
export function manifestTarget(target: object): ManifestTarget {
  return target instanceof RemoteRepository ? target.manifests() : (target as unknown as ManifestTarget);
}

/** Whether `reference` already names a manifest with `digest` (oras's "Exists"). */
export async function alreadyThere(
  store: ManifestTarget,
  reference: string,
  digest: string,
): Promise<boolean> {
  try {
    return (await store.resolve(reference)).digest === digest;
  } catch (error) {
    if (NotFoundError.is(error)) return false;
    throw error;
  }
}

/** Pushes a manifest under a tag (one `PUT` on a registry) or by its digest. */
export async function pushManifestAs(
  store: ManifestTarget,
  desc: Descriptor,
  bytes: Uint8Array,
  reference: string,
): Promise<void> {
  if (isDigest(reference)) {
    if (reference !== desc.digest) throw new CliError(`${reference}: the manifest has digest ${desc.digest}`);
    await store.push(desc, bytes);
    return;
  }
  if (store.pushReference) {
    await store.pushReference(desc, bytes, reference);
    return;
  }
  if (!(await store.exists(desc))) await store.push(desc, bytes);
  await store.tag(desc, reference);
}

/** Tags `desc` with each tag, `concurrency` at a time, reporting each when done. */
export async function tagAll(
  store: ManifestTarget,
  desc: Descriptor,
  tags: readonly string[],
  concurrency: number,
  onTagged: (tag: string) => void,
): Promise<void> {
  const queue = [...tags];
  const worker = async () => {
    for (let tag = queue.shift(); tag !== undefined; tag = queue.shift()) {
      await store.tag(desc, tag);
      onTagged(tag);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
}

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
