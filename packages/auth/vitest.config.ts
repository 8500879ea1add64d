import { sharedConfig } from '../../vitest.shared.js';

// The token-expiry tests against docker-registry wait out real token lifetimes; on a loaded
// 2-core machine they need more than the shared 30 s.
export default sharedConfig({ testTimeout: 120_000 });
