import { defineConfig } from 'vitest/config';

// No source aliases: this package checks the published packages, installed from a registry.
// The steps share one registry and build on each other, so they run in order, in one file.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    sequence: { concurrent: false },
  },
});
