import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.js';

describe('parseChallenges', () => {
  it('parses a bearer challenge with quoted parameters', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:user/image:pull' },
      },
    ]);
  });

  it('keeps commas and spaces inside a quoted scope', () => {
    const [c] = parseChallenges(
      'Bearer realm="r",scope="repository:a:pull,push repository:b:pull",service="s"',
    );
    expect(c?.params.scope).toBe('repository:a:pull,push repository:b:pull');
    expect(c?.params.service).toBe('s');
  });

  it('unescapes backslash escapes in quoted strings', () => {
    const [c] = parseChallenges('Basic realm="say \\"hi\\" \\\\ bye"');
    expect(c?.params.realm).toBe('say "hi" \\ bye');
  });

  it('accepts unquoted values such as Docker Hub sends', () => {
    expect(parseChallenges('Bearer realm=https://auth.docker.io/token,service=registry.docker.io')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } },
    ]);
  });

  it('parses several challenges in one header and lower-cases schemes and names', () => {
    const got = parseChallenges(
      'Basic realm="Artifactory Realm", BEARER Realm="https://x/token", Service="x"',
    );
    expect(got).toEqual([
      { scheme: 'basic', params: { realm: 'Artifactory Realm' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', service: 'x' } },
    ]);
  });

  it('parses several header lines, a token68 challenge and a bare scheme', () => {
    expect(parseChallenges(['Negotiate abc123==', 'Basic', 'Bearer realm="r"'])).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: {} },
      { scheme: 'bearer', params: { realm: 'r' } },
    ]);
  });

  it('tolerates spaces around "=" and an error parameter', () => {
    const [c] = parseChallenges('Bearer realm = "r" , error="insufficient_scope"');
    expect(c?.params).toEqual({ realm: 'r', error: 'insufficient_scope' });
  });

  it('returns nothing for an absent or empty header', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges(' , ')).toEqual([]);
  });

  it('round-trips any quoted parameter value', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const quoted = `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
        const [c] = parseChallenges(`Bearer realm=${quoted},service="s"`);
        expect(c?.params.realm).toBe(value);
        expect(c?.params.service).toBe('s');
      }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        expect(Array.isArray(parseChallenges(header))).toBe(true);
      }),
    );
  });
});
