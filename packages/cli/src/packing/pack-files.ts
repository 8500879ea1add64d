/**
 * Packing shared by push and attach, in the order oras does it and with every check before the
 * first byte is sent:
 *
 * 1. the file arguments are parsed and checked (absolute paths, missing files, duplicate names);
 * 2. the config and every folder (tar+gzip, with a "Packing" row on the display) go to a file store;
 * 3. the manifest is packed once with stand-in layers, so that a bad media type or annotation fails
 *    here, not after the uploads;
 * 4. regular files go straight to a registry (read once, hashed while they upload, reported as they
 *    go: `push-files.ts`), or to the file store for any other target;
 * 5. the manifest is packed into the file store.
 *
 * {@link uploadPacked} then copies what is left (config, folders, manifest) to the target.
 */
import { stat, writeFile } from 'node:fs/promises';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import {
  copy,
  copyGraph,
  type Fetcher,
  fetchAll,
  type PackManifestVersion,
  packManifest,
  pushBytes,
  successors,
  type Target,
} from '@oras/content';
import {
  DEFAULT_DIRECTORY_MEDIA_TYPE,
  DEFAULT_FILE_MEDIA_TYPE,
  DuplicateNameError,
  FileStore,
} from '@oras/content/file';
import { MemoryStore } from '@oras/content/memory';
import { Annotation, type Descriptor, digestOf } from '@oras/spec';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import type { PackAnnotations } from '../options/packer.js';
import { parseFileRef } from '../options/packer.js';
import { beginTransfer, type Prompts, type StatusReporter } from '../output/status.js';
import { reportingHooks, trackFetches } from '../output/track.js';
import { canPushFiles, duplicatePrompt, pushRegularFiles } from './push-files.js';

/** The annotation file key of the config, used as its name in the file store. */
const CONFIG_NAME = '$config';

/** The error oras gives for absolute file arguments (all of them, comma-separated). */
const PATH_VALIDATION_ERROR =
  "absolute file path detected. If it's intentional, use --disable-path-validation flag to skip this check";

/**
 * The name a file argument is pushed under, as oras makes it: Go's `filepath.Clean` of the path
 * (no `./`, no trailing `/`, `a/../b` is `b`), with `/` as the separator unless it is absolute.
 * `./docs/` is `docs`, `./artifact.txt` is `artifact.txt`.
 */
export function cleanName(path: string): string {
  let name = normalize(path);
  // Go's Clean drops a trailing separator (but a root's); Node's normalize keeps it
  if (name.length > 1 && name.endsWith(sep) && !/^([A-Za-z]:)?[\\/]$/.test(name)) name = name.slice(0, -1);
  return isAbsolute(name) ? name : name.split(sep).join('/');
}

/** One `<file>[:<mediaType>]` argument, checked. */
export interface FileArgument {
  /** Its position among the file arguments. */
  readonly index: number;
  /** The path as typed: the key of its entry in an annotation file. */
  readonly path: string;
  /** The title it is pushed under: the annotation file's title, else {@link cleanName} of the path. */
  readonly name: string;
  /** The media type given after the colon, if any. */
  readonly mediaType: string | undefined;
  /** Its annotations from the annotation file. */
  readonly annotations: Readonly<Record<string, string>>;
  /** Its absolute path. */
  readonly source: string;
  /** A regular file, a directory, or anything else (left to the file store). */
  readonly kind: 'file' | 'directory' | 'other';
  /** Its size on disk (a regular file's byte count). */
  readonly size: number;
}

/**
 * Parses and checks the file arguments before anything is read or sent: every absolute path is
 * reported in one error (unless `disablePathValidation`; the config file is never checked, as in
 * oras), a missing file fails with `stat <absolute path>: no such file or directory`, and two
 * arguments with the same name fail as the file store would fail on the second.
 */
export async function checkFiles(
  files: readonly string[],
  options: { readonly disablePathValidation: boolean; readonly annotations: PackAnnotations },
  ctx: Pick<CliContext, 'cwd'>,
): Promise<FileArgument[]> {
  const refs = files.map((arg) => parseFileRef(arg, { disablePathValidation: true }));
  if (!options.disablePathValidation) {
    const absolute = refs.filter((ref) => isAbsolute(ref.path)).map((ref) => ref.path);
    if (absolute.length > 0) throw new CliError(`${PATH_VALIDATION_ERROR}: ${absolute.join(', ')}`);
  }
  const names = new Set<string>();
  const checked: FileArgument[] = [];
  for (const [index, ref] of refs.entries()) {
    const annotations = options.annotations.files[ref.path] ?? {};
    const name = annotations[Annotation.Title] || cleanName(ref.path);
    if (names.has(name)) throw new DuplicateNameError(`${JSON.stringify(name)}: duplicate name`);
    names.add(name);
    const source = resolve(ctx.cwd, ref.path);
    const stats = await stat(source).catch((error: unknown) => {
      throw withAbsolutePath(error, source, ref.path);
    });
    const kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
    checked.push({
      index,
      path: ref.path,
      name,
      mediaType: ref.mediaType,
      annotations,
      source,
      kind,
      size: stats.size,
    });
  }
  return checked;
}

/**
 * A file-system error about `source` that names it by its absolute path (`stat /work/missing.txt:
 * no such file or directory`), as oras does: its file store joins a relative path to the working
 * directory before `os.Stat`, and oras's own e2e suite looks for the absolute path.
 */
function withAbsolutePath(error: unknown, source: string, typed: string): unknown {
  const sys = error as NodeJS.ErrnoException;
  if (sys instanceof Error && (sys.path === source || sys.path === typed)) sys.path = source;
  return error;
}

/** What to pack. */
export interface PackInput {
  /** `<file>[:<mediaType>]` arguments. */
  readonly files: readonly string[];
  /** Skip the absolute-path check of the file arguments. */
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
}

/** Where packed content goes and how it is shown. */
export interface PackOptions {
  /**
   * The push target: regular files go straight to it when it is a registry repository; any
   * other target gets them through the file store.
   */
  readonly target: object;
  /** The status display. */
  readonly reporter: StatusReporter;
  /** The prompts of the command. */
  readonly prompts: Prompts;
  /** How many files move at once. */
  readonly concurrency: number;
  /** Cancels packing and uploads. */
  readonly signal?: AbortSignal | undefined;
}

/** A packed artifact in its file store. */
export interface Packed {
  /** The file store holding the config, the folders (and files not pushed yet) and the manifest; close it when done. */
  readonly store: FileStore;
  /** The manifest's descriptor. */
  readonly root: Descriptor;
  /** The layers already in the target (pushed straight from disk), each under its title. */
  readonly pushed: readonly Descriptor[];
}

/** Packs the files and config as described in the module comment; see {@link uploadPacked}. */
export async function packFiles(input: PackInput, ctx: CliContext, options: PackOptions): Promise<Packed> {
  const files = await checkFiles(input.files, input, ctx);
  for (const file of files) options.reporter.preparing?.(cleanName(file.path));
  const store = await FileStore.open(ctx.cwd);
  try {
    const signal = options.signal;
    const configDescriptor = await addConfig(store, input, signal);
    const repo = canPushFiles(options.target) ? options.target : undefined;
    const layers = new Map<number, Descriptor>();
    for (const file of files) {
      if (file.kind === 'file' && repo) continue;
      let desc: Descriptor;
      if (file.kind === 'directory') {
        const transfer = beginTransfer(options.reporter, {
          name: file.name,
          mediaType: file.mediaType || DEFAULT_DIRECTORY_MEDIA_TYPE,
        });
        desc = await store.add(file.name, file.mediaType ?? '', file.source, {
          signal,
          onPacking: (n) => transfer.packing(n),
        });
      } else {
        desc = await store.add(file.name, file.mediaType ?? '', file.source, signal ? { signal } : {});
      }
      layers.set(file.index, withAnnotations(desc, file.annotations));
    }
    const pack = (pusher: MemoryStore | FileStore, packLayers: Descriptor[]) =>
      packManifest(pusher, input.version, input.artifactType, {
        layers: packLayers,
        manifestAnnotations: input.annotations.manifest,
        ...(configDescriptor ? { configDescriptor } : {}),
        ...(!configDescriptor && Object.keys(input.annotations.config).length
          ? { configAnnotations: input.annotations.config }
          : {}),
        ...(input.subject ? { subject: input.subject } : {}),
      });
    // everything the manifest checks, before the first upload
    const standIn = { digest: digestOf(new Uint8Array()), size: 0 };
    await pack(
      new MemoryStore(),
      files.map(
        (f) =>
          layers.get(f.index) ??
          withAnnotations(
            { mediaType: f.mediaType || DEFAULT_FILE_MEDIA_TYPE, ...standIn },
            {
              [Annotation.Title]: f.name,
              ...f.annotations,
            },
          ),
      ),
    );
    const pushed = repo
      ? await pushRegularFiles(
          repo,
          files.filter((f) => f.kind === 'file'),
          options,
        )
      : new Map<number, Descriptor>();
    const ordered = files.map((f) => {
      const desc = layers.get(f.index) ?? pushed.get(f.index);
      if (!desc) throw new Error(`internal error: no layer for ${f.path}`);
      return desc;
    });
    const root = await pack(store, ordered);
    return { store, root, pushed: [...pushed.values()] };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Adds the config to the store (a file, not path-checked, or the bytes of `--artifact-platform`). */
async function addConfig(
  store: FileStore,
  input: PackInput,
  signal: AbortSignal | undefined,
): Promise<Descriptor | undefined> {
  const configAnnotations = input.annotations.config;
  if (input.config !== undefined) {
    const ref = parseFileRef(input.config, { disablePathValidation: true });
    const desc = await store
      .add(
        CONFIG_NAME,
        ref.mediaType ?? input.defaultConfigMediaType ?? 'application/vnd.unknown.config.v1+json',
        ref.path,
        signal ? { signal } : {},
      )
      .catch((error: unknown) => {
        throw withAbsolutePath(error, resolve(store.workingDir, ref.path), ref.path);
      });
    const { annotations: _title, ...plain } = desc;
    return Object.keys(configAnnotations).length ? { ...plain, annotations: configAnnotations } : plain;
  }
  if (input.configBytes) {
    const desc = await pushBytes(store, input.configBytes.mediaType, input.configBytes.bytes);
    return Object.keys(configAnnotations).length ? { ...desc, annotations: configAnnotations } : desc;
  }
  return undefined;
}

/** `desc` with `extra` merged over its annotations. */
function withAnnotations(desc: Descriptor, extra: Readonly<Record<string, string>>): Descriptor {
  return Object.keys(extra).length ? { ...desc, annotations: { ...desc.annotations, ...extra } } : desc;
}

/** Writes the exact manifest bytes to `path` (`--export-manifest`). */
export async function exportManifest(packed: Packed, path: string): Promise<void> {
  await writeFile(path, await fetchAll(packed.store, packed.root));
}

/**
 * Copies the packed graph to `dst`, tagging it `tag` (by digest when empty), with each node
 * reported: start, bytes, done, or `exists` for what the target already has. The layers pushed
 * straight from disk are left out of the copy. A layer whose blob went up under another title
 * (two files with the same content) still gets its line, before the manifest's, as in oras.
 */
export async function uploadPacked(
  packed: Packed,
  dst: Target,
  tag: string | undefined,
  reporter: StatusReporter,
  prompts: Prompts,
  concurrency: number,
): Promise<void> {
  const src = trackFetches(packed.store, reporter);
  const pushedDigests = new Set(packed.pushed.map((d) => d.digest));
  // the titles each digest has been reported under
  const reported = new Map<string, Set<string>>();
  const note = (desc: Descriptor): boolean => {
    const title = desc.annotations?.[Annotation.Title] ?? '';
    let titles = reported.get(desc.digest);
    if (!titles) {
      titles = new Set();
      reported.set(desc.digest, titles);
    }
    if (titles.has(title)) return false;
    titles.add(title);
    return true;
  };
  for (const desc of packed.pushed) note(desc);
  const base = reportingHooks(reporter, prompts);
  const hooks = {
    concurrency,
    ...base,
    onCopySkipped: (desc: Descriptor) => {
      note(desc);
      return base.onCopySkipped?.(desc);
    },
    postCopy: async (desc: Descriptor) => {
      note(desc);
      for (const successor of await successors(packed.store, desc)) {
        if (reported.has(successor.digest) && note(successor)) {
          reporter.mark(successor, duplicatePrompt(reporter, prompts));
        }
      }
      return base.postCopy?.(desc);
    },
    ...(pushedDigests.size > 0
      ? {
          findSuccessors: async (fetcher: Fetcher, desc: Descriptor) =>
            (await successors(fetcher, desc)).filter((d) => !pushedDigests.has(d.digest)),
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
