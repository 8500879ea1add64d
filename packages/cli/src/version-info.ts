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

let cached: string | undefined;

/** The version of `@oras/cli`, read once from its package.json. */
export function cliVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    cached = pkg.version;
  }
  return cached;
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
