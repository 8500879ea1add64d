/**
 * The push half of the fault cases: the user's files in the sandbox's working folder, pushed with
 * the built `oras`, and the checks on the outcome (the user's files untouched; after success the
 * registry holds the artifact, after a failure no manifest that points at missing blobs).
 */
import type { TestRegistry } from '@oras-internal/test-registry';
import { eitherProblems, successProblems } from '../harness/outcome.js';
import type { Sandbox } from '../harness/sandbox.js';
import { diffTrees } from '../harness/tree.js';
import { type ArtifactFile, brokenManifests, registryProblems } from './big-artifact.js';

/** The repository the fault cases push to. */
export const PUSH_REPO = 'hostile/big';

/** Options of {@link pushThrough}. */
export interface PushThroughOptions {
  /** The registry part of the reference (a proxy in front of the registry, say). */
  readonly host?: string;
  /** Failure is allowed when its error line matches this. */
  readonly mayFail?: RegExp;
  /** More flags. */
  readonly flags?: readonly string[];
  /** More environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long the run may take before it counts as a hang (default 90 s). */
  readonly timeoutMs?: number;
}

/** Pushes the artifact's files to `<host>/hostile/big:v1`; resolves to the run and what is wrong. */
export async function pushThrough(
  box: Sandbox,
  registry: TestRegistry,
  files: readonly ArtifactFile[],
  options: PushThroughOptions = {},
) {
  const before = await box.snapshot();
  const run = await box.run(
    [
      'push',
      `${options.host ?? registry.host}/${PUSH_REPO}:v1`,
      ...files.map((f) => f.name),
      '--plain-http',
      ...(options.flags ?? []),
    ],
    { timeoutMs: options.timeoutMs ?? 90_000, ...(options.env ? { env: options.env } : {}) },
  );
  const diff = diffTrees(before, await box.snapshot());
  const problems = options.mayFail ? eitherProblems(run, options.mayFail) : successProblems(run);
  problems.push(...[...diff.added, ...diff.removed, ...diff.changed].map((p) => `the push changed ${p}`));
  if (run.code === 0) problems.push(...registryProblems(registry, PUSH_REPO, 'v1', files));
  else problems.push(...brokenManifests(registry, PUSH_REPO, ['v1']));
  return { run, problems };
}
