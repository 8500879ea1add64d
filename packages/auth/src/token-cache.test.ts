import { describe, expect, it } from 'vitest';
import { AuthScheme, TokenCache } from './token-cache.js';

describe('TokenCache', () => {
  it('returns tokens until they expire', () => {
    let now = 1000;
    const cache = new TokenCache({ now: () => now });
    cache.set('r', AuthScheme.Bearer, 'repository:a:pull', { token: 't', expiresAt: 2000 });
    expect(cache.getScheme('r')).toBe(AuthScheme.Bearer);
    expect(cache.getToken('r', AuthScheme.Bearer, 'repository:a:pull')).toBe('t');
    expect(cache.getToken('r', AuthScheme.Bearer, 'repository:a:push')).toBeUndefined();
    now = 2000;
    expect(cache.getToken('r', AuthScheme.Bearer, 'repository:a:pull')).toBeUndefined();
  });

  it('shares one fetch among concurrent callers and caches its result', async () => {
    const cache = new TokenCache();
    let fetches = 0;
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fetch = async () => {
      fetches++;
      await gate;
      return { token: `t${fetches}` };
    };
    const pending = [1, 2, 3].map(() => cache.fetch('r', AuthScheme.Bearer, 'k', fetch));
    release?.();
    expect(await Promise.all(pending)).toEqual(['t1', 't1', 't1']);
    expect(await cache.fetch('r', AuthScheme.Bearer, 'k', fetch)).toBe('t1');
    expect(fetches).toBe(1);
  });

  it('does not cache a failed fetch', async () => {
    const cache = new TokenCache();
    await expect(
      cache.fetch('r', AuthScheme.Bearer, 'k', async () => Promise.reject(new Error('no'))),
    ).rejects.toThrow('no');
    expect(await cache.fetch('r', AuthScheme.Bearer, 'k', async () => ({ token: 'ok' }))).toBe('ok');
  });

  it('invalidates a token only if it is still the cached one', () => {
    const cache = new TokenCache();
    cache.set('r', AuthScheme.Bearer, 'k', { token: 'new' });
    cache.invalidate('r', AuthScheme.Bearer, 'k', 'old');
    expect(cache.getToken('r', AuthScheme.Bearer, 'k')).toBe('new');
    cache.invalidate('r', AuthScheme.Bearer, 'k', 'new');
    expect(cache.getToken('r', AuthScheme.Bearer, 'k')).toBeUndefined();
  });

  it('forgets tokens of the old scheme when a host switches scheme', () => {
    const cache = new TokenCache();
    cache.set('r', AuthScheme.Basic, '', { token: 'b' });
    cache.setScheme('r', AuthScheme.Bearer, { realm: 'https://auth/token', service: 's' });
    expect(cache.getToken('r', AuthScheme.Basic, '')).toBeUndefined();
    expect(cache.getChallenge('r')).toEqual({ realm: 'https://auth/token', service: 's' });
    cache.clear('r');
    expect(cache.getScheme('r')).toBeUndefined();
  });
});
