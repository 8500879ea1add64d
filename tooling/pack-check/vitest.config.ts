import { defineConfig } from 'vitest/config';

// No source aliases here: this package tests the built, packed packages as users install them.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 },
});
