/** The referrers API: filters and pages. */
import { SizeExceedsLimitError, TooManyPagesError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { referrersTag } from './tag-schema.js';
import {
  collect,
  isA,
  pushSubjectAndReferrers,
  useRepositoryFixture,
} from '../../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('referrers API', () => {
  it('uses the referrers API and filters by artifactType', async () => {
    await setup({ referrersApi: true });
    const r = repo();
    const { subject, sig } = await pushSubjectAndReferrers(r);
    expect(r.referrersCapability).toBe(true);
    const all = await collect(r.referrers(subject));
    expect(all).toHaveLength(2);
    const sigs = await collect(r.referrers(subject, { artifactType: 'application/x-sig' }));
    expect(sigs.map((d) => d.digest)).toEqual([sig.digest]);
    expect(fx.registry.tags.get('test/repo')?.has(referrersTag(subject.digest))).toBeFalsy();
  });

  it('filters on the client when the registry did not', async () => {
    await setup({ referrersApi: true, filterReferrers: false });
    const r = repo();
    const { subject, sbom } = await pushSubjectAndReferrers(r);
    const got = await collect(r.referrers(subject, { artifactType: 'application/x-sbom' }));
    expect(got.map((d) => d.digest)).toEqual([sbom.digest]);
  });

  it('follows referrers pages and stops at the page limit', async () => {
    await setup({ referrersApi: true, referrersPageSize: 1 });
    const r = repo();
    const { subject } = await pushSubjectAndReferrers(r);
    const pages: number[] = [];
    for await (const p of r.referrers(subject)) pages.push(p.length);
    expect(pages).toEqual([1, 1]);
    await expect(collect(repo({ referrerListMaxPages: 1 }).referrers(subject))).rejects.toSatisfy(
      isA(TooManyPagesError),
    );
  });

  it('refuses a referrers page over maxListPageBytes, naming the subject and the limit', async () => {
    await setup({ referrersApi: true });
    const { subject } = await pushSubjectAndReferrers(repo());
    const listing = collect(repo({ maxListPageBytes: 64 }).referrers(subject));
    await expect(listing).rejects.toSatisfy(isA(SizeExceedsLimitError));
    await expect(listing).rejects.toThrow(
      new RegExp(`referrers of ${subject.digest}: response body exceeds the limit of 64 bytes`),
    );
  });
});
