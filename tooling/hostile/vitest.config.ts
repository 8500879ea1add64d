import { sharedConfig } from '../../vitest.shared.js';

/**
 * The suite runs the built `oras` as a child process; every run has its own timeout (a hang is a
 * failure, never a stuck suite), so the test timeout only has to cover a few runs in a row. Files
 * run one at a time: each moves 64 MiB artifacts and the machine has two cores.
 */
export default sharedConfig({
  testTimeout: 180_000,
  hookTimeout: 120_000,
  fileParallelism: false,
});
