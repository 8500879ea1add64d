/**
 * What push and attach pack: `<file>[:<mediaType>]` arguments, `-a key=value` annotations and the
 * annotation file (`$manifest`, `$config` and per-file keys).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { CliError } from '../errors.js';

/** The key of manifest annotations in an annotation file. */
export const MANIFEST_ANNOTATION_KEY = '$manifest';
/** The key of config annotations in an annotation file. */
export const CONFIG_ANNOTATION_KEY = '$config';

/** A file argument. */
export interface FileRef {
  /** The path, as typed (relative to the working directory). */
  readonly path: string;
  /** The media type after the last `:`, or `undefined` for the default. */
  readonly mediaType: string | undefined;
}

/**
 * Parses `<file>[:<mediaType>]` from the last colon, as oras does: `hi.txt:text/plain`;
 * `hi:txt:` is the file `hi:txt` with the default media type (a trailing colon escapes one in the name).
 */
export function parseFileRef(
  ref: string,
  options: { readonly disablePathValidation?: boolean } = {},
): FileRef {
  const i = ref.lastIndexOf(':');
  let path = ref;
  let mediaType: string | undefined;
  if (i >= 0 && !/^[A-Za-z]:[\\/][^:]*$/.test(ref)) {
    path = ref.slice(0, i);
    mediaType = ref.slice(i + 1) || undefined;
  }
  if (path.trim() === '') throw new CliError(`found empty file path in "${ref}"`);
  if (!options.disablePathValidation && isAbsolute(path)) {
    throw new CliError(`absolute file path detected: ${path}`, {
      hint: "If it's intentional, use --disable-path-validation flag to skip this check.",
    });
  }
  return { path, mediaType };
}

/** Annotations for the manifest, the config and each file. */
export interface PackAnnotations {
  /** Manifest annotations. */
  readonly manifest: Record<string, string>;
  /** Config annotations. */
  readonly config: Record<string, string>;
  /** Annotations per file name. */
  readonly files: Record<string, Record<string, string>>;
}

/** Parses `key=value` pairs, refusing a pair without `=` or a repeated key. */
export function parseAnnotationFlags(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new CliError(`annotation value doesn't match the required format of "key=value": ${v}`);
    const key = v.slice(0, i);
    if (key in out) throw new CliError(`duplicate annotation key: ${key}`);
    out[key] = v.slice(i + 1);
  }
  return out;
}

function stringRecord(value: unknown, where: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(`invalid annotation file: ${where} is not an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new CliError(`invalid annotation file: ${where}.${k} is not a string`);
    out[k] = v;
  }
  return out;
}

/** Reads the annotation flags and file; they cannot be used together. */
export async function loadAnnotations(
  flags: readonly string[],
  file: string | undefined,
): Promise<PackAnnotations> {
  if (file !== undefined && flags.length > 0) {
    throw new CliError('--annotation and --annotation-file cannot be both specified');
  }
  if (file === undefined) return { manifest: parseAnnotationFlags(flags), config: {}, files: {} };
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw error;
    throw new CliError(`failed to load annotation file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const all = stringRecordOfRecords(doc);
  const { [MANIFEST_ANNOTATION_KEY]: manifest = {}, [CONFIG_ANNOTATION_KEY]: config = {}, ...files } = all;
  return { manifest, config, files };
}

function stringRecordOfRecords(doc: unknown): Record<string, Record<string, string>> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CliError('invalid annotation file: not a JSON object');
  }
  const out: Record<string, Record<string, string>> = {};
  for (const [k, v] of Object.entries(doc)) out[k] = stringRecord(v, k);
  return out;
}
