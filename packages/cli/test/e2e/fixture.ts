/**
 * The one set-up of the CLI's end-to-end tests: a registry (Debian's docker-registry, or the
 * in-process test registry), a sandbox (a working directory with its own Docker config, holding
 * the files the tests push) and the built `oras`, run as a child process. A test file (or a
 * `describe`) asks for one with {@link withDistribution} or {@link withTestRegistry}; it is
 * started before the first test and stopped after the last.
 * Build first: `pnpm --filter @oras/cli... build`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startTestRegistry, type TestRegistry, type TestRegistryOptions } from '@oras-internal/test-registry';
import {
  type Distribution,
  type DistributionMode,
  startDistribution,
} from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll } from 'vitest';
import { type Sandbox, sandbox } from '../../src/test-support/oras-process.js';

export {
  digestLine,
  ORAS_BIN,
  type OrasRun,
  oras,
  type Sandbox,
  sh,
  sha256,
  skopeo,
} from '../../src/test-support/oras-process.js';

/** What a test file works with, ready from its first test on. */
export interface E2e<R> {
  /** The running registry. */
  readonly registry: R;
  /** Its `host:port`, the registry part of a reference. */
  readonly host: string;
  /** The sandbox `oras` runs in. */
  readonly box: Sandbox;
  /** The environment that runs a command as the sandbox does (`HOME`, `DOCKER_CONFIG`, `PATH`). */
  env(): NodeJS.ProcessEnv;
}

/** Files to write into the sandbox before the tests: path (relative, `/`-separated) to content. */
export type SandboxFiles = Readonly<Record<string, string | Uint8Array>>;

/** Options of {@link withDistribution}. */
export interface DistributionFixtureOptions {
  /** How the registry is reached: plain HTTP (default), htpasswd over TLS, or bearer tokens. */
  readonly mode?: DistributionMode;
  /** Files for the sandbox. */
  readonly files?: SandboxFiles;
}

/** Options of {@link withTestRegistry}. */
export interface TestRegistryFixtureOptions {
  /** Options of the in-process registry. */
  readonly registry?: TestRegistryOptions;
  /** Files for the sandbox. */
  readonly files?: SandboxFiles;
}

/** Writes `files` under `dir`, making folders as needed. */
async function writeFiles(dir: string, files: SandboxFiles): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

/** Registers the hooks that start a registry and a sandbox, and stop both. */
function fixture<R extends { readonly host: string }>(
  start: () => Promise<R>,
  stop: (registry: R) => Promise<void>,
  files: SandboxFiles,
): E2e<R> {
  let registry: R | undefined;
  let box: Sandbox | undefined;
  beforeAll(async () => {
    registry = await start();
    box = await sandbox();
    await writeFiles(box.dir, files);
  });
  afterAll(async () => {
    if (registry) await stop(registry);
    await box?.remove();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the e2e fixture is used before its beforeAll hook ran');
    return value;
  };
  return {
    get registry() {
      return ready(registry);
    },
    get host() {
      return ready(registry).host;
    },
    get box() {
      return ready(box);
    },
    env() {
      const { dir, dockerConfig } = ready(box);
      return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, DOCKER_CONFIG: dockerConfig };
    },
  };
}

/** A docker-registry (distribution v2.8) in `mode` and a sandbox, for the tests of a file or `describe`. */
export function withDistribution(options: DistributionFixtureOptions = {}): E2e<Distribution> {
  return fixture(
    () => startDistribution({ mode: options.mode ?? 'plain' }),
    (registry) => registry.stop(),
    options.files ?? {},
  );
}

/** The in-process test registry (referrers API, request log, faults) and a sandbox. */
export function withTestRegistry(options: TestRegistryFixtureOptions = {}): E2e<TestRegistry> {
  return fixture(
    () => startTestRegistry(options.registry),
    (registry) => registry.close(),
    options.files ?? {},
  );
}
