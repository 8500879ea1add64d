/** Keeping referrers listable when a manifest with a subject is pushed or deleted. */
import { describe, expect, it } from 'vitest';
import { referrersTag } from './tag-schema.js';
import { pushSubjectAndReferrers, useRepositoryFixture } from '../../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('referrers indexing', () => {
  it('trusts OCI-Subject and skips the fallback index', async () => {
    await setup({ referrersApi: false, ociSubject: true });
    const r = repo();
    const { subject } = await pushSubjectAndReferrers(r);
    expect(fx.registry.tags.get('test/repo')?.has(referrersTag(subject.digest))).toBeFalsy();
  });
});
