/**
 * Shared vitest settings for every package. Our packages are resolved to their TypeScript sources,
 * so a package's tests never depend on another package having been built first.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestUserConfig, type ViteUserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Maps each `@oras/*` import (and subpath export) to its source file. */
export const sourceAliases = [
  { find: /^@oras\/content\/(memory|oci|file|testing)$/, replacement: `${root}packages/content/src/$1/index.ts` },
  { find: /^@oras\/(spec|auth|content|registry|cli)$/, replacement: `${root}packages/$1/src/index.ts` },
];

/** The settings every package's `vitest.config.ts` starts from. */
export function sharedConfig(overrides: TestUserConfig = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias: sourceAliases },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
