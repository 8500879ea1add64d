/** The implementations of `oras manifest index create` and `oras manifest index update`. */
import { fetchAll, type ReadOnlyTarget } from '@oras/content';
import {
  type Descriptor,
  descriptorFromBytes,
  type Index,
  isDigest,
  isIndexMediaType,
  isManifestMediaType,
  MediaType,
  type Platform,
  parseIndex,
  SizeExceedsLimitError,
  serializeIndex,
} from '@oras/spec';
import type { CliContext, OutputStream } from '../context.js';
import { CliError } from '../errors.js';
import { parseCommon } from '../options/common.js';
import { annotatedReference, parseTarget, type TargetSpec } from '../options/target.js';
import { shortDigest } from '../output/status.js';
import { openTarget } from '../targets.js';
import { listArg, stringArg } from './flags.js';
import { manifestTarget, pushManifestAs, tagAll } from './manifest-push-run.js';
import {
  DEFAULT_MAX_MANIFEST_BYTES,
  fetchManifest,
  jsonOutput,
  parseJsonObject,
  writeOutput,
} from './manifest-support.js';
import { requireReference, withDockerHubHint } from './run-support.js';

/** The largest config read for its platform (oras: 4 MiB). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Parses `-a key=value` annotations. */
export function parseAnnotations(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const a of values) {
    const i = a.indexOf('=');
    if (i <= 0) throw new CliError(`invalid annotation "${a}"`, { hint: 'use the form key=value' });
    const key = a.slice(0, i);
    if (key in out) throw new CliError(`duplicate annotation key "${key}"`);
    out[key] = a.slice(i + 1);
  }
  return out;
}

/**
 * The platform an image manifest's config declares, or `undefined` for a config that is not a
 * platform (an artifact config). Configs of 4 MiB or more are refused, as oras does.
 */
export async function platformOfConfig(
  target: ReadOnlyTarget,
  config: Descriptor,
): Promise<Platform | undefined> {
  if (config.size >= MAX_CONFIG_BYTES) {
    throw new SizeExceedsLimitError(
      `config size ${config.size} exceeds the limit of ${MAX_CONFIG_BYTES} bytes`,
    );
  }
  const bytes = await fetchAll(target, config, { maxBytes: MAX_CONFIG_BYTES });
  let doc: Record<string, unknown>;
  try {
    doc = parseJsonObject(bytes, config.digest);
  } catch {
    return undefined;
  }
  const str = (k: string) => (typeof doc[k] === 'string' && doc[k] !== '' ? (doc[k] as string) : undefined);
  const os = str('os');
  const architecture = str('architecture');
  if (os === undefined && architecture === undefined) return undefined;
  const features = Array.isArray(doc['os.features'])
    ? (doc['os.features'] as unknown[]).filter((f) => typeof f === 'string')
    : [];
  return {
    architecture: architecture ?? '',
    os: os ?? '',
    ...(str('os.version') ? { 'os.version': str('os.version') as string } : {}),
    ...(features.length > 0 ? { 'os.features': features as string[] } : {}),
    ...(str('variant') ? { variant: str('variant') as string } : {}),
  };
}

/** The index entry for a manifest: its descriptor, its artifact type and, for an image, its platform. */
export async function indexEntry(target: ReadOnlyTarget, source: string): Promise<Descriptor> {
  let fetched: { desc: Descriptor; bytes: Uint8Array };
  try {
    fetched = await fetchManifest(target, source);
  } catch (error) {
    throw new CliError(`could not find the manifest ${source}: ${(error as Error).message}`, {
      code: (error as { code?: string }).code ?? 'ORAS_ERR_NOT_FOUND',
      cause: error,
    });
  }
  const { desc, bytes } = fetched;
  if (!isManifestMediaType(desc.mediaType)) throw new CliError(`${source} is not a manifest`);
  const doc = parseJsonObject(bytes, source);
  const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  if (desc.mediaType === MediaType.ImageManifest || desc.mediaType === MediaType.DockerManifest) {
    const config = doc.config as Descriptor | undefined;
    if (config && typeof config.digest === 'string') {
      const platform = await platformOfConfig(target, config);
      if (platform) entry.platform = platform;
    }
  }
  if (typeof doc.artifactType === 'string' && doc.artifactType !== '') entry.artifactType = doc.artifactType;
  return entry;
}

/** Writes the index (`-o`) or pushes it under `reference` (a tag, or its digest), with extra tags. */
async function finish(
  ctx: CliContext,
  log: OutputStream,
  argv: Record<string, unknown>,
  target: object,
  spec: TargetSpec,
  index: Index,
  reference: string | undefined,
  extraTags: readonly string[],
  prompt: string,
): Promise<void> {
  const bytes = serializeIndex(index);
  const desc = descriptorFromBytes(MediaType.ImageIndex, bytes);
  log.write(`${prompt} ${shortDigest(desc)} ${MediaType.ImageIndex}\n`);
  const output = stringArg(argv, 'output');
  if (output !== undefined) {
    await writeOutput(ctx, output, jsonOutput(bytes, argv.pretty === true));
    return;
  }
  const store = manifestTarget(target);
  await pushManifestAs(store, desc, bytes, reference ?? desc.digest);
  const name =
    spec.kind === 'registry' ? `${spec.reference.registry}/${spec.reference.repository}` : spec.path;
  const shown =
    reference !== undefined && !isDigest(reference) ? `${name}:${reference}` : `${name}@${desc.digest}`;
  log.write(`Pushed ${annotatedReference(spec, shown)}\n`);
  await tagAll(store, desc, extraTags, 5, (tag) => log.write(`Tagged ${tag}\n`));
  log.write(`Digest: ${desc.digest}\n`);
}

/** Runs `oras manifest index create`. */
export async function runIndexCreate(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const raw = String(argv.name);
  const spec = parseTarget(raw, argv, { form: '<registry>/<repo>[:<tag>[,<tag>][...]]', allowTags: true });
  const own = spec.kind === 'registry' ? spec.reference.reference : spec.reference;
  if (own !== undefined && isDigest(own))
    throw new CliError(`${raw}: an index to create cannot be named by a digest`);
  const sources = listArg(argv, 'sources');
  const annotations = parseAnnotations(listArg(argv, 'annotation'));
  const artifactType = stringArg(argv, 'artifact-type');
  const log = stringArg(argv, 'output') === '-' ? ctx.stderr : ctx.stdout;
  const { target } = await openTarget(spec, argv, common, ctx);
  try {
    const manifests: Descriptor[] = [];
    for (const source of sources) {
      log.write(`Fetching ${source}\n`);
      const entry = await indexEntry(target, source);
      log.write(`Fetched ${shortDigest(entry)} ${source}\n`);
      manifests.push(entry);
    }
    const index: Index = {
      schemaVersion: 2,
      mediaType: MediaType.ImageIndex,
      ...(artifactType ? { artifactType } : {}),
      manifests,
      ...(annotations ? { annotations } : {}),
    };
    await finish(
      ctx,
      log,
      argv,
      target,
      spec,
      index,
      own,
      spec.tags.filter((t) => t !== own),
      'Packed',
    );
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest index create ${raw}`);
  }
}

/** Runs `oras manifest index update`. */
export async function runIndexUpdate(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const raw = String(argv.name);
  const form = '<registry>/<repo>{:<tag>|@<digest>}';
  const spec = parseTarget(raw, argv, { form });
  const reference = requireReference(spec, form);
  const tags = listArg(argv, 'tag');
  const output = stringArg(argv, 'output');
  if (tags.length > 0 && output !== undefined) throw new CliError('--tag cannot be used with --output');
  const removes = listArg(argv, 'remove');
  for (const r of removes) {
    if (!isDigest(r)) throw new CliError(`--remove ${r}: use the digest of the manifest to remove`);
  }
  const adds = listArg(argv, 'add');
  const merges = listArg(argv, 'merge');
  const annotations = parseAnnotations(listArg(argv, 'annotation'));
  const log = output === '-' ? ctx.stderr : ctx.stdout;
  const { target } = await openTarget(spec, argv, common, ctx);
  try {
    log.write(`Fetching ${reference}\n`);
    const { desc: oldDesc, bytes } = await fetchManifest(target, reference);
    if (!isIndexMediaType(oldDesc.mediaType))
      throw new CliError(`${raw} is not an index: ${oldDesc.mediaType}`);
    const index = parseIndex(bytes, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES });
    log.write(`Fetched ${shortDigest(oldDesc)} ${reference}\n`);
    const manifests = [...index.manifests];
    const has = (digest: string) => manifests.some((m) => m.digest === digest);
    for (const add of adds) {
      log.write(`Fetching ${add}\n`);
      const entry = await indexEntry(target, add);
      if (!has(entry.digest)) manifests.push(entry);
      log.write(`Added ${shortDigest(entry)} ${add}\n`);
    }
    for (const merge of merges) {
      log.write(`Fetching ${merge}\n`);
      const { desc, bytes: other } = await fetchManifest(target, merge);
      if (!isIndexMediaType(desc.mediaType))
        throw new CliError(`${merge} is not an index: ${desc.mediaType}`);
      for (const m of parseIndex(other, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES }).manifests)
        if (!has(m.digest)) manifests.push(m);
      log.write(`Merged ${shortDigest(desc)} ${merge}\n`);
    }
    for (const remove of removes) {
      if (!has(remove))
        throw new CliError(`${remove}: not found in the index ${raw}`, { code: 'ORAS_ERR_NOT_FOUND' });
      for (let i = manifests.length - 1; i >= 0; i--)
        if (manifests[i]?.digest === remove) manifests.splice(i, 1);
      log.write(`Removed ${shortDigest({ digest: remove })} ${remove}\n`);
    }
    const updated: Index = { ...index, mediaType: index.mediaType ?? MediaType.ImageIndex, manifests };
    if (argv['artifact-type'] !== undefined) {
      const type = stringArg(argv, 'artifact-type') ?? '';
      if (type === '') delete updated.artifactType;
      else updated.artifactType = type;
    }
    if (annotations) updated.annotations = { ...(index.annotations ?? {}), ...annotations };
    const keep = isDigest(reference) ? undefined : reference;
    await finish(ctx, log, argv, target, spec, updated, keep, tags, 'Updated');
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest index update ${raw}`);
  }
}
