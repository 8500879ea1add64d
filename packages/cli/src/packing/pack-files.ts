/**
 * Packing shared by push and attach: add the files to a file store (directories become tar+gzip),
 * apply per-file annotations, pack the manifest into the store, then copy the graph to the target
 * while the status reporter shows each blob.
 */
import { writeFile } from 'node:fs/promises';
import {
  copy,
  copyGraph,
  type Fetcher,
  fetchAll,
  type PackManifestVersion,
  packManifest,
  successors,
  type Target,
} from '@oras/content';
import { FileStore } from '@oras/content/file';
import type { Descriptor } from '@oras/spec';
import type { CliContext } from '../context.js';
import type { PackAnnotations } from '../options/packer.js';
import { parseFileRef } from '../options/packer.js';
import type { Prompts, StatusReporter } from '../output/status.js';
import { reportingHooks, trackFetches } from '../output/track.js';

/** The annotation file key of the config, used as its name in the file store. */
const CONFIG_NAME = '$config';

/** What to pack. */
export interface PackInput {
  /** `<file>[:<mediaType>]` arguments. */
  readonly files: readonly string[];
  /** Skip the absolute-path check. */
  readonly disablePathValidation: boolean;
  /** The annotations of the manifest, config and files. */
  readonly annotations: PackAnnotations;
  /** `--config <file>[:<mediaType>]`. */
  readonly config?: string | undefined;
  /** The default config media type (`application/vnd.unknown.config.v1+json`). */
  readonly defaultConfigMediaType?: string;
  /** A config given as bytes (`--artifact-platform`). */
  readonly configBytes?: { readonly mediaType: string; readonly bytes: Uint8Array } | undefined;
  /** The manifest version. */
  readonly version: PackManifestVersion;
  /** The artifact type (may be empty with a config). */
  readonly artifactType: string;
  /** The subject (attach). */
  readonly subject?: Descriptor | undefined;
  /**
   * Layers already pushed to the target, by index in `files` (see `pushRegularFiles`): they are
   * used as they are, not added to the file store.
   */
  readonly pushed?: ReadonlyMap<number, Descriptor> | undefined;
}

/** A packed artifact in its file store. */
export interface Packed {
  /** The file store holding the files and the manifest; close it when done. */
  readonly store: FileStore;
  /** The manifest's descriptor. */
  readonly root: Descriptor;
}

/** Adds the files and config to a file store at `cwd` and packs the manifest into it. */
export async function packFiles(input: PackInput, ctx: CliContext): Promise<Packed> {
  const store = await FileStore.open(ctx.cwd);
  try {
    const layers: Descriptor[] = [];
    for (const [index, arg] of input.files.entries()) {
      const pushed = input.pushed?.get(index);
      if (pushed) {
        layers.push(pushed);
        continue;
      }
      const ref = parseFileRef(arg, { disablePathValidation: input.disablePathValidation });
      const extra = input.annotations.files[ref.path] ?? {};
      const name = extra['org.opencontainers.image.title'] || ref.path;
      const desc = await store.add(name, ref.mediaType ?? '', ref.path);
      layers.push(
        Object.keys(extra).length ? { ...desc, annotations: { ...desc.annotations, ...extra } } : desc,
      );
    }
    let configDescriptor: Descriptor | undefined;
    if (input.config !== undefined) {
      const ref = parseFileRef(input.config, { disablePathValidation: input.disablePathValidation });
      const desc = await store.add(
        CONFIG_NAME,
        ref.mediaType ?? input.defaultConfigMediaType ?? 'application/vnd.unknown.config.v1+json',
        ref.path,
      );
      const { annotations: _title, ...plain } = desc;
      configDescriptor = Object.keys(input.annotations.config).length
        ? { ...plain, annotations: input.annotations.config }
        : plain;
    } else if (input.configBytes) {
      const { pushBytes } = await import('@oras/content');
      const desc = await pushBytes(store, input.configBytes.mediaType, input.configBytes.bytes);
      configDescriptor = Object.keys(input.annotations.config).length
        ? { ...desc, annotations: input.annotations.config }
        : desc;
    }
    const root = await packManifest(store, input.version, input.artifactType, {
      layers,
      manifestAnnotations: input.annotations.manifest,
      ...(configDescriptor ? { configDescriptor } : {}),
      ...(!configDescriptor && Object.keys(input.annotations.config).length
        ? { configAnnotations: input.annotations.config }
        : {}),
      ...(input.subject ? { subject: input.subject } : {}),
    });
    return { store, root };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Writes the exact manifest bytes to `path` (`--export-manifest`). */
export async function exportManifest(packed: Packed, path: string): Promise<void> {
  await writeFile(path, await fetchAll(packed.store, packed.root));
}

/**
 * Copies the packed graph to `dst`, tagging it `tag` (by digest when empty), with each node
 * reported: start, bytes, done, or `exists` for what the target already has. Blobs whose digests
 * are in `pushed` are already in `dst` and are left out of the copy.
 */
export async function uploadPacked(
  packed: Packed,
  dst: Target,
  tag: string | undefined,
  reporter: StatusReporter,
  prompts: Prompts,
  concurrency: number,
  pushed: ReadonlySet<string> = new Set(),
): Promise<void> {
  const src = trackFetches(packed.store, reporter);
  const hooks = {
    concurrency,
    ...reportingHooks(reporter, prompts),
    ...(pushed.size > 0
      ? {
          findSuccessors: async (fetcher: Fetcher, desc: Descriptor) =>
            (await successors(fetcher, desc)).filter((d) => !pushed.has(d.digest)),
        }
      : {}),
  };
  if (tag) {
    await packed.store.tag(packed.root, packed.root.digest);
    await copy(src, packed.root.digest, dst, tag, hooks);
  } else {
    await copyGraph(src, dst, packed.root, hooks);
  }
}
