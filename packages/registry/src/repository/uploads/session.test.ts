/** Upload sessions: opening, closing, cancelling. */
import { UnsafeError } from '@oras/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import { descOf, enc, isA, useRepositoryFixture } from '../../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('upload session', () => {
  beforeEach(() => setup());

  it('refuses an upload location on another origin', async () => {
    fx.registry.fault = (req, res) => {
      if (req.method === 'POST') {
        res.writeHead(202, { location: 'http://evil.example/upload' });
        res.end();
        return true;
      }
      return false;
    };
    const data = enc.encode('x');
    await expect(repo().push(descOf('application/octet-stream', data), data)).rejects.toSatisfy(
      isA(UnsafeError),
    );
  });
});
