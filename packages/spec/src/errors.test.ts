import { describe, expect, it } from 'vitest';
import {
  ConnectionError,
  ErrorCode,
  findError,
  InvalidDigestError,
  NotFoundError,
  OrasError,
  TimeoutError,
} from './errors.js';

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

describe('findError', () => {
  it('finds an error of a kind down the cause chain, by class or by code', () => {
    const missing = new NotFoundError('sha256:ab: not found');
    const wrapped = new OrasError('copy failed: source: fetch sha256:ab', {
      cause: missing,
      code: ErrorCode.Copy,
    });
    expect(NotFoundError.is(wrapped)).toBe(false);
    expect(findError(wrapped, NotFoundError)).toBe(missing);
    expect(findError(wrapped, ErrorCode.NotFound)).toBe(missing);
    expect(findError(wrapped, OrasError)).toBe(wrapped);
    expect(findError(wrapped, InvalidDigestError)).toBeUndefined();
  });

  it('looks into the errors of an AggregateError and through plain errors', () => {
    const timeout = new TimeoutError('GET x: timed out (no response)', { host: 'registry.example' });
    const aggregate = new AggregateError(
      [new Error('first'), new Error('second', { cause: timeout })],
      'both failed',
    );
    const top = new Error('outer', { cause: aggregate });
    expect(findError(top, TimeoutError)).toBe(timeout);
    expect(findError(top, TimeoutError)?.host).toBe('registry.example');
  });

  it('finds errors of another copy of the package by their brand', () => {
    const foreign = Object.assign(new Error('x'), {
      code: ErrorCode.NotFound,
      [Symbol.for('@oras/error')]: true,
    });
    expect(findError(new Error('outer', { cause: foreign }), NotFoundError)).toBe(foreign);
  });

  it('stops on a cycle and on values that are not errors', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(findError(a, NotFoundError)).toBeUndefined();
    expect(findError(undefined, NotFoundError)).toBeUndefined();
    expect(findError('ORAS_ERR_NOT_FOUND', ErrorCode.NotFound)).toBeUndefined();
  });
});

describe('ConnectionError and TimeoutError', () => {
  it('carry the host and the system code, with the network and timeout codes', () => {
    const refused = new ConnectionError('cannot reach localhost:5999: connection refused', {
      host: 'localhost:5999',
      systemCode: 'ECONNREFUSED',
    });
    expect(refused.code).toBe(ErrorCode.Network);
    expect(refused.name).toBe('ConnectionError');
    expect(ConnectionError.is(refused)).toBe(true);
    expect(TimeoutError.is(refused)).toBe(false);
    expect(new TimeoutError('x').code).toBe(ErrorCode.Timeout);
  });
});
