/**
 * Platforms as `oras --platform` takes them, `os[/arch[/variant]][:os_version]`, with the usual
 * normalisations (`x86_64` is `amd64`, `aarch64` and `arm64/v8` are `arm64`, ...) and oras-go's
 * matching rule.
 * @see https://github.com/opencontainers/image-spec/blob/main/image-index.md#platform-variants
 */
import { arch, endianness } from 'node:os';
import { InvalidPlatformError } from './errors.js';
import type { Platform } from './types.js';

const EXPECTED_FORM = '<os>[/<arch>[/<variant>]][:<os_version>]';

/** One component: letters, digits, `_`, `.` and `-` (the characters containerd accepts). */
const COMPONENT_PATTERN = /^[A-Za-z0-9_.-]+$/;

const MAX_SHOWN = 80;

function show(value: string): string {
  return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value);
}

/** Options for {@link parsePlatform}. */
export interface ParsePlatformOptions {
  /**
   * The architecture when the text names only an OS (`linux`). Default: this machine's, in Go's
   * names (`amd64`, `arm64`, ...), as oras uses `runtime.GOARCH`.
   */
  readonly defaultArchitecture?: string;
}

/** This machine's architecture in Go's `GOARCH` names. */
function hostArchitecture(): string {
  const node = arch();
  switch (node) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    case 'ppc64':
      return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
    case 'mipsel':
      return 'mipsle';
    default:
      return node;
  }
}

/**
 * Parses `os[/arch[/variant]][:os_version]`, e.g. `linux/arm64`, `linux/arm/v7` or
 * `windows/amd64:10.0.17763.1040`. An OS alone takes the default architecture. The result is as
 * written; {@link normalizePlatform} gives the canonical names. Throws {@link InvalidPlatformError}.
 */
export function parsePlatform(text: string, options: ParsePlatformOptions = {}): Platform {
  const fail = (reason: string): InvalidPlatformError =>
    new InvalidPlatformError(`invalid platform ${show(String(text))}: ${reason}; expected ${EXPECTED_FORM}`);
  if (typeof text !== 'string' || text.length === 0) throw fail('empty platform');
  const colon = text.indexOf(':');
  const spec = colon < 0 ? text : text.slice(0, colon);
  const osVersion = colon < 0 ? undefined : text.slice(colon + 1);
  const parts = spec.split('/');
  if (parts.length > 3) throw fail('too many "/"-separated parts');
  const [os = '', architecture = options.defaultArchitecture ?? hostArchitecture(), variant] = parts;
  const named: ReadonlyArray<readonly [string, string | undefined]> = [
    ['os', os],
    ['architecture', architecture],
    ['variant', variant],
    ['os version', osVersion],
  ];
  for (const [name, value] of named) {
    if (value === undefined) continue;
    if (value === '') throw fail(`empty ${name}`);
    if (!COMPONENT_PATTERN.test(value)) {
      throw fail(`invalid ${name} ${show(value)}: use letters, digits, "_", "." and "-"`);
    }
  }
  const platform: Platform = { architecture, os };
  if (osVersion !== undefined) platform['os.version'] = osVersion;
  if (variant !== undefined) platform.variant = variant;
  return platform;
}

/** Formats a platform as `os/arch[/variant][:os_version]`, the form {@link parsePlatform} reads. */
export function formatPlatform(platform: Platform): string {
  let text = `${platform.os}/${platform.architecture}`;
  if (platform.variant) text += `/${platform.variant}`;
  if (platform['os.version']) text += `:${platform['os.version']}`;
  return text;
}

/** The canonical architecture and variant for the many names in use. */
function normalizeArchitecture(architecture: string, variant: string): [string, string] {
  switch (architecture) {
    case 'i386':
    case 'i486':
    case 'i586':
    case 'i686':
    case 'x86':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? '' : variant];
    case 'aarch64':
    case 'arm64':
      switch (variant) {
        case '8':
        case 'v8':
        case 'v8.0':
          return ['arm64', ''];
        case '9':
        case '9.0':
        case 'v9.0':
          return ['arm64', 'v9'];
        default:
          return ['arm64', /^[0-9]/.test(variant) ? `v${variant}` : variant];
      }
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      return ['arm', /^[5-8]$/.test(variant) ? `v${variant}` : variant];
    default:
      return [architecture, variant];
  }
}

/**
 * The canonical form of a platform: lower-case OS and architecture (`macos` is `darwin`), and the
 * Go architecture names (`x86_64` → `amd64`, `aarch64` → `arm64`, `arm64/v8` → `arm64`,
 * `armhf` → `arm/v7`, `armel` → `arm/v6`, `i386` → `386`, `arm/7` → `arm/v7`). Other fields are
 * kept; the input is not changed.
 */
export function normalizePlatform(platform: Platform): Platform {
  let os = platform.os.toLowerCase();
  if (os === 'macos') os = 'darwin';
  const [architecture, variant] = normalizeArchitecture(
    platform.architecture.toLowerCase(),
    (platform.variant ?? '').toLowerCase(),
  );
  const result: Platform = { ...platform, architecture, os };
  if (variant === '') delete result.variant;
  else result.variant = variant;
  return result;
}

/**
 * Whether a platform `got` satisfies the platform asked for, by oras-go's rule after normalising
 * both: the same OS and architecture; the same variant and OS version when `want` names them; and
 * every OS feature `want` lists among `got`'s. A missing `got` never matches.
 */
export function matchPlatform(want: Platform, got: Platform | undefined): boolean {
  if (got === undefined || got === null) return false;
  const w = normalizePlatform(want);
  const g = normalizePlatform(got);
  if (w.os !== g.os || w.architecture !== g.architecture) return false;
  if (w.variant && w.variant !== g.variant) return false;
  if (w['os.version'] && w['os.version'] !== g['os.version']) return false;
  const features = w['os.features'] ?? [];
  return features.every((feature) => g['os.features']?.includes(feature) === true);
}
