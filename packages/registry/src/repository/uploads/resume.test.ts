import { ErrorCode, OrasError, TrailingDataError } from '@oras/spec';
import { ResponseError, transportError } from '../../errors.js';
import { describe, expect, it } from 'vitest';
import { RepositoryContext } from '../context.js';
import { PlainClient } from '../../http.js';
import { useRepositoryFixture } from '../../test-support/repository-fixture.js';
import { isRestartable, isResumable, uploadStatus } from './resume.js';
import { startUpload, type UploadSession } from './session.js';

const fx = useRepositoryFixture();

describe('isResumable', () => {
  it('resumes after 5xx, 408, 416 and 429 answers, and after nothing else', () => {
    const answer = (statusCode: number) =>
      new ResponseError({ method: 'PATCH', url: 'http://r/x', statusCode });
    expect([500, 502, 503, 408, 416, 429].map((s) => isResumable(answer(s)))).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([400, 401, 403, 404, 413].map((s) => isResumable(answer(s)))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isResumable(new Error('socket hang up'))).toBe(false);
  });
});

describe('isRestartable', () => {
  it('checks whether the blob landed after a lost answer or session, and never after a refusal of the content', () => {
    const answer = (statusCode: number) =>
      new ResponseError({ method: 'PUT', url: 'http://r/x', statusCode });
    expect([404, 500, 503, 408, 429].map((s) => isRestartable(answer(s)))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([400, 401, 403, 413].map((s) => isRestartable(answer(s)))).toEqual([false, false, false, false]);
    expect(
      isRestartable(
        transportError(
          'PUT http://r/x',
          Object.assign(new Error('timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' }),
        ),
      ),
    ).toBe(true);
    expect(isRestartable(new OrasError('sent again', { code: ErrorCode.ResendRequired }))).toBe(true);
    expect(isRestartable(new TrailingDataError('too long'))).toBe(false);
    expect(isRestartable(new Error('anything else'))).toBe(false);
  });
});

describe('uploadStatus', () => {
  it('reads how many bytes the registry holds, and nothing once the session is gone', async () => {
    await fx.setup();
    const ctx = new RepositoryContext({
      reference: `${fx.registry.host}/test/repo`,
      client: new PlainClient({ dispatcher: fx.dispatcher }),
    });
    const session = (await startUpload(ctx, undefined, {})) as UploadSession;
    expect(await uploadStatus(ctx, session, {})).toBe(0);
    const id = /uploads\/([^?]+)/.exec(session.location.pathname)![1]!;
    const upload = fx.registry.uploads.get(id)!;
    upload.chunks.push(Buffer.alloc(1234));
    upload.size += 1234;
    expect(await uploadStatus(ctx, session, {})).toBe(1234);
    fx.registry.uploads.delete(id);
    expect(await uploadStatus(ctx, session, {})).toBeUndefined();
  });
});
