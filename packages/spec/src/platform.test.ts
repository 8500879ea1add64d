import { arch } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidPlatformError } from './errors.js';
import { formatPlatform, matchPlatform, normalizePlatform, parsePlatform } from './platform.js';
import type { Platform } from './types.js';

function platformError(f: () => unknown): InvalidPlatformError {
  try {
    f();
  } catch (error) {
    expect(InvalidPlatformError.is(error)).toBe(true);
    expect((error as InvalidPlatformError).code).toBe(ErrorCode.InvalidPlatform);
    return error as InvalidPlatformError;
  }
  throw new Error('expected an InvalidPlatformError');
}

describe('parsePlatform', () => {
  it.each<[string, Platform]>([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    [
      'windows/amd64:10.0.17763.1040',
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1040' },
    ],
    ['linux/arm64/v8:1.2', { os: 'linux', architecture: 'arm64', variant: 'v8', 'os.version': '1.2' }],
    ['Linux/X86_64', { os: 'Linux', architecture: 'X86_64' }],
  ])('parses %s as written', (text, platform) => {
    expect(parsePlatform(text)).toEqual(platform);
    expect(formatPlatform(parsePlatform(text))).toBe(text);
  });

  it("takes the default architecture, or this machine's in Go names, when only an OS is given", () => {
    expect(parsePlatform('linux', { defaultArchitecture: 'riscv64' })).toEqual({
      os: 'linux',
      architecture: 'riscv64',
    });
    const goArch = { x64: 'amd64', ia32: '386' }[arch() as 'x64' | 'ia32'] ?? arch();
    expect(parsePlatform('linux:5')).toEqual({ os: 'linux', architecture: goArch, 'os.version': '5' });
  });

  it.each([
    ['', 'empty platform'],
    ['/amd64', 'empty os'],
    ['linux/', 'empty architecture'],
    ['linux/arm/', 'empty variant'],
    ['linux/amd64:', 'empty os version'],
    ['linux/arm/v7/x', 'too many'],
    ['linux/am d64', 'invalid architecture "am d64"'],
    ['linux/amd64:1:2', 'invalid os version "1:2"'],
    ['lïnux/amd64', 'invalid os'],
    ['linux\n/amd64', 'invalid os "linux\\n"'],
  ])('refuses %j: %s', (text, reason) => {
    const error = platformError(() => parsePlatform(text));
    expect(error.message).toContain(reason);
    expect(error.message).toContain('expected <os>[/<arch>[/<variant>]][:<os_version>]');
  });

  it('answers huge and odd inputs with a short clear error (property)', () => {
    platformError(() => parsePlatform(`linux/${'a'.repeat(1_000_000)}!`));
    expect(platformError(() => parsePlatform(`${'/'.repeat(1_000_000)}`)).message.length).toBeLessThan(300);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        try {
          expect(typeof formatPlatform(parsePlatform(text, { defaultArchitecture: 'amd64' }))).toBe('string');
        } catch (error) {
          expect(InvalidPlatformError.is(error)).toBe(true);
        }
      }),
    );
  });

  it('round-trips every well-formed platform (property)', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/);
    fc.assert(
      fc.property(
        part,
        part,
        fc.option(part, { nil: undefined }),
        fc.option(part, { nil: undefined }),
        (os, architecture, variant, osVersion) => {
          const platform: Platform = { os, architecture };
          if (variant !== undefined) platform.variant = variant;
          if (osVersion !== undefined) platform['os.version'] = osVersion;
          expect(parsePlatform(formatPlatform(platform))).toEqual(platform);
        },
      ),
    );
  });
});

describe('normalizePlatform', () => {
  it.each([
    ['linux/x86_64', 'linux/amd64'],
    ['linux/x86-64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/aarch64/8', 'linux/arm64'],
    ['linux/arm64/9', 'linux/arm64/v9'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/arm/7', 'linux/arm/v7'],
    ['linux/arm', 'linux/arm'],
    ['linux/i386', 'linux/386'],
    ['linux/i686', 'linux/386'],
    ['Linux/AMD64', 'linux/amd64'],
    ['macos/arm64', 'darwin/arm64'],
    ['windows/amd64:10.0.17763', 'windows/amd64:10.0.17763'],
    ['linux/ppc64le', 'linux/ppc64le'],
    ['linux/s390x', 'linux/s390x'],
  ])('normalizes %s to %s', (text, normalized) => {
    expect(formatPlatform(normalizePlatform(parsePlatform(text)))).toBe(normalized);
  });

  it('keeps other fields and does not change its input', () => {
    const input: Platform = {
      os: 'linux',
      architecture: 'aarch64',
      variant: 'v8',
      'os.features': ['a'],
      features: ['b'],
    };
    const copy = structuredClone(input);
    expect(normalizePlatform(input)).toEqual({
      os: 'linux',
      architecture: 'arm64',
      'os.features': ['a'],
      features: ['b'],
    });
    expect(input).toEqual(copy);
  });

  it('is idempotent (property)', () => {
    const names = fc.constantFrom(
      'x86_64',
      'aarch64',
      'arm64',
      'arm',
      'armhf',
      'armel',
      'i386',
      'amd64',
      'ppc64le',
      'X86_64',
    );
    const variants = fc.option(fc.constantFrom('v8', '8', 'v7', '7', 'v1', 'v3', '9', 'v9.0'), {
      nil: undefined,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('linux', 'Linux', 'macos', 'windows'),
        names,
        variants,
        (os, architecture, variant) => {
          const once = normalizePlatform({ os, architecture, ...(variant === undefined ? {} : { variant }) });
          expect(normalizePlatform(once)).toEqual(once);
        },
      ),
    );
  });
});

describe('matchPlatform', () => {
  const p = (text: string): Platform => parsePlatform(text);

  it('matches the same OS and architecture after normalisation', () => {
    expect(matchPlatform(p('linux/amd64'), p('linux/amd64'))).toBe(true);
    expect(matchPlatform(p('linux/x86_64'), p('linux/amd64'))).toBe(true);
    expect(matchPlatform(p('linux/arm64/v8'), p('linux/arm64'))).toBe(true);
    expect(matchPlatform(p('linux/arm64'), p('linux/aarch64/v8'))).toBe(true);
    expect(matchPlatform(p('linux/armhf'), p('linux/arm/v7'))).toBe(true);
    expect(matchPlatform(p('linux/amd64'), p('linux/arm64'))).toBe(false);
    expect(matchPlatform(p('linux/amd64'), p('windows/amd64'))).toBe(false);
  });

  it('requires the variant and OS version only when asked for', () => {
    expect(matchPlatform(p('linux/arm'), p('linux/arm/v6'))).toBe(true);
    expect(matchPlatform(p('linux/arm/v7'), p('linux/arm/v6'))).toBe(false);
    expect(matchPlatform(p('linux/arm/v7'), p('linux/arm'))).toBe(false);
    expect(matchPlatform(p('windows/amd64'), p('windows/amd64:10.0.1'))).toBe(true);
    expect(matchPlatform(p('windows/amd64:10.0.1'), p('windows/amd64:10.0.2'))).toBe(false);
    expect(matchPlatform(p('windows/amd64:10.0.1'), p('windows/amd64:10.0.1'))).toBe(true);
  });

  it('requires every OS feature asked for, and never matches a missing platform', () => {
    const want: Platform = { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] };
    expect(
      matchPlatform(want, { os: 'windows', architecture: 'amd64', 'os.features': ['x', 'win32k'] }),
    ).toBe(true);
    expect(matchPlatform(want, { os: 'windows', architecture: 'amd64' })).toBe(false);
    expect(matchPlatform(p('linux/amd64'), undefined)).toBe(false);
  });
});
