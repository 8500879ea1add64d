import { defineConfig } from 'vitest/config';

// No source aliases: the tool reads the built `.d.ts` files, as users' compilers do.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 120_000 },
});
