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

  it('refuses internal IP literals unless the registry is on that kind of address', () => {
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
      'https://100.64.0.1/token',
      'https://[64:ff9b::a9fe:a9fe]/token',
      'https://[64:ff9b::10.0.0.1]/token',
      'https://[2002:a9fe:a9fe::1]/token',
      'https://[2001:0:4136:e378:8000:63bf:5601:5601]/token',
    ]) {
      expect(refused(realm, 'https://r.example/')).toContain('internal address');
    }
    expect(refused('http://169.254.169.254/token', 'http://127.0.0.1:5000/')).toContain('internal address');
    expect(refused('http://169.254.169.254/token', 'http://localhost:5000/')).toContain('internal address');
    expect(refused('http://10.0.0.1/token', 'http://localhost:5000/')).toContain('internal address');
    expect(validateRealm('http://127.0.0.1:9999/token', new URL('http://127.0.0.1:5000/')).port).toBe('9999');
    expect(validateRealm('https://[::1]/token', new URL('https://[::1]:5000/')).hostname).toBe('[::1]');
  });

  it('accepts a loopback realm for a registry named localhost, and a private one for a private registry', () => {
    // a false positive the red team found: `localhost:5000` sending its clients to 127.0.0.1 for tokens
    expect(validateRealm('http://127.0.0.1:9999/token', new URL('http://localhost:5000/')).port).toBe('9999');
    expect(validateRealm('http://[::1]:9999/token', new URL('http://registry.localhost:5000/')).port).toBe(
      '9999',
    );
    expect(validateRealm('http://127.0.0.2/token', new URL('http://127.0.0.1:5000/')).host).toBe('127.0.0.2');
    expect(validateRealm('https://10.0.0.9/token', new URL('https://10.0.0.5/')).host).toBe('10.0.0.9');
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
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.100.100.200', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['[64:ff9b::169.254.169.254]', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::10.1.2.3', 'private'],
    ['64:ff9b:1::1', 'private'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:c0a8:101::', 'private'],
    // Teredo: the client's IPv4 with every bit flipped (169.254.169.254, 10.0.0.1), or the server's
    ['2001:0:4136:e378:8000:63bf:5601:5601', 'link-local'],
    ['2001::f5ff:fffe', 'private'],
    ['2001:0:a00:1::f7f7:f7f7', 'private'],
    ['2001:0:7f00:1:8000:63bf:f7f7:f7f7', 'loopback'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['fec0::1', 'private'],
    ['fd00:ec2::254', 'link-local'],
  ])('puts %s on the %s network', (ip, kind) => {
    expect(internalIpKind(ip)).toBe(kind);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '2001:db8::1',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
    '2001:4860::8888',
    'localhost',
    'registry.example',
  ])('puts %s on none', (host) => {
    expect(internalIpKind(host)).toBeUndefined();
  });
});
