import { ErrorCode, UnsafeError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { internalIpKind, isInternalIp, validateRealm } from './realm.js';

function refused(realm: string, registry: string): string {
  try {
    validateRealm(realm, new URL(registry));
  } catch (err) {
    expect(UnsafeError.is(err)).toBe(true);
    expect((err as UnsafeError).code).toBe(ErrorCode.Unsafe);
    return (err as Error).message;
  }
  throw new Error('expected the realm to be refused');
}

describe('validateRealm', () => {
  it('accepts an https realm on another host', () => {
    expect(
      validateRealm('https://auth.docker.io/token', new URL('https://registry-1.docker.io/v2/')).host,
    ).toBe('auth.docker.io');
  });

  it('refuses schemes other than http and https', () => {
    expect(refused('file:///etc/passwd', 'https://r.example/')).toContain('is not http(s)');
    expect(refused('Artifactory Realm', 'https://r.example/')).toContain('not a URL');
  });

  it('refuses an http realm for an https registry but allows it for an http one', () => {
    expect(refused('http://auth.example/token', 'https://r.example/')).toContain('downgrade');
    expect(validateRealm('http://auth.example/token', new URL('http://r.example/')).protocol).toBe('http:');
  });

  it('refuses internal IP literals unless they are the registry host', () => {
    for (const realm of [
      'https://127.0.0.1/token',
      'https://10.0.0.1/token',
      'https://172.20.1.1/token',
      'https://192.168.1.1/token',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/token',
      'https://[fe80::1]/token',
      'https://[fd00::1]/token',
      'https://[::ffff:127.0.0.1]/token',
      'https://0.0.0.0/token',
    ]) {
      expect(refused(realm, 'https://r.example/')).toContain('internal address');
    }
    expect(validateRealm('http://127.0.0.1:9999/token', new URL('http://127.0.0.1:5000/')).port).toBe('9999');
    expect(validateRealm('https://[::1]/token', new URL('https://[::1]:5000/')).hostname).toBe('[::1]');
  });
});

describe('isInternalIp', () => {
  it('tells public from internal addresses', () => {
    expect(isInternalIp('8.8.8.8')).toBe(false);
    expect(isInternalIp('172.32.0.1')).toBe(false);
    expect(isInternalIp('2001:db8::1')).toBe(false);
    expect(isInternalIp('::ffff:8.8.8.8')).toBe(false);
    expect(isInternalIp('172.31.255.255')).toBe(true);
    expect(isInternalIp('::')).toBe(true);
    expect(isInternalIp('not-an-ip')).toBe(false);
  });
});

describe('internalIpKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['0.0.0.0', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.0.1', 'private'],
    ['fd00::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['[fe80::1]', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
  ])('puts %s on the %s network', (ip, kind) => {
    expect(internalIpKind(ip)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '2001:db8::1', 'localhost', 'registry.example'])(
    'puts %s on none',
    (host) => {
      expect(internalIpKind(host)).toBeUndefined();
    },
  );
});
