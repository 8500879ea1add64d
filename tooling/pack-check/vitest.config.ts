import { defineConfig } from 'vitest/config';

// No source aliases here: this package tests the built, packed packages as users install them.
// One file at a time: each runs npm installs, which would only compete for the same two cores.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
