import { InvalidArgumentError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { type ProxyConfig, proxyConfigFromEnv, proxyForUrl } from './proxy.js';

const via = (url: string, config: ProxyConfig): string | undefined => proxyForUrl(url, config)?.href;

describe('proxyConfigFromEnv', () => {
  it('reads each variable in upper or lower case, upper first, as Go does', () => {
    expect(
      proxyConfigFromEnv({
        HTTP_PROXY: 'http://upper:3128',
        http_proxy: 'http://lower:3128',
        https_proxy: 'http://secure:3128',
        all_proxy: 'socks5://all:1080',
        no_proxy: 'example.com',
      }),
    ).toEqual({
      httpProxy: 'http://upper:3128',
      httpsProxy: 'http://secure:3128',
      allProxy: 'socks5://all:1080',
      noProxy: 'example.com',
    });
    expect(proxyConfigFromEnv({ HTTP_PROXY: '', HTTPS_PROXY: '  ' })).toEqual({});
  });

  it('ignores HTTP_PROXY in a CGI process (httpoxy)', () => {
    expect(proxyConfigFromEnv({ HTTP_PROXY: 'http://evil:80', REQUEST_METHOD: 'GET' })).toEqual({});
  });
});

describe('proxyForUrl', () => {
  const config = { httpProxy: 'http://plain:3128', httpsProxy: 'http://u:p@secure:3128' };

  it('picks the proxy of the request’s scheme, or ALL_PROXY, or none', () => {
    expect(via('http://registry.example/v2/', config)).toBe('http://plain:3128/');
    expect(via('https://registry.example/v2/', config)).toBe('http://u:p@secure:3128/');
    expect(via('https://registry.example/v2/', { httpProxy: 'http://plain:3128' })).toBeUndefined();
    expect(via('https://registry.example/v2/', { allProxy: 'http://all:3128' })).toBe('http://all:3128/');
    expect(via('https://registry.example/', { allProxy: 'http://all:1', httpsProxy: 'http://s:2' })).toBe(
      'http://s:2/',
    );
  });

  it('takes a proxy without a scheme as http', () => {
    expect(via('https://registry.example/', { httpsProxy: 'proxy.corp:8080' })).toBe(
      'http://proxy.corp:8080/',
    );
  });

  it('never proxies localhost or loopback addresses', () => {
    for (const url of [
      'http://localhost:5000/',
      'https://127.0.0.1/',
      'http://127.9.9.9:80/',
      'https://[::1]:5000/',
    ]) {
      expect(via(url, config)).toBeUndefined();
    }
    expect(via('http://localhost.example/', config)).toBe('http://plain:3128/');
  });

  it('matches NO_PROXY names with their subdomains, a leading dot or *. for subdomains only', () => {
    const no = (noProxy: string, url: string) => via(url, { ...config, noProxy }) === undefined;
    expect(no('example.com', 'https://example.com/')).toBe(true);
    expect(no('example.com', 'https://r.example.com/')).toBe(true);
    expect(no('example.com', 'https://notexample.com/')).toBe(false);
    expect(no('.example.com', 'https://example.com/')).toBe(false);
    expect(no('.example.com', 'https://r.example.com/')).toBe(true);
    expect(no('*.example.com', 'https://example.com/')).toBe(false);
    expect(no('*.example.com', 'https://a.b.example.com/')).toBe(true);
    expect(no('EXAMPLE.com', 'https://Registry.Example.COM/')).toBe(true);
    expect(no('*', 'https://anything.example/')).toBe(true);
    expect(no('other.org, example.com ', 'https://example.com/')).toBe(true);
  });

  it('matches NO_PROXY ports, IP addresses and CIDR ranges', () => {
    const no = (noProxy: string, url: string) => via(url, { ...config, noProxy }) === undefined;
    expect(no('registry.local:5000', 'http://registry.local:5000/')).toBe(true);
    expect(no('registry.local:5000', 'http://registry.local:5001/')).toBe(false);
    expect(no('example.com:443', 'https://example.com/')).toBe(true);
    expect(no('10.1.2.3', 'http://10.1.2.3:5000/')).toBe(true);
    expect(no('10.1.2.3:5000', 'http://10.1.2.3:5001/')).toBe(false);
    expect(no('10.0.0.0/8', 'http://10.200.3.4/')).toBe(true);
    expect(no('10.0.0.0/8', 'http://11.0.0.1/')).toBe(false);
    expect(no('192.168.0.0/16', 'https://192.168.77.1:8443/')).toBe(true);
    expect(no('fd00::/8', 'https://[fd12:3456::1]/')).toBe(true);
    expect(no('fd00::/8', 'https://[fe80::1]/')).toBe(false);
    expect(no('2001:db8::1', 'https://[2001:db8:0::1]/')).toBe(true);
    expect(no('10.0.0.0/8', 'https://ten.example/')).toBe(false);
    expect(no('not/a/cidr, , :', 'https://example.com/')).toBe(false);
  });

  it('refuses an unusable proxy URL without showing its password', () => {
    let thrown: unknown;
    try {
      proxyForUrl('https://registry.example/', { httpsProxy: 'gopher://user:s3cret@proxy:70' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as Error).message).toMatch(/^HTTPS_PROXY: invalid proxy URL/);
    expect((thrown as Error).message).not.toContain('s3cret');
  });
});
