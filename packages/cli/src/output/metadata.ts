/**
 * The results commands print, in oras's models: a descriptor with its `reference`
 * (`name@digest`), push's `referenceAsTags`, pull's `files`, discover's nested `referrers`; and
 * the writers for `--format json` (indented, Go escaping) and `--format go-template`.
 */
import type { Descriptor } from '@oras/spec';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import type { FormatOptions } from '../options/format.js';
import { printableJson } from './escape.js';

/** A descriptor as oras prints it, with the reference that names it. */
export interface DescriptorModel {
  /** `<repository or layout path>@<digest>`. */
  readonly reference: string;
  /** The media type. */
  readonly mediaType: string;
  /** The digest. */
  readonly digest: string;
  /** The size in bytes. */
  readonly size: number;
  /** URLs, when the descriptor has some. */
  readonly urls?: readonly string[];
  /** Annotations (keys sorted), when the descriptor has some. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The artifact type, when set. */
  readonly artifactType?: string;
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as string;
  return out;
}

/** The model of a descriptor under a name (a repository like `localhost:5000/hello`, or a layout path). */
export function descriptorModel(name: string, desc: Descriptor): DescriptorModel {
  return {
    reference: `${name}@${desc.digest}`,
    mediaType: desc.mediaType,
    digest: desc.digest,
    size: desc.size,
    ...(desc.urls?.length ? { urls: desc.urls } : {}),
    ...(desc.annotations && Object.keys(desc.annotations).length > 0
      ? { annotations: sortedRecord(desc.annotations) }
      : {}),
    ...(desc.artifactType ? { artifactType: desc.artifactType } : {}),
  };
}

/**
 * The model `oras push` prints: the descriptor plus `referenceAsTags`, in the sorted order oras
 * prints them (`v1,latest` gives `…:latest`, `…:v1`), whatever order the tags were named in.
 */
export function pushModel(name: string, desc: Descriptor, tags: readonly string[]) {
  return { ...descriptorModel(name, desc), referenceAsTags: [...tags].sort().map((t) => `${name}:${t}`) };
}

/** One pulled file in the model `oras pull` prints. */
export interface PulledFileModel extends DescriptorModel {
  /** The absolute path written (a directory ends with the path separator). */
  readonly path: string;
}

/** The model `oras pull` prints. */
export function pullModel(reference: string, files: readonly PulledFileModel[]) {
  return { reference, files };
}

/** A node of the model `oras discover` prints: a descriptor and its referrers, nested. */
export interface DiscoverModel extends DescriptorModel {
  /** The referrers of this node. */
  readonly referrers: readonly DiscoverModel[];
}

/**
 * JSON as oras prints it: two-space indent, `<`, `>` and `&` escaped as Go does; besides, the
 * characters a terminal acts on (C1 controls, bidi and zero-width characters) that Go would leave
 * raw are escaped too ({@link printableJson}), which decodes to the same value.
 */
export function goJson(value: unknown, indent = 2): string {
  return printableJson(
    JSON.stringify(value, null, indent).replace(
      /[<>&]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
}

/**
 * Writes a result in the chosen format: the `text` callback's lines, indented JSON, or the
 * template applied to the JSON model. The Go template engine (150 KB of source) is loaded only
 * for `--format go-template`.
 */
export async function writeResult(
  ctx: CliContext,
  format: FormatOptions,
  model: unknown,
  text: () => string,
): Promise<void> {
  switch (format.type) {
    case 'json':
      ctx.stdout.write(`${goJson(model)}\n`);
      return;
    case 'go-template': {
      const { compileTemplate, TemplateError } = await import('./template.js');
      let out: string;
      try {
        out = compileTemplate(format.template ?? '').execute(JSON.parse(JSON.stringify(model)));
      } catch (error) {
        if (error instanceof TemplateError) {
          // Go's template writes as it runs: what came before the failure is out already
          if (error.partial !== '') ctx.stdout.write(error.partial);
          throw new CliError(`template: ${error.message}`, { cause: error });
        }
        throw error;
      }
      ctx.stdout.write(out);
      return;
    }
    default:
      ctx.stdout.write(text());
  }
}
