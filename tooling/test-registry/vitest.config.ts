import { sharedConfig } from '../../vitest.shared.js';

export default sharedConfig({ globalSetup: ['./src/global-setup.ts'] });
