/**
 * The flags of every `oras` command as oras 1.3 declares them, recorded by hand from oras's
 * sources (`cmd/oras/root/*.go`, `cmd/oras/root/<group>/*.go`, `cmd/oras/internal/option/*.go`)
 * and the help oras-www generated from them (`versioned_docs/version-1.3/commands`). It is the
 * yardstick of `help-oras.test.ts`, not a snapshot of our own output: when ours differs, ours is
 * wrong, unless the difference is one of {@link OUR_EXTRAS} (documented in the package README).
 *
 * Where oras 1.3 releases disagreed on a detail (the words of `--no-tty`, whether a flag carries
 * a mark), the detail is left out (`mark: 'any'`) rather than guessed.
 */

/** A mark oras puts before a description. */
export type Mark = 'Preview' | 'Experimental' | 'Deprecated';

/** One flag as oras declares it. */
export interface OrasFlag {
  /** The one-letter shorthand. */
  readonly short?: string;
  /**
   * The value name pflag shows after the flag (`string`, `int`, `path` ...); none for a boolean;
   * `any` where ours cannot name it as pflag does.
   */
  readonly type?: string;
  /** The mark at the head of its description; `any` where oras releases differ. */
  readonly mark?: Mark | 'any';
  /** What pflag shows in `(default ...)`; none for a zero default. */
  readonly default?: string;
  /** Hidden from help (pflag's `MarkDeprecated` or `MarkHidden`), still accepted. */
  readonly hidden?: boolean;
}

/** One command as oras declares it. */
export interface OrasCommand {
  /** The usage line (`Use`, with the parent path). */
  readonly usage?: string;
  /** Other names. */
  readonly aliases?: readonly string[];
  /** The mark at the head of its short and long description. */
  readonly mark?: Mark;
  /** The sub-commands of a group. */
  readonly children?: readonly string[];
  /** The flags, `-h/--help` left out. */
  readonly flags: Readonly<Record<string, OrasFlag>>;
}

const bool: OrasFlag = {};
const str: OrasFlag = { type: 'string' };

/** `option.Common`: `-d/--debug`. */
const COMMON = { debug: { short: 'd' } } satisfies Record<string, OrasFlag>;

/** `option.Remote`, with a prefix for the two ends of `cp` (which have no stdin flags). */
function remote(prefix: '' | 'from-' | 'to-' = ''): Record<string, OrasFlag> {
  const own = prefix === '';
  return {
    [`${prefix}ca-file`]: str,
    [`${prefix}cert-file`]: str,
    [`${prefix}key-file`]: str,
    [`${prefix}header`]: { ...(own ? { short: 'H' } : {}), type: 'stringArray' },
    [`${prefix}identity-token`]: str,
    [`${prefix}insecure`]: bool,
    [`${prefix}password`]: { ...(own ? { short: 'p' } : {}), type: 'string' },
    [`${prefix}plain-http`]: bool,
    [`${prefix}registry-config`]: { type: 'path' },
    [`${prefix}resolve`]: { type: 'host:port:address[:address_port]' },
    [`${prefix}username`]: { ...(own ? { short: 'u' } : {}), type: 'string' },
    ...(own ? { 'password-stdin': bool, 'identity-token-stdin': bool } : {}),
  };
}

/** `option.Target`: the remote flags and `--oci-layout`. */
const TARGET = { ...remote(), 'oci-layout': bool };
/** `--oci-layout-path` (1.3, experimental). */
const LAYOUT_PATH = { 'oci-layout-path': { mark: 'Experimental', type: 'string' } } satisfies Record<
  string,
  OrasFlag
>;
/** `--no-tty` of the commands that show progress. */
const NO_TTY = { 'no-tty': { mark: 'Preview' } } satisfies Record<string, OrasFlag>;
/** The per-command `-v/--verbose` oras 1.3 deprecates (`MarkDeprecated`, so hidden), on by default. */
const DEPRECATED_VERBOSE = { verbose: { short: 'v', hidden: true } } satisfies Record<string, OrasFlag>;
/** `option.Format`: `--format` with its default, `--template`. */
function format(fallback: string): Record<string, OrasFlag> {
  return {
    format: { mark: 'Experimental', type: 'string', default: JSON.stringify(fallback) },
    template: { mark: 'Experimental', type: 'string' },
  };
}
/** `option.Descriptor` and `option.Pretty`. */
const DESCRIPTOR = { descriptor: bool, pretty: bool };
/** `--distribution-spec`, with a prefix for the ends of `cp`. */
function distributionSpec(prefix = ''): Record<string, OrasFlag> {
  return { [`${prefix}distribution-spec`]: { mark: 'Preview', type: 'string' } };
}
const PLATFORM_TYPE = 'os[/arch][/variant][:os_version]';
/** `option.Platform`. */
const PLATFORM = { platform: { type: PLATFORM_TYPE } };

/** oras 1.3's commands, by path. */
export const ORAS_COMMANDS: Readonly<Record<string, OrasCommand>> = {
  'oras attach': {
    mark: 'Preview',
    usage:
      'oras attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} {<file>[:<layer_media_type>]|--annotation <key>=<value>} [...]',
    flags: {
      ...COMMON,
      ...TARGET,
      ...NO_TTY,
      ...DEPRECATED_VERBOSE,
      ...format('text'),
      ...distributionSpec(),
      annotation: { short: 'a', type: 'stringArray' },
      'annotation-file': str,
      'artifact-type': str,
      concurrency: { type: 'int', default: '5' },
      'disable-path-validation': bool,
      'export-manifest': { type: 'path' },
      platform: { mark: 'Preview', type: PLATFORM_TYPE },
    },
  },
  'oras backup': {
    mark: 'Experimental',
    usage: 'oras backup [flags] --output <path> <registry>/<repository>[:<ref1>[,<ref2>...]]',
    flags: {
      ...COMMON,
      ...remote(),
      ...NO_TTY,
      ...distributionSpec(),
      output: { short: 'o', type: 'string' },
      'include-referrers': bool,
      concurrency: { type: 'int', default: '3' },
    },
  },
  'oras blob': { children: ['delete', 'fetch', 'push'], flags: {} },
  'oras blob delete': {
    usage: 'oras blob delete [flags] <name>@<digest>',
    aliases: ['remove', 'rm'],
    flags: { ...COMMON, ...TARGET, ...DESCRIPTOR, force: { short: 'f' } },
  },
  'oras blob fetch': {
    usage: 'oras blob fetch [flags] {--output <file> | --descriptor} <name>@<digest>',
    aliases: ['get'],
    flags: { ...COMMON, ...TARGET, ...NO_TTY, ...DESCRIPTOR, output: { short: 'o', type: 'path' } },
  },
  'oras blob push': {
    usage: 'oras blob push [flags] <name>[@digest] <file>',
    flags: {
      ...COMMON,
      ...TARGET,
      ...LAYOUT_PATH,
      ...NO_TTY,
      ...DEPRECATED_VERBOSE,
      ...DESCRIPTOR,
      'media-type': { type: 'string', default: '"application/vnd.oci.image.layer.v1.tar"' },
      size: { type: 'int', default: '-1' },
    },
  },
  'oras completion': { children: ['bash', 'fish', 'powershell', 'zsh'], flags: {} },
  'oras completion bash': { flags: { 'no-descriptions': bool } },
  'oras completion fish': { flags: { 'no-descriptions': bool } },
  'oras completion powershell': { flags: { 'no-descriptions': bool } },
  'oras completion zsh': { flags: { 'no-descriptions': bool } },
  'oras cp': {
    usage: 'oras cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]',
    aliases: ['copy'],
    flags: {
      ...COMMON,
      ...NO_TTY,
      ...DEPRECATED_VERBOSE,
      ...remote('from-'),
      ...remote('to-'),
      'from-oci-layout': bool,
      'to-oci-layout': bool,
      ...distributionSpec('from-'),
      ...distributionSpec('to-'),
      concurrency: { type: 'int', default: '3' },
      ...PLATFORM,
      recursive: { short: 'r', mark: 'Preview' },
      resolve: { type: 'host:port:address[:address_port]' },
    },
  },
  'oras discover': {
    mark: 'Preview',
    usage: 'oras discover [flags] <name>{:<tag>|@<digest>}',
    flags: {
      ...COMMON,
      ...TARGET,
      ...distributionSpec(),
      ...PLATFORM,
      ...format('tree'),
      'artifact-type': str,
      output: { short: 'o', type: 'string', mark: 'Deprecated', default: '"tree"' },
    },
  },
  'oras login': { usage: 'oras login [flags] <registry>', flags: { ...COMMON, ...remote() } },
  'oras logout': {
    usage: 'oras logout [flags] <registry>',
    flags: { ...COMMON, 'registry-config': { type: 'any' } },
  },
  'oras manifest': { children: ['delete', 'fetch', 'fetch-config', 'index', 'push'], flags: {} },
  'oras manifest delete': {
    usage: 'oras manifest delete [flags] <name>{:<tag>|@<digest>}',
    aliases: ['remove', 'rm'],
    flags: { ...COMMON, ...TARGET, ...DESCRIPTOR, ...distributionSpec(), force: { short: 'f' } },
  },
  'oras manifest fetch': {
    usage: 'oras manifest fetch [flags] <name>{:<tag>|@<digest>}',
    aliases: ['get'],
    flags: {
      ...COMMON,
      ...TARGET,
      ...DESCRIPTOR,
      ...PLATFORM,
      ...format('text'),
      // pflag's `strings` (a comma-separated slice); ours is a repeatable stringArray
      'media-type': { type: 'any' },
      output: { short: 'o', type: 'path' },
    },
  },
  'oras manifest fetch-config': {
    usage: 'oras manifest fetch-config [flags] <name>{:<tag>|@<digest>}',
    aliases: ['get-config'],
    flags: { ...COMMON, ...TARGET, ...DESCRIPTOR, ...PLATFORM, output: { short: 'o', type: 'path' } },
  },
  'oras manifest index': { mark: 'Experimental', children: ['create', 'update'], flags: {} },
  'oras manifest index create': {
    mark: 'Experimental',
    usage: 'oras manifest index create [flags] <target>[:<tag[,<tag>][...]] <sources>[{<tag>|<digest>}...]',
    aliases: ['pack'],
    flags: {
      ...COMMON,
      ...TARGET,
      ...LAYOUT_PATH,
      annotation: { short: 'a', type: 'stringArray' },
      'artifact-type': str,
      output: { short: 'o', type: 'path' },
      pretty: bool,
    },
  },
  'oras manifest index update': {
    mark: 'Experimental',
    flags: {
      ...COMMON,
      ...TARGET,
      add: { type: 'stringArray' },
      merge: { type: 'stringArray' },
      remove: { type: 'stringArray' },
      tag: { type: 'stringArray' },
      'artifact-type': str,
      output: { short: 'o', type: 'path' },
      pretty: bool,
    },
  },
  'oras manifest push': {
    usage: 'oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>',
    flags: {
      ...COMMON,
      ...TARGET,
      ...NO_TTY,
      ...DESCRIPTOR,
      ...distributionSpec(),
      concurrency: { type: 'int', default: '5' },
      'media-type': str,
    },
  },
  'oras pull': {
    usage: 'oras pull [flags] <name>{:<tag>|@<digest>}',
    flags: {
      ...COMMON,
      ...TARGET,
      ...LAYOUT_PATH,
      ...NO_TTY,
      ...DEPRECATED_VERBOSE,
      ...format('text'),
      ...PLATFORM,
      'allow-path-traversal': { short: 'T' },
      concurrency: { type: 'int', default: '3' },
      config: str,
      'include-subject': bool,
      'keep-old-files': { short: 'k' },
      output: { short: 'o', type: 'string', default: '"."' },
    },
  },
  'oras push': {
    usage: 'oras push [flags] <name>[:<tag>[,<tag>][...]] <file>[:<type>] [...]',
    flags: {
      ...COMMON,
      ...TARGET,
      ...LAYOUT_PATH,
      ...NO_TTY,
      ...DEPRECATED_VERBOSE,
      ...format('text'),
      annotation: { short: 'a', type: 'stringArray' },
      'annotation-file': str,
      'artifact-platform': { mark: 'Experimental', type: PLATFORM_TYPE },
      'artifact-type': str,
      concurrency: { type: 'int', default: '5' },
      config: { type: 'path' },
      'disable-path-validation': bool,
      'export-manifest': { type: 'path' },
      // oras writes this default into the description itself
      'image-spec': {
        mark: 'Preview',
        type: 'string',
        default: 'v1.1, overridden to v1.0 if --config is used without --artifact-type',
      },
    },
  },
  'oras repo': { aliases: ['repository'], children: ['ls', 'tags'], flags: {} },
  'oras repo ls': {
    usage: 'oras repo ls [flags] <registry>',
    aliases: ['list'],
    flags: { ...COMMON, ...remote(), last: { type: 'last' } },
  },
  'oras repo tags': {
    usage: 'oras repo tags [flags] <name>',
    aliases: ['show-tags'],
    flags: { ...COMMON, ...TARGET, last: { type: 'last' }, 'exclude-digest-tags': { mark: 'Preview' } },
  },
  'oras resolve': {
    mark: 'Experimental',
    usage: 'oras resolve [flags] <name>{:<tag>|@<digest>}',
    aliases: ['digest'],
    flags: { ...COMMON, ...TARGET, ...PLATFORM, 'full-reference': { short: 'l' } },
  },
  'oras restore': {
    mark: 'Experimental',
    usage: 'oras restore [flags] --input <path> <registry>/<repository>[:<ref1>[,<ref2>...]]',
    flags: {
      ...COMMON,
      ...remote(),
      ...NO_TTY,
      ...distributionSpec(),
      input: str,
      'exclude-referrers': bool,
      'dry-run': bool,
      concurrency: { type: 'int', default: '5' },
    },
  },
  'oras tag': {
    usage: 'oras tag [flags] <name>{:<tag>|@<digest>} <new_tag> [...]',
    flags: { ...COMMON, ...TARGET, concurrency: { type: 'int', default: '5' } },
  },
  'oras version': { usage: 'oras version', flags: {} },
};

/**
 * Flags ours has beyond oras's, by command path (`*`: every command), each documented in the
 * package README's "Differences from oras". Every other visible flag must be oras's.
 */
export const OUR_EXTRAS: Readonly<Record<string, readonly string[]>> = {
  '*': ['progress', 'no-tty', 'debug', 'oci-layout-path', 'depth', 'verbose'],
  'oras attach': ['config'],
  'oras pull': ['max-unpack-size'],
  'oras cp': ['format', 'template', 'from-oci-layout-path', 'to-oci-layout-path'],
  'oras repo ls': ['format', 'template'],
  'oras repo tags': ['format', 'template'],
  'oras manifest index update': ['annotation', 'annotation-file'],
};

/** Shorthands ours adds to a flag oras has without one. */
export const OUR_EXTRA_SHORTHANDS: Readonly<Record<string, string>> = { 'registry-config': 'c' };
