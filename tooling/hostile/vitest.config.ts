import { sharedConfig } from '../../vitest.shared.js';

/**
 * The suite runs the built `oras` as a child process; every run has its own timeout (a hang is a
 * failure, never a stuck suite), so the test timeout only has to cover a few runs in a row.
 */
export default sharedConfig({
  testTimeout: 120_000,
  hookTimeout: 120_000,
  globalSetup: ['@oras-internal/test-registry/global-setup'],
  fileParallelism: false,
});
