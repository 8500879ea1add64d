/**
 * Shared vitest settings for every package. Our packages are resolved to their TypeScript sources,
 * so a package's tests never depend on another package having been built first.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const src = (pkg: string, file = 'index.ts') => `${root}packages/${pkg}/src/${file}`;

/** Maps each `@oras/*` import (and subpath export) to its source file. */
export const sourceAliases = [
  { find: /^@oras\/content\/(memory|oci|file)$/, replacement: `${root}packages/content/src/$1/index.ts` },
  { find: /^@oras\/(spec|auth|content|registry|cli)$/, replacement: `${root}packages/$1/src/index.ts` },
];

export function sharedConfig(overrides: UserConfig['test'] = {}): UserConfig {
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

export { src };
