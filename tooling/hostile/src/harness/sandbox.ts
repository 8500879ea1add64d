/**
 * A sandbox per case: one temp folder holding the run's HOME, TMPDIR, working folder, output
 * folder and an `outside` folder that no run may touch. Since every path a run uses lives under
 * the sandbox, a snapshot of the sandbox is a snapshot of everything the run could have written
 * (but the CLI's code cache, see `CODE_CACHE`).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OrasRun, type RunOrasOptions, runOras } from './oras.js';
import { type TreeSnapshot, snapshotTree } from './tree.js';

/**
 * The CLI's own caches in the run's HOME: its V8 code cache (`~/.cache/oras/*.v8cache`, see
 * packages/cli/src/compile-cache.ts), which the first command of a sandbox writes, and the digests
 * of large files it pushed (`~/.cache/oras/pushed-digests.json`, packages/cli/src/packing/
 * digest-hints.ts); a killed run may leave their temporary files. They are no file of the user's
 * and no case's subject, so snapshots leave them out (packages/cli/test/e2e/compile-cache.test.ts
 * and digest-hints.test.ts test them).
 */
const CODE_CACHE = /^home\/\.cache(\/oras(\/([^/]+\.v8cache|pushed-digests\.json)(\.\d+\.tmp)?)?)?$/;

/** Options of {@link Sandbox.run}: everything of {@link RunOrasOptions} but the sandbox's folders. */
export type SandboxRunOptions = Omit<RunOrasOptions, 'home' | 'tmp' | 'cwd'> & { readonly cwd?: string };

/** A case's private corner of the file system. */
export interface Sandbox {
  /** The sandbox itself. */
  readonly root: string;
  /** HOME of every run (DOCKER_CONFIG is `<home>/.docker`). */
  readonly home: string;
  /** TMPDIR of every run. */
  readonly tmp: string;
  /** The working folder of every run, where the user's files to push live. */
  readonly work: string;
  /** The output folder of pulls. */
  readonly out: string;
  /** A folder with a file in it that must never change. */
  readonly outside: string;
  /** Runs `oras` with the sandbox's HOME, TMPDIR and working folder. */
  run(args: readonly string[], options?: SandboxRunOptions): Promise<OrasRun>;
  /** Every entry under the sandbox. */
  snapshot(): Promise<TreeSnapshot>;
  /** Removes the sandbox. */
  remove(): Promise<void>;
}

/** Creates a sandbox under the OS temp folder. */
export async function createSandbox(prefix = 'oras-hostile-'): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const sandbox: Sandbox = {
    root,
    home: join(root, 'home'),
    tmp: join(root, 'tmp'),
    work: join(root, 'work'),
    out: join(root, 'out'),
    outside: join(root, 'outside'),
    run: (args, options = {}) =>
      runOras(args, { cwd: sandbox.work, ...options, home: sandbox.home, tmp: sandbox.tmp }),
    snapshot: async () => new Map([...(await snapshotTree(root))].filter(([path]) => !CODE_CACHE.test(path))),
    remove: () => rm(root, { recursive: true, force: true }),
  };
  for (const dir of [
    sandbox.home,
    join(sandbox.home, '.docker'),
    sandbox.tmp,
    sandbox.work,
    sandbox.out,
    sandbox.outside,
  ]) {
    await mkdir(dir, { recursive: true });
  }
  return sandbox;
}
