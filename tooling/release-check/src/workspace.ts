/** What the workspace is about to release: every package under packages/ that is not private. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../../..');

/** A package as its package.json in the workspace describes it. */
export interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  /** Its folder. */
  readonly dir: string;
}

/** The publishable packages of the workspace (`packages/*`, not private), by name. */
export function releasedPackages(): Map<string, WorkspacePackage> {
  const out = new Map<string, WorkspacePackage>();
  for (const entry of readdirSync(join(ROOT, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(ROOT, 'packages', entry.name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      private?: boolean;
    };
    if (!manifest.private) out.set(manifest.name, { name: manifest.name, version: manifest.version, dir });
  }
  return out;
}

/** One package in an npm project's package-lock.json. */
export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  /** Where npm downloaded it from. */
  readonly resolved: string;
  /** Its path in the project, such as `node_modules/a/node_modules/b`. */
  readonly path: string;
}

/** Every package npm installed into `project`, nested copies included, from its package-lock.json. */
export function lockedPackages(project: string): LockedPackage[] {
  const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { name?: string; version?: string; resolved?: string; link?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path]) => path !== '')
    .map(([path, entry]) => ({
      name: entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version ?? '',
      resolved: entry.resolved ?? '',
      path,
    }));
}
