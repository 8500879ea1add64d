import { describe, expect, it } from 'vitest';
import { redactHeaders, redactUrl } from './redact.js';

describe('redactHeaders', () => {
  it('keeps the scheme of Authorization and hides its value', () => {
    expect(redactHeaders({ Authorization: 'Bearer abc.def', accept: 'application/json' })).toEqual({
      Authorization: 'Bearer <redacted>',
      accept: 'application/json',
    });
  });

  it('hides cookies and token headers, and every value of a repeated header', () => {
    expect(
      redactHeaders({
        'set-cookie': ['a=1', 'b=2'],
        cookie: 'c=3',
        'x-amz-security-token': 't',
        'x-my-api-token': 'k',
        'content-length': 12,
        skipped: undefined,
      }),
    ).toEqual({
      'set-cookie': ['<redacted>', '<redacted>'],
      cookie: '<redacted>',
      'x-amz-security-token': '<redacted>',
      'x-my-api-token': '<redacted>',
      'content-length': '12',
    });
  });

  it('hides the signature of a presigned URL in Location and Link, absolute or relative', () => {
    // found by the hostile suite: `oras pull --debug` printed the 307 Location of a blob redirect,
    // signature and all
    expect(
      redactHeaders({
        location: 'https://storage.example/blobs/sha256:ab?sig=5ec2e7&X-Amz-Signature=deadbeef&repo=a',
        'content-location': '/v2/a/b/blobs/uploads/u1?_state=s1&token=t0ken',
        link: '</v2/a/b/tags/list?n=2&last=b&token=t0ken>; rel="next"',
        'content-length': '0',
      }),
    ).toEqual({
      location: 'https://storage.example/blobs/sha256:ab?sig=<redacted>&X-Amz-Signature=<redacted>&repo=a',
      'content-location': '/v2/a/b/blobs/uploads/u1?_state=s1&token=<redacted>',
      link: '</v2/a/b/tags/list?n=2&last=b&token=<redacted>>; rel="next"',
      'content-length': '0',
    });
    const plain = '/v2/a/b/blobs/uploads/u2?_state=abc';
    expect(redactHeaders({ location: plain }).location).toBe(plain);
  });
});

describe('redactUrl', () => {
  it('hides signatures and tokens in presigned URLs and keeps the rest', () => {
    const got = redactUrl(
      'https://bucket.s3.amazonaws.com/blob?X-Amz-Credential=AKIA&X-Amz-Signature=deadbeef&X-Amz-Expires=60',
    );
    expect(got).toBe(
      'https://bucket.s3.amazonaws.com/blob?X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>&X-Amz-Expires=60',
    );
  });

  it('hides a password in the URL', () => {
    expect(redactUrl(new URL('https://user:hunter2@example.com/v2/'))).not.toContain('hunter2');
  });

  it('leaves registry URLs alone', () => {
    const url = 'https://r.example/v2/a/b/tags/list?n=100&last=v1';
    expect(redactUrl(url)).toBe(url);
  });

  it('drops the query of something that is not a URL', () => {
    expect(redactUrl('/v2/a?token=abc')).toBe('/v2/a?<redacted>');
  });
});
