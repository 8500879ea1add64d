/** Tags, in pages. */
import { SizeExceedsLimitError, TooManyPagesError } from '@oras/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  collect,
  descOf,
  isA,
  MANIFEST,
  manifestBytes,
  useRepositoryFixture,
} from '../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('tags', () => {
  beforeEach(() => setup());

  it('lists tags with Link pagination and last', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    for (const t of ['a', 'b', 'c', 'd', 'e']) await repo().pushReference(desc, bytes, t);
    const pages: string[][] = [];
    for await (const p of repo({ tagListPageSize: 2 }).tags()) pages.push(p);
    expect(pages).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(await collect(repo({ tagListPageSize: 2 }).tags({ last: 'c' }))).toEqual(['d', 'e']);
    await expect(collect(repo({ tagListPageSize: 2, tagListMaxPages: 2 }).tags())).rejects.toSatisfy(
      isA(TooManyPagesError),
    );
  });

  it('refuses a page over maxListPageBytes, naming the limit, after yielding the pages before it', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    const long = (c: string) => c.repeat(100);
    for (const t of ['a', 'b', long('c'), long('d')]) await repo().pushReference(desc, bytes, t);
    const pages: string[][] = [];
    const listing = (async () => {
      for await (const p of repo({ tagListPageSize: 2, maxListPageBytes: 100 }).tags()) pages.push(p);
    })();
    await expect(listing).rejects.toSatisfy(isA(SizeExceedsLimitError));
    await expect(listing).rejects.toThrow(/tags\/list: response body exceeds the limit of 100 bytes/);
    expect(pages).toEqual([['a', 'b']]);
  });

  it('asks for a page again from the start when it broke mid-body and the registry ignores Range', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    const tags = Array.from({ length: 40 }, (_, i) => `tag-${String(i).padStart(2, '0')}`);
    for (const t of tags) await repo().pushReference(desc, bytes, t);
    const page = Buffer.from(JSON.stringify({ name: 'test/repo', tags }));
    const ranges: string[] = [];
    fx.registry.fault = (req, res) => {
      if (!req.url?.includes('/tags/list')) return false;
      ranges.push(req.headers.range ?? '');
      // as distribution: the whole list whatever Range asks; the first answer stops halfway
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(page.length) });
      if (ranges.length > 1) res.end(page);
      else {
        res.write(page.subarray(0, 200));
        setTimeout(() => res.destroy(), 20);
      }
      return true;
    };
    expect(await collect(repo().tags())).toEqual(tags);
    expect(ranges).toEqual(['', `bytes=200-${page.length - 1}`, '']);
  });

  it('caps pages at maxMetadataBytes when only that is given', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().pushReference(desc, bytes, 'x'.repeat(100));
    await expect(collect(repo({ maxMetadataBytes: 64 }).tags())).rejects.toSatisfy(
      isA(SizeExceedsLimitError),
    );
    expect(await collect(repo({ maxMetadataBytes: 64, maxListPageBytes: 1024 }).tags())).toEqual([
      'x'.repeat(100),
    ]);
  });
});
