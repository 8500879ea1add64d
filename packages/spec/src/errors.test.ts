import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidDigestError, NotFoundError, OrasError } from './errors.js';

describe('OrasError', () => {
  it('carries a stable code, a lower-case message and a cause', () => {
    const cause = new Error('socket hang up');
    const err = new NotFoundError('sha256:ab: not found', { cause });
    expect(err.code).toBe(ErrorCode.NotFound);
    expect(err.name).toBe('NotFoundError');
    expect(err.message).toBe('sha256:ab: not found');
    expect(err.cause).toBe(cause);
  });

  it('recognises errors by brand and code, not by class identity', () => {
    const foreign = Object.assign(new Error('x'), {
      code: ErrorCode.NotFound,
      [Symbol.for('@oras/error')]: true,
    });
    expect(NotFoundError.is(foreign)).toBe(true);
    expect(OrasError.is(foreign)).toBe(true);
    expect(InvalidDigestError.is(foreign)).toBe(false);
    expect(OrasError.is(new Error('plain'))).toBe(false);
    expect(OrasError.is(null)).toBe(false);
    expect(OrasError.is('ORAS_ERR_NOT_FOUND')).toBe(false);
  });

  it('lets a subclass be built with an explicit code', () => {
    const err = new OrasError('custom', { code: ErrorCode.Denied });
    expect(err.code).toBe('ORAS_ERR_DENIED');
  });
});
