/** Tags, in pages. */
import { TooManyPagesError } from '@oras/spec';
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
});
