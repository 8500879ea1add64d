/** Following the pages of a list. */
import { UnsafeError } from '@oras/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import { collect, isA, useRepositoryFixture } from '../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('paging', () => {
  beforeEach(() => setup());

  it('refuses a Link to another origin', async () => {
    fx.registry.fault = (req, res) => {
      if (req.url?.includes('/tags/list')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          link: '<http://evil.example/v2/x/tags/list?n=1>; rel="next"',
        });
        res.end(JSON.stringify({ name: 'x', tags: ['a'] }));
        return true;
      }
      return false;
    };
    await expect(collect(repo().tags())).rejects.toSatisfy(isA(UnsafeError));
  });
});
