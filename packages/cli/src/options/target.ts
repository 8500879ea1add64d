/**
 * Where a command reads or writes: a registry reference, or an OCI image layout with
 * `--oci-layout` (`<path>[:<tag>|@<digest>]`) or `--oci-layout-path <dir>` (the argument is then
 * only the tag or digest, so a tag may hold a colon), with the remote flags of a registry.
 * Parsing only; `../targets.ts` opens them.
 */
import { checkChoice } from './choice.js';
import {
  ErrorCode,
  isDigest,
  isValidTag,
  parseReference,
  parseReferenceWithTags,
  type Reference,
} from '@oras/spec';
import type { Options } from 'yargs';
import type { CliContext } from '../context.js';
import { CliError, goQuote } from '../errors.js';
import {
  hasEmptyReference,
  INVALID_REFERENCE_HINT,
  invalidReferenceError,
  MissingReferenceError,
  referenceProblem,
} from '../reference-errors.js';
import { flagSet, type OptionGroup, type ParsedArgs } from './flag-set.js';
import { type FlagPrefix, type RemoteOptions, remoteOptions } from './remote.js';

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

/** The `[registry] ref` / `[oci-layout] ref` form oras prints. */
export function annotatedReference(spec: TargetSpec, ref: string = spec.raw): string {
  return `[${spec.kind}] ${ref}`;
}

/** Options of {@link parseTargetSpec}. */
export interface ParseTargetOptions {
  /** Accept extra tags after commas (push, cp destination). */
  readonly allowTags?: boolean;
  /**
   * The form of reference the command expects. Not printed: oras's reference hints name one form
   * for every command.
   */
  readonly form?: string;
}

/** Splits `path[:tag|@digest]` at the last `@`, or at the last `:` that is not part of the path. */
export function splitLayoutReference(arg: string): { path: string; reference: string | undefined } {
  const at = arg.lastIndexOf('@');
  if (at > 0 && isDigest(arg.slice(at + 1))) return { path: arg.slice(0, at), reference: arg.slice(at + 1) };
  const colon = arg.lastIndexOf(':');
  if (colon > 0 && !arg.slice(colon + 1).includes('/') && !/^[A-Za-z]:$/.test(arg.slice(0, colon + 1))) {
    // `dir:` (an empty tag) names the layout itself, as in oras
    return { path: arg.slice(0, colon), reference: arg.slice(colon + 1) || undefined };
  }
  return { path: arg, reference: undefined };
}

/** How the target flags name an OCI image layout. */
export interface LayoutFlags {
  /** `--oci-layout`: the argument is `<path>[:<tag>|@<digest>]`. */
  readonly ociLayout?: boolean | undefined;
  /** `--oci-layout-path <dir>`: the argument is only the tag or digest. */
  readonly ociLayoutPath?: string | undefined;
}

/** Parses a target argument; `layout` says whether it names an OCI image layout. Throws {@link CliError} with oras's hint. */
export function parseTargetSpec(
  arg: string,
  layout: LayoutFlags = {},
  options: ParseTargetOptions = {},
): TargetSpec {
  const layoutPath = layout.ociLayoutPath;
  if (layout.ociLayout === true || layoutPath !== undefined) {
    let path: string;
    let reference: string | undefined;
    let rest = arg;
    let extra: string[] = [];
    if (options.allowTags) [rest = '', ...extra] = arg.split(',');
    if (layoutPath !== undefined) {
      path = layoutPath;
      reference = rest === '' ? undefined : rest;
    } else {
      ({ path, reference } = splitLayoutReference(rest));
    }
    if (path === '') throw new CliError(`invalid OCI layout reference "${arg}": missing path`);
    const tags = [...(reference !== undefined && !isDigest(reference) ? [reference] : []), ...extra];
    return { kind: 'oci-layout', raw: rest, path, reference, tags };
  }
  // oras-go reads `registry/repo:` and `registry/repo@` as the repository without a reference
  const text = hasEmptyReference(arg) ? arg.slice(0, -1) : arg;
  try {
    if (options.allowTags) {
      const { reference, tags } = parseReferenceWithTags(text);
      return { kind: 'registry', raw: arg.split(',')[0] ?? arg, reference, tags };
    }
    const reference = parseReference(text);
    return {
      kind: 'registry',
      raw: arg,
      reference,
      tags: reference.tag === undefined ? [] : [reference.tag],
    };
  } catch (error) {
    const [first = '', ...extra] = options.allowTags ? arg.split(',') : [arg];
    const badTag = extra.find((tag) => !isValidTag(tag));
    if (referenceProblem(first) === undefined && badTag !== undefined) {
      // the reference is fine: a tag of the list is not
      throw new CliError(`${goQuote(arg)}: invalid reference: invalid tag ${goQuote(badTag)}`, {
        code: ErrorCode.InvalidReference,
        cause: error,
        hint: INVALID_REFERENCE_HINT,
      });
    }
    throw invalidReferenceError(first, error);
  }
}

/**
 * The tag or digest of a target, or oras's error for a reference without one (`no tag or digest
 * specified`, or `no digest specified` when `tagAllowed` is false).
 */
export function requireReference(spec: TargetSpec, tagAllowed = true): string {
  const ref = targetReference(spec);
  if (ref === undefined || ref === '') throw new MissingReferenceError(spec.raw, tagAllowed);
  return ref;
}

/** The tag or digest a target argument named. */
export function targetReference(spec: TargetSpec): string | undefined {
  return spec.kind === 'registry' ? spec.reference.reference : spec.reference;
}

/** The group title of a flag set: its own, or the end of `cp` it belongs to. */
function groupTitle(prefix: FlagPrefix, own: string): string {
  return prefix === '' ? own : `${prefix === 'from-' ? 'Source' : 'Destination'} Flags:`;
}

/** The values of `--distribution-spec`, in oras's order. */
export const DISTRIBUTION_SPECS = ['v1.1-referrers-tag', 'v1.1-referrers-api'] as const;

/** `--distribution-spec`: forces the referrers API or the tag schema. */
export function distributionSpecOptions(prefix: FlagPrefix = ''): OptionGroup<boolean | undefined> {
  const FLAGS = flagSet(
    {
      'distribution-spec': {
        type: 'string',
        describe: `[Preview] set OCI distribution spec version and API option for ${prefix === 'from-' ? 'source ' : prefix === 'to-' ? 'destination ' : ''}target. Options: ${DISTRIBUTION_SPECS.join(', ')}`,
        group: groupTitle(prefix, 'Remote Flags:'),
      },
    },
    prefix,
  );
  return {
    flags: () => FLAGS.flags(),
    /** The referrers capability it forces: `true` (API), `false` (tag schema) or unknown. */
    parse(argv) {
      const spec = checkChoice(
        `${prefix}distribution-spec`,
        FLAGS.read(argv)['distribution-spec'],
        DISTRIBUTION_SPECS,
        'distribution specification',
      );
      return spec === 'v1.1-referrers-api' ? true : spec === 'v1.1-referrers-tag' ? false : undefined;
    },
  };
}

/** What a command's target flags say, parsed: a registry with its remote options, or a layout. */
export type TargetOptions<R extends string | undefined = string | undefined> = {
  /** The argument as typed (with any extra tags). */
  readonly argument: string;
  /** Its tag or digest. */
  readonly reference: R;
  /** The referrers capability `--distribution-spec` forces. */
  readonly referrersCapability: boolean | undefined;
} & (
  | {
      /** The parsed argument. */
      readonly spec: RegistryTargetSpec;
      /** The remote flags, parsed and checked. */
      readonly remote: RemoteOptions;
    }
  | {
      /** The parsed argument. */
      readonly spec: LayoutTargetSpec;
      /** A layout has no remote options. */
      readonly remote: undefined;
    }
);

/** How a command takes its target. */
export interface TargetConfig extends ParseTargetOptions {
  /** The flag prefix (`from-`/`to-` for the two ends of `cp`). */
  readonly prefix?: FlagPrefix;
  /** Offer `--oci-layout` and `--oci-layout-path` (default: yes). */
  readonly layout?: boolean;
  /** Offer `--distribution-spec`. */
  readonly distributionSpec?: boolean;
  /** Refuse an argument without a tag or digest, as oras does. */
  readonly requireReference?: boolean;
}

/** The target flags of a command: the layout flags, `--distribution-spec` and the remote flags. */
export interface TargetGroup<R extends string | undefined> {
  /** The yargs definitions. */
  flags(): Record<string, Options>;
  /**
   * Parses the target `argument` with the flags: the remote flags are parsed (checked, warned
   * about) only for a registry target, as oras does.
   */
  parse(argv: ParsedArgs, ctx: CliContext, argument: string): TargetOptions<R>;
  /** Whether `--password-stdin` or `--identity-token-stdin` was given: stdin is then not free for content. */
  secretFromStdin(argv: ParsedArgs): boolean;
}

/** The target flags of a command, with the argument they qualify. */
export function targetOptions(
  config: TargetConfig & { readonly requireReference: true },
): TargetGroup<string>;
export function targetOptions(config?: TargetConfig): TargetGroup<string | undefined>;
export function targetOptions(config: TargetConfig = {}): TargetGroup<string | undefined> {
  const prefix = config.prefix ?? '';
  // oras's words: `set target as ...`, `set source target as ...` for the ends of `cp`
  const what = prefix === 'from-' ? 'source ' : prefix === 'to-' ? 'destination ' : '';
  const group = groupTitle(prefix, 'Target Flags:');
  const LAYOUT = flagSet(
    {
      'oci-layout': {
        type: 'boolean',
        describe: `set ${what}target as an OCI image layout`,
        group,
      },
      'oci-layout-path': {
        type: 'string',
        describe: `[Experimental] set the path for the ${what}OCI image layout target`,
        group,
      },
    },
    prefix,
  );
  const withLayout = config.layout ?? true;
  // A command without the layout flags still declares them, hidden, so that yargs does not read an
  // unknown `--oci-layout` as taking the next argument; they are refused as oras refuses them.
  const HIDDEN_LAYOUT = flagSet(
    { 'oci-layout': { type: 'boolean', hidden: true }, 'oci-layout-path': { type: 'string', hidden: true } },
    prefix,
  );
  const distributionSpec = config.distributionSpec ? distributionSpecOptions(prefix) : undefined;
  const remote = remoteOptions(prefix);
  return {
    flags: () => ({
      ...(withLayout ? LAYOUT.flags() : HIDDEN_LAYOUT.flags()),
      ...distributionSpec?.flags(),
      ...remote.flags(),
    }),
    secretFromStdin: (argv) => remote.secretFromStdin(argv),
    parse(argv, ctx, argument) {
      const flags = LAYOUT.read(argv);
      if (!withLayout) {
        const given = Object.entries(HIDDEN_LAYOUT.read(argv)).find(([, v]) => v !== undefined);
        if (given) throw new CliError(`unknown flag: --${prefix}${given[0]}`);
      }
      const layout = withLayout
        ? { ociLayout: flags['oci-layout'], ociLayoutPath: flags['oci-layout-path'] }
        : {};
      if (
        (layout.ociLayout === true || layout.ociLayoutPath !== undefined) &&
        remote.headers(argv).length > 0
      ) {
        throw new CliError(`custom header flag \`--${prefix}header\` is not supported for OCI image layout`);
      }
      const spec = parseTargetSpec(argument, layout, config);
      const reference = config.requireReference ? requireReference(spec) : targetReference(spec);
      const common = {
        argument,
        reference,
        referrersCapability: distributionSpec?.parse(argv, ctx),
      };
      return spec.kind === 'registry'
        ? { ...common, spec, remote: remote.parse(argv, ctx) }
        : { ...common, spec, remote: undefined };
    },
  };
}
