/** The referrers tag schema: the index a registry without the referrers API keeps. */
import { digestOf, type Descriptor, MediaType, OrasError, serializeIndex } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import {
  MAX_INDEX_UPDATE_ATTEMPTS,
  MAX_SETTLE_MS,
  MIN_SETTLE_MS,
  referrersTag,
  settleDelay,
} from './tag-schema.js';
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

describe('settleDelay', () => {
  it('is twice the write, between its bounds, plus up to a quarter at random', () => {
    expect(settleDelay(40, () => 0)).toBe(80);
    expect(settleDelay(40, () => 1)).toBe(100);
    expect(settleDelay(1, () => 0)).toBe(MIN_SETTLE_MS);
    expect(settleDelay(60_000, () => 0)).toBe(MAX_SETTLE_MS);
    expect(settleDelay(60_000, () => 1)).toBe(MAX_SETTLE_MS * 1.25);
  });
});

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

  it('writes the changes that wait for their turn together, in one write', async () => {
    await setup({ referrersApi: false });
    const r = repo({ referrersCapability: false });
    const subjectBytes = manifestBytes();
    const subject = descOf(MANIFEST, subjectBytes);
    await r.push(subject, subjectBytes);
    const referrers = Array.from({ length: 8 }, (_, i) => {
      const bytes = manifestBytes({ artifactType: `application/x-r${i}`, subject });
      return { desc: { ...descOf(MANIFEST, bytes), artifactType: `application/x-r${i}` }, bytes };
    });
    const tag = referrersTag(subject.digest);
    fx.registry.requests.length = 0;
    await Promise.all(referrers.map(({ desc, bytes }) => r.push(desc, bytes)));
    const writes = fx.registry.requests.filter(
      (q) => q.method === 'PUT' && q.url.endsWith(`/manifests/${tag}`),
    );
    // the first change is written alone; the 7 that arrive meanwhile wait, then go in one write
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(writes.length).toBeLessThanOrEqual(3);
    const listed = (await collect(repo().referrers(subject))).map((d) => d.digest);
    expect(listed.sort()).toEqual(referrers.map((x) => x.desc.digest).sort());
  });

  describe('when another process writes the index at the same time', () => {
    /** Another writer's move: the tag now names an index of `referrers`. */
    function writeElsewhere(subject: Descriptor, referrers: Descriptor[]): void {
      const bytes = Buffer.from(
        serializeIndex({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: referrers }),
      );
      fx.registry.manifests
        .get('test/repo')!
        .set(digestOf(bytes), { mediaType: MediaType.ImageIndex, bytes });
      fx.registry.tags.get('test/repo')!.set(referrersTag(subject.digest), digestOf(bytes));
    }

    async function subjectAndReferrer(name: string) {
      const r = repo({ referrersCapability: false });
      const subjectBytes = manifestBytes();
      const subject = descOf(MANIFEST, subjectBytes);
      await r.push(subject, subjectBytes);
      const bytes = manifestBytes({ artifactType: `application/x-${name}`, subject });
      return {
        r,
        subject,
        desc: { ...descOf(MANIFEST, bytes), artifactType: `application/x-${name}` },
        bytes,
      };
    }

    /** Our subject and referrer, the referrer another writer puts in (`by`), and a check that both are listed. */
    async function raceCase(by: string) {
      await setup({ referrersApi: false });
      const ours = await subjectAndReferrer('ours');
      const theirs = { ...descOf(MANIFEST, manifestBytes({ annotations: { by } })), artifactType: 'x' };
      const bothListed = async () => {
        const listed = (await collect(repo().referrers(ours.subject))).map((d) => d.digest);
        expect(listed.sort()).toEqual([ours.desc.digest, theirs.digest].sort());
      };
      return { ...ours, theirs, bothListed };
    }

    it('reads the index again and merges when the tag moved between the read and the write', async () => {
      const { r, subject, desc, bytes, theirs, bothListed } = await raceCase('them');
      let moved = false;
      fx.registry.fault = (req) => {
        if (!moved && req.method === 'HEAD' && req.url?.includes(referrersTag(subject.digest))) {
          moved = true;
          writeElsewhere(subject, [theirs]);
        }
        return false;
      };
      await r.push(desc, bytes);
      expect(moved).toBe(true);
      await bothListed();
    });

    it('merges again when a writer right after it dropped its referrer', async () => {
      const { r, subject, desc, bytes, theirs, bothListed } = await raceCase('them');
      let put = false;
      let overwritten = false;
      fx.registry.fault = (req) => {
        const onTag = req.url?.includes(referrersTag(subject.digest));
        if (onTag && req.method === 'PUT') put = true;
        else if (onTag && put && !overwritten && req.method === 'GET') {
          overwritten = true;
          writeElsewhere(subject, [theirs]);
        }
        return false;
      };
      await r.push(desc, bytes);
      expect(overwritten).toBe(true);
      await bothListed();
    });

    it('looks once more after a pause, and merges again when a late writer dropped its referrer', async () => {
      const { r, subject, desc, bytes, theirs, bothListed } = await raceCase('late');
      // another process that compared the tag before our PUT, and whose PUT lands after our
      // first read back: it names only its own referrer
      let put = false;
      let readsAfterPut = 0;
      fx.registry.fault = (req) => {
        const onTag = req.url?.includes(referrersTag(subject.digest));
        if (onTag && req.method === 'PUT') put = true;
        else if (onTag && put && req.method === 'GET' && ++readsAfterPut === 2)
          writeElsewhere(subject, [theirs]);
        return false;
      };
      const started = performance.now();
      await r.push(desc, bytes);
      expect(readsAfterPut).toBeGreaterThanOrEqual(3);
      expect(performance.now() - started).toBeGreaterThanOrEqual(MIN_SETTLE_MS);
      await bothListed();
    });

    it('writes the index again when the registry did not find a manifest it lists (one pushed again meanwhile)', async () => {
      await setup({ referrersApi: false });
      const { r, subject, desc, bytes } = await subjectAndReferrer('ours');
      let refused = 0;
      fx.registry.fault = (req, res) => {
        if (refused === 0 && req.method === 'PUT' && req.url?.includes(referrersTag(subject.digest))) {
          refused++;
          // what docker-registry answers when a listed manifest's link reads empty while rewritten
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              errors: [
                { code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' },
                { code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: desc.digest },
              ],
            }),
          );
          return true;
        }
        return false;
      };
      await r.push(desc, bytes);
      expect(refused).toBe(1);
      const listed = (await collect(repo().referrers(subject))).map((d) => d.digest);
      expect(listed).toEqual([desc.digest]);
    });

    it('fails, never silently, when the index keeps moving', async () => {
      await setup({ referrersApi: false });
      const { r, subject, desc, bytes } = await subjectAndReferrer('ours');
      let moves = 0;
      fx.registry.fault = (req) => {
        if (req.method === 'HEAD' && req.url?.includes(referrersTag(subject.digest))) {
          moves++;
          writeElsewhere(subject, [{ ...desc, digest: digestOf(Buffer.from(`other ${moves}`)) }]);
        }
        return false;
      };
      const err = await r.push(desc, bytes).catch((e: unknown) => e);
      expect(OrasError.is(err)).toBe(true);
      expect((err as Error).message).toMatch(/referrers index changed by other writers 10 times in a row/);
      expect(moves).toBe(MAX_INDEX_UPDATE_ATTEMPTS);
    });
  });
});
