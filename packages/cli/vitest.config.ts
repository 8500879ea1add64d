import { sharedConfig } from '../../vitest.shared.js';

// The end-to-end tests run the built CLI as a child process against real registries: give them
// room on a slow, shared machine.
export default sharedConfig({ testTimeout: 180_000 });
