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

  it('hides every header that is not known to be safe, whatever its name looks like', () => {
    // the red team's finds: secret headers whose names do not start with x-
    expect(
      redactHeaders({
        'Api-Key': 'k1',
        'Ocp-Apim-Subscription-Key': 'k2',
        Authentication: 'k3',
        'Private-Token': 'k4',
        Signature: 'keyId="a",signature="k5"',
        'My-Custom': 'anything',
      }),
    ).toEqual({
      'Api-Key': '<redacted>',
      'Ocp-Apim-Subscription-Key': '<redacted>',
      Authentication: '<redacted>',
      'Private-Token': '<redacted>',
      Signature: '<redacted>',
      'My-Custom': '<redacted>',
    });
  });

  it('keeps the headers a trace needs: content, digests, ranges, upload ids, rate limits', () => {
    const safe = {
      'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
      'Content-Length': '123',
      Accept: 'application/vnd.oci.image.index.v1+json',
      'Docker-Content-Digest': 'sha256:abc',
      'Docker-Distribution-Api-Version': 'registry/2.0',
      'Docker-Upload-UUID': 'u1',
      Range: '0-99',
      'Content-Range': 'bytes 0-99/100',
      'User-Agent': 'oras/1.0',
      Date: 'Tue, 01 Jul 2025 00:00:00 GMT',
      'Retry-After': '2',
      'RateLimit-Remaining': '99;w=21600',
      'OCI-Subject': 'sha256:def',
      'OCI-Filters-Applied': 'artifactType',
      ETag: '"e"',
      'X-Request-Id': 'r1',
    };
    expect(redactHeaders(safe)).toEqual(safe);
  });

  it('keeps a challenge but the values of parameters that are not known to be safe', () => {
    expect(
      redactHeaders({
        'www-authenticate':
          'Bearer realm="https://auth.example/token?sig=abc&service=s",service="r.example",scope="repository:a/b:pull",error="invalid_token",nonce="n0nce"',
      })['www-authenticate'],
    ).toBe(
      'Bearer realm="https://auth.example/token?sig=<redacted>&service=s",service="r.example",scope="repository:a/b:pull",error="invalid_token",nonce="<redacted>"',
    );
    expect(redactHeaders({ 'WWW-Authenticate': 'Basic realm="Registry Realm"' })).toEqual({
      'WWW-Authenticate': 'Basic realm="Registry Realm"',
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
      location:
        'https://storage.example/blobs/sha256:ab?sig=<redacted>&X-Amz-Signature=<redacted>&repo=<redacted>',
      'content-location': '/v2/a/b/blobs/uploads/u1?_state=<redacted>&token=<redacted>',
      link: '</v2/a/b/tags/list?n=2&last=b&token=<redacted>>; rel="next"',
      'content-length': '0',
    });
    const plain = '/v2/a/b/blobs/uploads/u2';
    expect(redactHeaders({ location: plain }).location).toBe(plain);
  });
});

describe('redactUrl', () => {
  it('hides every query value of a presigned URL, names kept', () => {
    expect(
      redactUrl(
        'https://bucket.s3.amazonaws.com/blob?X-Amz-Credential=AKIA&X-Amz-Signature=deadbeef&X-Amz-Expires=60',
      ),
    ).toBe(
      'https://bucket.s3.amazonaws.com/blob?X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>&X-Amz-Expires=<redacted>',
    );
    // the red team's finds: CDN tokens under names no word list guesses
    expect(redactUrl('https://cdn.example/b/sha256:ab?verify=1700000000-c2lnbmF0dXJl&hmac=ff00aa')).toBe(
      'https://cdn.example/b/sha256:ab?verify=<redacted>&hmac=<redacted>',
    );
  });

  it('hides a password in the URL', () => {
    expect(redactUrl(new URL('https://user:hunter2@example.com/v2/'))).not.toContain('hunter2');
  });

  it('keeps the values of the distribution and token parameters', () => {
    for (const url of [
      'https://r.example/v2/a/b/tags/list?n=100&last=v1',
      'https://r.example/v2/a/b/blobs/uploads/?mount=sha256%3Aab&from=c%2Fd',
      'https://r.example/v2/a/b/blobs/uploads/u1?digest=sha256%3Aab',
      'https://r.example/v2/a/b/referrers/sha256:ab?artifactType=application%2Fx',
      'https://auth.example/token?scope=repository%3Aa%2Fb%3Apull&service=r.example',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('drops the query of something that is not a URL', () => {
    expect(redactUrl('/v2/a?token=abc')).toBe('/v2/a?<redacted>');
  });
});
