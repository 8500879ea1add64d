/**
 * Where a command reads or writes: a registry reference, or an OCI image layout with
 * `--oci-layout` (`<path>[:<tag>|@<digest>]`) or `--oci-layout-path <dir>` (the argument is then
 * only the tag or digest, so a tag may hold a colon). Parsing only; `../targets.ts` opens them.
 */
import { ErrorCode, isDigest, parseReference, parseReferenceWithTags, type Reference } from '@oras/spec';
import type { Options } from 'yargs';
import { CliError, referenceHint } from '../errors.js';
import type { FlagPrefix } from './remote.js';

/** A registry target. */
export interface RegistryTargetSpec {
  /** Always `registry`. */
  readonly kind: 'registry';
  /** The argument as typed, without extra tags. */
  readonly raw: string;
  /** The parsed reference (its tag is the first of the list). */
  readonly reference: Reference;
  /** Every tag named with commas, the reference's own first. */
  readonly tags: readonly string[];
}

/** An OCI image layout target. */
export interface LayoutTargetSpec {
  /** Always `oci-layout`. */
  readonly kind: 'oci-layout';
  /** The argument as typed, without extra tags. */
  readonly raw: string;
  /** The layout's directory (or tar file, for reading). */
  readonly path: string;
  /** The tag or digest, if any. */
  readonly reference: string | undefined;
  /** Every tag named with commas, the reference's own first. */
  readonly tags: readonly string[];
}

/** A parsed target. */
export type TargetSpec = RegistryTargetSpec | LayoutTargetSpec;

/** The yargs definitions of `--oci-layout` and `--oci-layout-path`, with a prefix for `cp`. */
export function targetFlags(prefix: FlagPrefix = ''): Record<string, Options> {
  const group = prefix === '' ? 'Target Flags:' : `${prefix === 'from-' ? 'Source' : 'Destination'} Flags:`;
  const what = prefix === 'from-' ? 'source' : prefix === 'to-' ? 'destination' : 'target';
  return {
    [`${prefix}oci-layout`]: {
      type: 'boolean',
      describe: `[Preview] set ${what} as an OCI image layout`,
      group,
    },
    [`${prefix}oci-layout-path`]: {
      type: 'string',
      describe: `[Experimental] set the path for the ${what} OCI image layout; the argument is then a tag or digest`,
      group,
    },
  };
}

/** The `[registry] ref` / `[oci-layout] ref` form oras prints. */
export function annotatedReference(spec: TargetSpec, ref: string = spec.raw): string {
  return `[${spec.kind}] ${ref}`;
}

/** Options of {@link parseTarget}. */
export interface ParseTargetOptions {
  /** The flag prefix (`from-`/`to-` for `cp`). */
  readonly prefix?: FlagPrefix;
  /** Accept extra tags after commas (push, cp destination). */
  readonly allowTags?: boolean;
  /** The form of reference the command expects, for the hint of a parse error. */
  readonly form?: string;
}

/** Splits `path[:tag|@digest]` at the last `@`, or at the last `:` that is not part of the path. */
export function splitLayoutReference(arg: string): { path: string; reference: string | undefined } {
  const at = arg.lastIndexOf('@');
  if (at > 0 && isDigest(arg.slice(at + 1))) return { path: arg.slice(0, at), reference: arg.slice(at + 1) };
  const colon = arg.lastIndexOf(':');
  if (colon > 0 && !arg.slice(colon + 1).includes('/') && !/^[A-Za-z]:$/.test(arg.slice(0, colon + 1))) {
    return { path: arg.slice(0, colon), reference: arg.slice(colon + 1) };
  }
  return { path: arg, reference: undefined };
}

/** Parses a target argument with the target flags of `argv`. Throws {@link CliError} with oras's hint. */
export function parseTarget(
  arg: string,
  argv: Record<string, unknown>,
  options: ParseTargetOptions = {},
): TargetSpec {
  const prefix = options.prefix ?? '';
  const layoutPath = argv[`${prefix}oci-layout-path`];
  const isLayout = argv[`${prefix}oci-layout`] === true || typeof layoutPath === 'string';
  if (isLayout) {
    if (argv[`${prefix}header`] !== undefined && (argv[`${prefix}header`] as unknown[]).length > 0) {
      throw new CliError(`custom header flag \`--${prefix}header\` is not supported for OCI image layout`);
    }
    let path: string;
    let reference: string | undefined;
    let rest = arg;
    let extra: string[] = [];
    if (options.allowTags) [rest = '', ...extra] = arg.split(',');
    if (typeof layoutPath === 'string') {
      path = layoutPath;
      reference = rest === '' ? undefined : rest;
    } else {
      ({ path, reference } = splitLayoutReference(rest));
    }
    if (path === '') throw new CliError(`invalid OCI layout reference "${arg}": missing path`);
    const tags = [...(reference !== undefined && !isDigest(reference) ? [reference] : []), ...extra];
    return { kind: 'oci-layout', raw: rest, path, reference, tags };
  }
  const form = options.form ?? '<registry>/<repo>[:tag|@digest]';
  try {
    if (options.allowTags) {
      const { reference, tags } = parseReferenceWithTags(arg);
      return { kind: 'registry', raw: arg.split(',')[0] ?? arg, reference, tags };
    }
    const reference = parseReference(arg);
    return {
      kind: 'registry',
      raw: arg,
      reference,
      tags: reference.tag === undefined ? [] : [reference.tag],
    };
  } catch (error) {
    throw new CliError((error as Error).message, {
      code: ErrorCode.InvalidReference,
      cause: error,
      hint: referenceHint(form),
    });
  }
}

/** The tag or digest of a target, or an error with the form the command expects. */
export function requireReference(spec: TargetSpec, form: string): string {
  const ref = spec.kind === 'registry' ? spec.reference.reference : spec.reference;
  if (ref === undefined || ref === '') {
    throw new CliError(`no tag or digest specified in "${spec.raw}"`, { hint: referenceHint(form) });
  }
  return ref;
}

/** The yargs definition of `--distribution-spec`. */
export function distributionSpecFlags(prefix: FlagPrefix = ''): Record<string, Options> {
  return {
    [`${prefix}distribution-spec`]: {
      type: 'string',
      choices: ['v1.1-referrers-api', 'v1.1-referrers-tag'],
      describe: '[Preview] set OCI distribution spec version and API option for the referrers API',
      group: prefix === '' ? 'Remote Flags:' : `${prefix === 'from-' ? 'Source' : 'Destination'} Flags:`,
    },
  };
}

/** The referrers capability `--distribution-spec` forces: `true` (API), `false` (tag schema) or unknown. */
export function referrersCapability(
  argv: Record<string, unknown>,
  prefix: FlagPrefix = '',
): boolean | undefined {
  const v = argv[`${prefix}distribution-spec`];
  return v === 'v1.1-referrers-api' ? true : v === 'v1.1-referrers-tag' ? false : undefined;
}
