import { describe, expect, it } from 'vitest';
import { PACKAGE_NAME } from './index.js';

// Placeholder until the package's issue fills it: proves the package builds, loads and tests run.
describe('cli package', () => {
  it('loads', () => {
    expect(PACKAGE_NAME).toBe('@oras/cli');
  });
});
