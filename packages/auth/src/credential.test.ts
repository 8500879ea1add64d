import { describe, expect, it } from 'vitest';
import { EMPTY_CREDENTIAL, isEmptyCredential, staticCredential } from './credential.js';

describe('staticCredential', () => {
  it('gives the credential for its host only', async () => {
    const cred = staticCredential('localhost:5000', { username: 'u', password: 'p' });
    expect(await cred('localhost:5000')).toEqual({ username: 'u', password: 'p' });
    expect(await cred('LOCALHOST:5000')).toEqual({ username: 'u', password: 'p' });
    expect(await cred('localhost:5001')).toBe(EMPTY_CREDENTIAL);
  });

  it('matches docker.io against its API host', async () => {
    const cred = staticCredential('docker.io', { refreshToken: 'r' });
    expect(await cred('registry-1.docker.io')).toEqual({ refreshToken: 'r' });
    expect(await cred('ghcr.io')).toBe(EMPTY_CREDENTIAL);
  });
});

describe('isEmptyCredential', () => {
  it('is true only when no field is set', () => {
    expect(isEmptyCredential(EMPTY_CREDENTIAL)).toBe(true);
    expect(isEmptyCredential(undefined)).toBe(true);
    expect(isEmptyCredential({ accessToken: 'a' })).toBe(false);
  });
});
