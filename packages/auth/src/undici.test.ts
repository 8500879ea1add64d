import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { globalDispatcher } from './undici.js';

describe('undici parts', () => {
  it('are undici’s own', () => {
    expect(globalDispatcher()).toBe(undici.getGlobalDispatcher());
  });
});
