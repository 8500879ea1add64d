/**
 * The implementation of `oras pull`: copy the graph into a file store, writing only layers with a
 * title (and the config when `--config` names a path), reporting the rest as skipped and the files
 * the store restored under a second name as "Restored".
 */
import { resolve as resolvePath, sep } from 'node:path';
import {
  type BytesFetcher,
  copyGraph,
  type Fetcher,
  fetchAll,
  hasSuccessors,
  isBytesFetcher,
  resolveCopyRoot,
  SKIP_NODE,
  selectPlatform,
  successorsOf,
} from '@oras/content';
import { DuplicateNameError, FileStore } from '@oras/content/file';
import {
  type Descriptor,
  descriptorsEqual,
  EMPTY_DESCRIPTOR,
  type Manifest,
  MediaType,
  NotFoundError,
} from '@oras/spec';
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { failedToResolve } from '../../errors.js';
import { progressMode } from '../../options/common.js';
import { annotatedReference } from '../../options/target.js';
import { printable } from '../../output/escape.js';
import { descriptorModel, type PulledFileModel, pullModel, writeResult } from '../../output/metadata.js';
import { createReporter } from '../../output/reporter.js';
import { PULL_PROMPTS } from '../../output/status.js';
import { trackFetches } from '../../output/track.js';
import { openReadOnlyTarget } from '../../targets.js';
import type { PullOptions } from './command.js';
import { createdFolders } from './output-folder.js';

const TITLE = 'org.opencontainers.image.title';
const UNPACK = 'io.deis.oras.content.unpack';

/** Whether a config is the empty JSON `{}` (oras compares digest and size only). */
function isEmptyJson(desc: Descriptor): boolean {
  return desc.digest === EMPTY_DESCRIPTOR.digest && desc.size === EMPTY_DESCRIPTOR.size;
}

function isManifest(desc: Descriptor): boolean {
  return desc.mediaType === MediaType.ImageManifest || desc.mediaType === MediaType.DockerManifest;
}

/**
 * Says whether a descriptor is reported for the first time, keyed as oras keys its status lines:
 * by digest and title, so one content under two names is reported twice.
 */
function announcer(): (desc: Descriptor) => boolean {
  const seen = new Set<string>();
  return (desc) => {
    const key = `${desc.digest}${desc.annotations?.[TITLE] ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}

/** Runs `oras pull`. */
export async function runPull(options: PullOptions, ctx: CliContext): Promise<void> {
  const { common, format, platform, includeSubject, mediaTypes, concurrency } = options;
  const { spec, reference, argument } = options.target;
  const output = resolvePath(ctx.cwd, options.output);
  const configRef = options.config;
  const { target, name } = await openReadOnlyTarget(options.target, common, ctx, { concurrency });
  const mode = progressMode(common, ctx);
  const reporter = createReporter(mode, format.type, ctx, PULL_PROMPTS, common.verbose);
  const announce = announcer();
  const removeCreatedFolders = await createdFolders(output);
  let pulled = false;
  // Manifests are read once, to find their successors, and never kept: the store writes named
  // content only (`ignoreNoName`), and pull restores the files that share content itself
  // (`restoreDuplicates`), so an index of many large manifests costs one manifest at a time.
  const store = await FileStore.open(output, {
    allowPathTraversalOnWrite: options.allowPathTraversal,
    maxUnpackBytes: options.maxUnpackBytes,
    disableOverwrite: options.keepOldFiles,
    ignoreNoName: true,
  });
  // The named successors of each manifest read, until the manifest is done.
  const namedSuccessors = new Map<string, Descriptor[]>();
  /** Writes again, under their own names, successors whose content the copy moved under another. */
  const restoreDuplicates = async (successors: readonly Descriptor[]) => {
    for (const successor of successors) {
      if (await store.exists(successor)) continue;
      const plain = { mediaType: successor.mediaType, digest: successor.digest, size: successor.size };
      let content: ReadableStream<Uint8Array>;
      try {
        content = await store.fetch(plain);
      } catch (error) {
        if (NotFoundError.is(error)) continue;
        throw error;
      }
      try {
        await store.push(successor, content);
      } catch (error) {
        if (DuplicateNameError.is(error)) continue;
        throw error;
      }
      if (announce(successor)) reporter.mark(successor, PULL_PROMPTS.restored);
    }
  };
  let layerSkipped = false;
  // Titled layers of the `-t/--media-type` types: none means nothing is written.
  let typeMatched = 0;
  // The files written, as the JSON and template output lists them: their models are made only
  // for those outputs (a text pull of many files needs their count only).
  const files: { path: string; desc: Descriptor }[] = [];
  /** The titles in `files` (a set: an artifact may have thousands). */
  const fileTitles = new Set<string>();
  try {
    let root: Descriptor;
    // From a registry, the root manifest comes in one GET by tag (as oras-go's copy resolves it),
    // and `source` serves its bytes again.
    let source: typeof target;
    try {
      ({ root, source } = await resolveCopyRoot(target, reference).catch((error: unknown) => {
        throw failedToResolve(reference, error);
      }));
      if (platform) root = await selectPlatform(source, root, platform);
    } catch (error) {
      throw withDockerHubHint(error, spec, `oras pull ${argument}`);
    }
    // As oras does, a manifest is reported when it is fetched to find its successors:
    // "Downloading", then "Processing" (except on the live display), and "Downloaded" once copied.
    // Content read whole (`fetchBytes`, a registry's) is fetched so too, without a web stream.
    const reportingFetcher = (fetcher: Fetcher): Fetcher => {
      const reported = async <T>(desc: Descriptor, get: () => Promise<T>): Promise<T> => {
        const first = announce(desc);
        if (first) reporter.start(desc);
        const content = await get();
        if (first && mode !== 'tty') reporter.mark(desc, PULL_PROMPTS.processing);
        return content;
      };
      const fetch: Fetcher['fetch'] = (desc, options) => reported(desc, () => fetcher.fetch(desc, options));
      if (!isBytesFetcher(fetcher)) return { fetch };
      const fetchBytes: BytesFetcher['fetchBytes'] = (desc, options) =>
        reported(desc, () => fetcher.fetchBytes(desc, options));
      return { fetch, fetchBytes } as Fetcher & BytesFetcher;
    };
    // Unnamed content (other than the empty JSON) is not written: "Skipped", once, as oras says.
    const skip = (desc: Descriptor) => {
      if (announce(desc)) reporter.mark(desc, PULL_PROMPTS.skipped);
    };
    const src = trackFetches(source, reporter);
    // The copy's own fetcher would keep every manifest it reads until the end: read from the source.
    const manifestSuccessors = async (desc: Descriptor): Promise<Descriptor[]> => {
      const bytes = await fetchAll(reportingFetcher(src), desc);
      if (!isManifest(desc)) {
        const all = successorsOf(desc, bytes);
        const subject = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { subject?: Descriptor }).subject;
        return includeSubject || !subject ? all : all.filter((d) => d.digest !== subject.digest);
      }
      successorsOf(desc, bytes); // validates the manifest
      const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as Manifest;
      const out: Descriptor[] = [];
      if (doc.subject && includeSubject) out.push(doc.subject);
      const config = doc.config;
      if (configRef && (configRef.mediaType === undefined || configRef.mediaType === config.mediaType)) {
        out.push({ ...config, annotations: { ...config.annotations, [TITLE]: configRef.path } });
      } else if (!config.annotations?.[TITLE] && !isEmptyJson(config)) {
        skip(config);
      }
      for (const d of doc.layers ?? []) {
        if (!d.annotations?.[TITLE]) {
          if (!descriptorsEqual(d, EMPTY_DESCRIPTOR)) {
            layerSkipped = true;
            skip(d);
          }
          continue;
        }
        if (mediaTypes.length > 0 && !mediaTypes.includes(d.mediaType)) continue;
        typeMatched++;
        out.push(d);
      }
      for (const d of out) {
        const title = d.annotations?.[TITLE];
        if (title && !fileTitles.has(title)) {
          const path = resolvePath(output, title) + (d.annotations?.[UNPACK] === 'true' ? sep : '');
          fileTitles.add(title);
          files.push({ path, desc: d });
        }
      }
      namedSuccessors.set(
        desc.digest,
        out.filter((d) => d.annotations?.[TITLE]),
      );
      return out;
    };
    // (a blob's answers are given at once, not through an async function: one per blob)
    const findSuccessors = (_fetcher: Fetcher, desc: Descriptor): Descriptor[] | Promise<Descriptor[]> =>
      hasSuccessors(desc) ? manifestSuccessors(desc) : [];
    /** A manifest, once its successors are in: nothing to write but the files it names twice. */
    const finishManifest = async (desc: Descriptor): Promise<typeof SKIP_NODE> => {
      await restoreDuplicates(namedSuccessors.get(desc.digest) ?? []);
      namedSuccessors.delete(desc.digest);
      reporter.done(desc);
      return SKIP_NODE;
    };
    await copyGraph(src, store, root, {
      concurrency,
      findSuccessors,
      preCopy: (desc) => {
        if (announce(desc)) reporter.start(desc);
        return hasSuccessors(desc) ? finishManifest(desc) : undefined;
      },
      postCopy: (desc) => reporter.done(desc),
      onCopySkipped: (desc) => reporter.mark(desc, PULL_PROMPTS.skipped),
    });
    reporter.close();
    const ref = `${name}@${root.digest}`;
    const nothingOfType = mediaTypes.length > 0 && typeMatched === 0;
    if (nothingOfType) {
      const types = mediaTypes.map((t) => JSON.stringify(printable(t))).join(', ');
      ctx.stderr.write(
        `Warning: no layer with a file name has the media type ${types}: nothing was pulled\n`,
      );
    }
    const fileModels = (): PulledFileModel[] =>
      files.map(({ path, desc }) => ({ path, ...descriptorModel(name, desc) }));
    await writeResult(ctx, format, format.type === 'text' ? undefined : pullModel(ref, fileModels()), () => {
      if (files.length === 0 && layerSkipped) {
        return (
          `Skipped pulling layers without file name in "${TITLE}"\n` +
          `Use 'oras copy ${spec.raw} --to-oci-layout <layout-dir>' to pull all layers.\n`
        );
      }
      // oras's words when `-t` left nothing to write
      const empty = nothingOfType ? 'Downloaded empty artifact\n' : '';
      return `${empty}Pulled ${annotatedReference(spec)}\nDigest: ${root.digest}\n`;
    });
    pulled = true;
  } finally {
    reporter.close();
    await store.close();
    if (!pulled) await removeCreatedFolders();
  }
}
