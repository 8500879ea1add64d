import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidReferenceError, OrasError } from './errors.js';
import {
  isValidRepository,
  isValidTag,
  parseReference,
  parseReferenceWithTags,
  Reference,
} from './reference.js';

const DIGEST = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
const SHA512 = `sha512:${'ab'.repeat(64)}`;
const EXPECTED = '<registry>/<repository>[:<tag>|@<digest>]';

/** The error a call throws, asserted to be an InvalidReferenceError. */
function referenceError(f: () => unknown): InvalidReferenceError {
  try {
    f();
  } catch (error) {
    expect(InvalidReferenceError.is(error)).toBe(true);
    expect((error as OrasError).code).toBe(ErrorCode.InvalidReference);
    return error as InvalidReferenceError;
  }
  throw new Error('expected an InvalidReferenceError');
}

describe('parseReference', () => {
  it.each([
    ['localhost/hello', 'localhost', 'hello', undefined, undefined],
    ['localhost:5000/hello:v1', 'localhost:5000', 'hello', 'v1', undefined],
    ['registry.example.com/a/b/c:1.0-rc_1', 'registry.example.com', 'a/b/c', '1.0-rc_1', undefined],
    [`127.0.0.1:5000/x@${DIGEST}`, '127.0.0.1:5000', 'x', undefined, DIGEST],
    ['[::1]:5000/x:latest', '[::1]:5000', 'x', 'latest', undefined],
    ['[2001:db8::1]/ns/x', '[2001:db8::1]', 'ns/x', undefined, undefined],
    [`ghcr.io/org/x:tag@${DIGEST}`, 'ghcr.io', 'org/x', 'tag', DIGEST],
    [`ghcr.io/org/x@${SHA512}`, 'ghcr.io', 'org/x', undefined, SHA512],
    ['Registry.Example.COM/x', 'Registry.Example.COM', 'x', undefined, undefined],
    ['my_registry:5000/x', 'my_registry:5000', 'x', undefined, undefined],
    ['myregistry/x', 'myregistry', 'x', undefined, undefined],
    ['docker.io/foo', 'docker.io', 'foo', undefined, undefined],
    ['r.io/a.b_c__d---e/f-g:_tag', 'r.io', 'a.b_c__d---e/f-g', '_tag', undefined],
  ])('parses %s', (input, registry, repository, tag, digest) => {
    const ref = parseReference(input);
    expect(ref).toBeInstanceOf(Reference);
    expect({ registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: ref.digest }).toEqual({
      registry,
      repository,
      tag,
      digest,
    });
    expect(ref.reference).toBe(digest ?? tag);
    expect(ref.toString()).toBe(input);
  });

  it('maps docker.io to registry-1.docker.io as the API host, and keeps the registry and repository as typed', () => {
    const ref = parseReference('docker.io/foo:1');
    expect(ref.host).toBe('registry-1.docker.io');
    expect(ref.registry).toBe('docker.io');
    expect(ref.repository).toBe('foo');
    expect(ref.toString()).toBe('docker.io/foo:1');
    expect(parseReference('index.docker.io/library/alpine').host).toBe('index.docker.io');
    expect(parseReference('localhost:5000/a').host).toBe('localhost:5000');
  });

  it.each([
    ['', 'empty reference'],
    ['alpine', 'missing registry or repository'],
    ['alpine:3', 'missing registry or repository'],
    ['/alpine', 'missing registry'],
    ['localhost/', 'missing repository'],
    ['localhost:/x', 'port must be a number'],
    ['localhost:99999/x', 'port must be a number'],
    ['localhost:5000:1/x', 'too many colons'],
    ['::1/x', 'too many colons'],
    ['[::1/x', 'missing "]"'],
    ['[nope]/x', 'is not an IPv6 address'],
    ['[fe80::1%25eth0]/x', 'is not an IPv6 address'],
    ['[::1]x/y', 'unexpected text after "]"'],
    ['user@host/x', 'invalid registry'],
    ['exa mple.com/x', 'invalid registry'],
    ['.example.com/x', 'invalid registry'],
    ['example..com/x', 'invalid registry'],
    ['exämple.com/x', 'invalid registry'],
    ['r.io/UPPER', 'invalid repository "UPPER"'],
    ['r.io/a//b', 'invalid repository'],
    ['r.io/a/', 'invalid repository'],
    ['r.io/-a', 'invalid repository'],
    ['r.io/a-', 'invalid repository'],
    ['r.io/a___b', 'invalid repository'],
    ['r.io/a..b', 'invalid repository'],
    ['r.io/a:', 'empty tag'],
    ['r.io/a:.x', 'invalid tag ".x"'],
    ['r.io/a:-x', 'invalid tag'],
    [`r.io/a:${'t'.repeat(129)}`, 'invalid tag'],
    ['r.io/a:b:c', 'invalid tag "b:c"'],
    ['r.io/a@', 'empty digest'],
    ['r.io/a@sha256:abc', 'sha256 needs exactly 64'],
    ['r.io/a@md5:abc', 'unsupported digest algorithm'],
    [`r.io/a@${DIGEST}@${DIGEST}`, 'invalid digest'],
  ])('refuses %j: %s', (input, reason) => {
    const error = referenceError(() => parseReference(input));
    expect(error.message).toContain(reason);
    expect(error.message).toContain(`expected ${EXPECTED}`);
    expect(error.message).toMatch(/^invalid reference "/);
  });

  it('keeps the cause when a digest is refused', () => {
    const error = referenceError(() => parseReference('r.io/a@sha256:abc'));
    expect(OrasError.is(error.cause)).toBe(true);
  });

  it('refuses non-strings without crashing', () => {
    referenceError(() => parseReference(undefined as unknown as string));
    referenceError(() => parseReference(42 as unknown as string));
  });

  it('shows control characters escaped and long input cut short in messages', () => {
    const error = referenceError(() => parseReference('r.io/a:b\n\u0000c'));
    expect(error.message).toContain('\\n\\u0000');
    expect(error.message).not.toMatch(/[\n\u0000]/);
    const long = referenceError(() => parseReference(`r.io/${'A'.repeat(1_000_000)}`));
    expect(long.message.length).toBeLessThan(600);
  });

  it('answers huge and backtracking-prone inputs (would hang on a catastrophic pattern)', () => {
    const n = 200_000;
    const cases = [
      `r.io/${'a'.repeat(n)}!`,
      `r.io/${'a-'.repeat(n)}`,
      `r.io/${'a_'.repeat(n)}_`,
      `r.io/${'a.'.repeat(n)}.`,
      `r.io/${'a/'.repeat(n)}/`,
      `r.io/${'a-'.repeat(n)}A`,
      `${'a.'.repeat(n)}/x`,
      `${'a'.repeat(n)}./x`,
      `r.io/x:${'a'.repeat(n)}`,
      `r.io/x@sha256:${'a'.repeat(n)}`,
    ];
    for (const input of cases) referenceError(() => parseReference(input));
    expect(parseReference(`r.io/${'a-b/'.repeat(n)}c`).repository.length).toBe(4 * n + 1);
  });

  it('never throws anything but InvalidReferenceError, whatever the input (property)', () => {
    const alphabet = fc.constantFrom(...'aZ09./:@-_,[]%é😀\n\u0000 '.split(''), 'sha256:', DIGEST);
    const inputs = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(inputs, (input) => {
        try {
          const ref = parseReference(input);
          // Whatever parses must format back to itself.
          expect(ref.toString()).toBe(input);
        } catch (error) {
          expect(InvalidReferenceError.is(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

const label = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const host = fc.oneof(
  fc.constant('localhost'),
  fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')),
  fc.ipV4(),
  fc.ipV6().map((address) => `[${address}]`),
);
const registry = fc
  .tuple(host, fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }))
  .map(([h, port]) => (port === undefined ? h : `${h}:${port}`));
const component = fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/);
const repository = fc.array(component, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));
const tag = fc.stringMatching(/^\w[\w.-]{0,127}$/);
const digest = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${Buffer.from(b).toString('hex')}`),
  fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => `sha512:${Buffer.from(b).toString('hex')}`),
);
const parts = fc.record({
  registry,
  repository,
  tag: fc.option(tag, { nil: undefined }),
  digest: fc.option(digest, { nil: undefined }),
});

describe('Reference', () => {
  it('formats and parses back to the same parts (property)', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const ref = new Reference(p);
        const again = parseReference(ref.toString());
        expect(again).toEqual(ref);
        expect(again.reference).toBe(p.digest ?? p.tag);
        expect(isValidRepository(p.repository)).toBe(true);
        if (p.tag !== undefined) expect(isValidTag(p.tag)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('validates parts given to the constructor', () => {
    expect(referenceError(() => new Reference({ registry: 'r.io', repository: 'A' })).message).toContain(
      'invalid reference "r.io/A": invalid repository',
    );
    referenceError(() => new Reference({ registry: '', repository: 'a' }));
    referenceError(() => new Reference({ registry: 'r.io', repository: 'a', tag: '' }));
    referenceError(() => new Reference({ registry: 'r.io', repository: 'a', digest: 'sha256:00' }));
  });

  it('withReference points the same repository at a tag, a digest, or nothing', () => {
    const ref = parseReference('r.io/a/b:v1');
    const byDigest = ref.withReference(DIGEST);
    expect(byDigest.toString()).toBe(`r.io/a/b@${DIGEST}`);
    expect(byDigest.tag).toBeUndefined();
    expect(byDigest.withReference('v2').toString()).toBe('r.io/a/b:v2');
    expect(ref.withReference().toString()).toBe('r.io/a/b');
    expect(ref.withReference('').reference).toBeUndefined();
    expect(ref.toString()).toBe('r.io/a/b:v1');
    expect(referenceError(() => ref.withReference('bad tag')).message).toContain('invalid tag "bad tag"');
    expect(referenceError(() => ref.withReference('sha256:zz')).message).toContain('invalid digest');
  });
});

describe('parseReferenceWithTags', () => {
  it('splits a comma-separated tag list as oras push takes it', () => {
    const { reference, tags } = parseReferenceWithTags('localhost:5000/hello:v1,v2,latest');
    expect(reference.toString()).toBe('localhost:5000/hello:v1');
    expect(tags).toEqual(['v1', 'v2', 'latest']);
  });

  it('takes extra tags after a digest or a bare repository, and drops duplicates', () => {
    expect(parseReferenceWithTags(`r.io/a@${DIGEST},x,y`).tags).toEqual(['x', 'y']);
    expect(parseReferenceWithTags(`r.io/a@${DIGEST},x`).reference.digest).toBe(DIGEST);
    expect(parseReferenceWithTags('r.io/a,x,x').tags).toEqual(['x']);
    expect(parseReferenceWithTags('r.io/a:x,x,y').tags).toEqual(['x', 'y']);
    expect(parseReferenceWithTags('r.io/a').tags).toEqual([]);
  });

  it('refuses empty entries and invalid tags with the expected form', () => {
    for (const [input, reason] of [
      ['r.io/a:v1,', 'empty tag in the comma-separated tag list'],
      ['r.io/a:v1,,v2', 'empty tag'],
      ['r.io/a:v1,.bad', 'invalid tag ".bad"'],
      ['r.io/a:v1,r.io/b:v2', 'invalid tag "r.io/b:v2"'],
      [',v1', 'empty reference'],
      ['alpine:3,4', 'missing registry or repository'],
    ] as const) {
      const error = referenceError(() => parseReferenceWithTags(input));
      expect(error.message).toContain(reason);
      expect(error.message).toContain(EXPECTED);
    }
  });

  it('round-trips any tag list (property)', () => {
    fc.assert(
      fc.property(parts, fc.array(tag, { maxLength: 5 }), (p, extra) => {
        const base = new Reference(p).toString();
        const input = [base, ...extra].join(',');
        const { reference, tags } = parseReferenceWithTags(input);
        expect(reference.toString()).toBe(base);
        const expected = [...new Set([...(p.tag === undefined ? [] : [p.tag]), ...extra])];
        expect(tags).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('isValidTag and isValidRepository', () => {
  it('accept the distribution grammar and nothing else', () => {
    expect(isValidTag('a')).toBe(true);
    expect(isValidTag('_')).toBe(true);
    expect(isValidTag(`a${'b'.repeat(127)}`)).toBe(true);
    expect(isValidTag(`a${'b'.repeat(128)}`)).toBe(false);
    for (const bad of ['', '.a', '-a', 'a/b', 'a:b', 'a b', 'é', 'a\n'])
      expect(isValidTag(bad), bad).toBe(false);
    expect(isValidRepository('a/b-c/d.e_f__g')).toBe(true);
    for (const bad of ['', 'A', '/a', 'a/', 'a__-b', 'a.-b', 'é', 'a\nb']) {
      expect(isValidRepository(bad), bad).toBe(false);
    }
    expect(isValidTag(undefined as unknown as string)).toBe(false);
    expect(isValidRepository(null as unknown as string)).toBe(false);
  });
});
