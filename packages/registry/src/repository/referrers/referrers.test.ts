/** Listing referrers: the API or the tag schema, detected or forced. */
import { describe, expect, it } from 'vitest';
import { referrersTag } from './tag-schema.js';
import { pushSubjectAndReferrers, useRepositoryFixture } from '../../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('referrers', () => {
  it('honours a forced mode', async () => {
    await setup({ referrersApi: true });
    const r = repo({ referrersCapability: false });
    const { subject } = await pushSubjectAndReferrers(r);
    expect(fx.registry.tags.get('test/repo')?.has(referrersTag(subject.digest))).toBe(true);
    expect(() => r.setReferrersCapability(true)).toThrow(/already set/);
    r.setReferrersCapability(false);
  });
});
