/**
 * What `oras version` prints: this CLI's version and the runtime it runs on, as aligned
 * `key: value` lines like the reference CLI (which prints its Go version where we print Node's).
 */
import { readFileSync } from 'node:fs';

/** The facts `oras version` prints. */
export interface VersionInfo {
  /** The version of `@oras/cli`. */
  readonly version: string;
  /** The Node.js version running the CLI. */
  readonly nodeVersion: string;
  /** `<platform>/<arch>` of the running process. */
  readonly osArch: string;
}

/** The package whose version `oras version` prints. */
const CLI_PACKAGE_NAME = '@oras/cli';

let cached: string | undefined;

/**
 * The version of `@oras/cli`: the `version` of the package this code was installed with, read
 * once, on first use, from its package.json.
 *
 * Why read at run time: `changeset version` writes the released version into package.json and
 * nothing else, so the version printed is always the published one, with no generated file to
 * forget. The code may sit at any depth below the package root (`dist/version-info.js` today, a
 * single bundled file tomorrow), so the lookup walks up rather than assuming `../package.json`.
 */
export function cliVersion(): string {
  cached ??= readPackageVersion(new URL('.', import.meta.url));
  return cached;
}

/**
 * Walks up from the folder `from` (a `file:` URL) to the first package.json named `@oras/cli`
 * and returns its `version`; `unknown` when there is none (the code was copied out of its package).
 * A package.json without that name on the way (such as a `{"type":"module"}` marker) is skipped.
 */
export function readPackageVersion(from: URL): string {
  let dir = new URL('.', from);
  for (;;) {
    const manifest = readManifest(new URL('package.json', dir));
    if (manifest?.name === CLI_PACKAGE_NAME && typeof manifest.version === 'string') {
      return manifest.version;
    }
    const parent = new URL('..', dir);
    if (parent.href === dir.href) return 'unknown';
    dir = parent;
  }
}

function readManifest(file: URL): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined; // missing or unreadable: keep walking
  }
}

/** The `User-Agent` every request of the CLI carries: `oras-ts/<version>`. */
export function userAgent(): string {
  return `oras-ts/${cliVersion()}`;
}

/** The facts about this CLI and the process running it. */
export function versionInfo(): VersionInfo {
  return {
    version: cliVersion(),
    nodeVersion: process.version,
    osArch: `${process.platform}/${process.arch}`,
  };
}

/** Renders {@link VersionInfo} as aligned `key: value` lines. */
export function renderVersion(info: VersionInfo = versionInfo()): string {
  const rows: [string, string][] = [
    ['Version', info.version],
    ['Node.js version', info.nodeVersion],
    ['OS/Arch', info.osArch],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}\n`).join('');
}
