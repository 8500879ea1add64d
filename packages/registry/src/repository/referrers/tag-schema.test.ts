/** The referrers tag schema: the index a registry without the referrers API keeps. */
import { describe, expect, it } from 'vitest';
import { referrersTag } from './tag-schema.js';
import {
  collect,
  descOf,
  MANIFEST,
  manifestBytes,
  pushSubjectAndReferrers,
  useRepositoryFixture,
} from '../../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('referrers tag schema', () => {
  it('maintains the tag-schema index when the registry has no referrers API', async () => {
    await setup({ referrersApi: false });
    const r = repo();
    const { subject, sig, sbom } = await pushSubjectAndReferrers(r);
    expect(r.referrersCapability).toBe(false);
    const tag = referrersTag(subject.digest);
    expect(fx.registry.tags.get('test/repo')?.has(tag)).toBe(true);
    const listed = await collect(repo().referrers(subject));
    expect(listed.map((d) => d.digest).sort()).toEqual([sig.digest, sbom.digest].sort());
    expect(listed.find((d) => d.digest === sig.digest)?.artifactType).toBe('application/x-sig');
    // the replaced index was garbage-collected: only the subject, two referrers and one index remain
    expect(fx.registry.manifests.get('test/repo')?.size).toBe(4);
    await r.delete(sig);
    const after = await collect(repo().referrers(subject, { artifactType: 'application/x-sig' }));
    expect(after).toEqual([]);
    expect((await collect(repo().referrers(subject))).map((d) => d.digest)).toEqual([sbom.digest]);
  });

  it('keeps old indexes with skipReferrersGc', async () => {
    await setup({ referrersApi: false });
    const r = repo({ skipReferrersGc: true });
    await pushSubjectAndReferrers(r);
    expect(fx.registry.manifests.get('test/repo')?.size).toBe(5);
  });

  it('empties the tag-schema index when the last referrer is deleted, with or without GC', async () => {
    for (const skipReferrersGc of [false, true]) {
      await setup({ referrersApi: false });
      const r = repo({ skipReferrersGc });
      const { subject, sig, sbom } = await pushSubjectAndReferrers(r);
      await r.delete(sig);
      await r.delete(sbom);
      expect(await collect(repo().referrers(subject)), `skipReferrersGc ${skipReferrersGc}`).toEqual([]);
    }
  });

  it('ignores a fallback tag that answers with the subject itself', async () => {
    await setup({ referrersApi: false });
    const r = repo();
    const subjectBytes = manifestBytes();
    const subject = descOf(MANIFEST, subjectBytes);
    await r.pushReference(subject, subjectBytes, referrersTag(subject.digest));
    expect(await collect(r.referrers(subject))).toEqual([]);
  });
});
