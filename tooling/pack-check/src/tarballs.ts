/**
 * Packing our packages and installing their tarballs into throwaway consumer projects with plain
 * npm, the way a user installs them from the registry.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's root folder. */
export const root = resolve(import.meta.dirname, '../../..');

/** The published packages, by folder name under `packages/`. */
export const packages = ['spec', 'auth', 'content', 'registry', 'cli'] as const;

/** The folder name of a published package. */
export type PackageDir = (typeof packages)[number];

/** Runs a command and returns its standard output; throws with its standard error on failure. */
export function run(cmd: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env === undefined ? {} : { env }),
  });
}

/** Runs a command that may fail and returns its exit status and output. */
export function attempt(
  cmd: string,
  args: readonly string[],
  cwd: string,
): { status: number; output: string } {
  try {
    return { status: 0, output: run(cmd, args, cwd) };
  } catch (err) {
    const { status, stdout, stderr } = err as { status?: number; stdout?: string; stderr?: string };
    return { status: status ?? 1, output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}

/** `pnpm pack`s every package into `dir`; returns each package's tarball by package name. */
export function packAll(dir: string): Map<string, string> {
  for (const pkg of packages) {
    run('pnpm', ['pack', '--pack-destination', dir], join(root, 'packages', pkg));
  }
  const tarballs = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tgz'))) {
    tarballs.set(manifestOf(join(dir, file)).name as string, join(dir, file));
  }
  return tarballs;
}

/** The paths in a tarball, without the leading `package/`. */
export function listTarball(file: string): string[] {
  return run('tar', ['-tzf', file], root)
    .trim()
    .split('\n')
    .map((entry) => entry.replace(/^package\//, ''));
}

/** A file of a tarball, as text. */
export function readFromTarball(file: string, path: string): string {
  return run('tar', ['-xzOf', file, `package/${path}`], root);
}

/** The `package.json` of a tarball. */
export function manifestOf(file: string): Record<string, unknown> {
  return JSON.parse(readFromTarball(file, 'package.json')) as Record<string, unknown>;
}

/** Makes `dir` an ESM consumer project and `npm install`s the given tarballs and packages into it. */
export function install(dir: string, specs: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], dir);
}

/** Every package folder under `dir/node_modules`, nested ones included, by package name. */
export function installedPackages(dir: string): string[] {
  const names: string[] = [];
  const walk = (modules: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(modules);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(modules, entry))) {
          names.push(`${entry}/${scoped}`);
          walk(join(modules, entry, scoped, 'node_modules'));
        }
        continue;
      }
      names.push(entry);
      walk(join(modules, entry, 'node_modules'));
    }
  };
  walk(join(dir, 'node_modules'));
  return names;
}

/** The ```ts code blocks of a Markdown text. */
export function typeScriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}
