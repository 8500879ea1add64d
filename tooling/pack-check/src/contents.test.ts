/**
 * What each package's tarball holds, and what a user's tools say of it: built JavaScript with
 * declarations and the TypeScript sources their maps point at, every file the `files` field
 * names, no tests, internal dependencies as version ranges, no test framework among the
 * dependencies, links that work on npm, and clean reports from publint and arethetypeswrong.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { attempt, listTarball, manifestOf, packages, root, run } from './tarballs.js';

const tarballs = inject('tarballs');
const extracted = join(inject('work'), 'extracted');
const tarballOf = (pkg: string): string => {
  const file = tarballs[`@oras/${pkg}`];
  if (file === undefined) throw new Error(`no tarball for @oras/${pkg}`);
  return file;
};
const dependencyNames = (manifest: Record<string, unknown>): string[] =>
  ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) =>
    Object.keys((manifest[field] ?? {}) as Record<string, string>),
  );

beforeAll(() => {
  for (const pkg of packages) {
    mkdirSync(join(extracted, pkg), { recursive: true });
    run('tar', ['-xzf', tarballOf(pkg), '-C', join(extracted, pkg)], root);
  }
});

describe.each(packages)('@oras/%s, packed', (pkg) => {
  it('holds built JavaScript, declarations, the TypeScript sources, README and licence, and no tests', () => {
    const entries = listTarball(tarballOf(pkg));
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'src/index.ts', 'README.md', 'LICENSE']) {
      expect(entries).toContain(file);
    }
    expect(entries.filter((e) => /\.test(-d)?\.|(^|\/)test-support\/|\.tsbuildinfo$/.test(e))).toEqual([]);
  });

  it('holds every file its files field names (CHANGELOG.md comes from `changeset version`)', () => {
    const entries = listTarball(tarballOf(pkg));
    const listed = (manifestOf(tarballOf(pkg)).files as string[]).filter((f) => !f.startsWith('!'));
    const missing = listed.filter((f) => !entries.some((e) => e === f || e.startsWith(`${f}/`)));
    expect(missing, `listed in files but not in the tarball of @oras/${pkg}`).toEqual([]);
  });

  it('has source and declaration maps whose sources are in the tarball', () => {
    const entries = new Set(listTarball(tarballOf(pkg)));
    const maps = [...entries].filter((e) => e.endsWith('.map'));
    expect(maps.some((m) => m.endsWith('.js.map'))).toBe(true);
    expect(maps.some((m) => m.endsWith('.d.ts.map'))).toBe(true);
    const unresolved: string[] = [];
    for (const map of maps) {
      const { sources, sourcesContent, sourceRoot } = JSON.parse(
        readFileSync(join(extracted, pkg, 'package', map), 'utf8'),
      ) as { sources: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
      for (const [i, source] of sources.entries()) {
        if (typeof sourcesContent?.[i] === 'string') continue;
        const path = posix.normalize(posix.join(posix.dirname(map), sourceRoot ?? '', source));
        if (!entries.has(path)) unresolved.push(`${map} -> ${source}`);
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('names our other packages by version range, not workspace:', () => {
    const manifest = manifestOf(tarballOf(pkg));
    for (const field of ['dependencies', 'peerDependencies', 'devDependencies']) {
      for (const range of Object.values((manifest[field] ?? {}) as Record<string, string>)) {
        expect(range).not.toMatch(/^workspace:/);
      }
    }
  });

  it('depends on no test framework, not even as an optional peer', () => {
    const names = dependencyNames(manifestOf(tarballOf(pkg)));
    expect(names.filter((n) => /^(vitest|@vitest\/.*|jest|@jest\/.*|mocha|ava|tap)$/.test(n))).toEqual([]);
  });

  it('has a README whose links work on npm: absolute URLs or its own headings', () => {
    const readme = readFileSync(join(extracted, pkg, 'package', 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
    expect(targets.filter((t) => !/^(https:\/\/|#)/.test(t))).toEqual([]);
  });

  it('passes publint --strict', () => {
    const publint = join(root, 'node_modules', '.bin', 'publint');
    const { status, output } = attempt(publint, ['--strict', tarballOf(pkg)], root);
    expect(output).toContain('All good!');
    expect(status).toBe(0);
  });

  it('passes arethetypeswrong for an ESM-only package', () => {
    // `esm-only` ignores the node10 and node16-from-CJS resolutions: an ESM-only package has no
    // CommonJS entry points to resolve, by design.
    const attw = join(import.meta.dirname, '..', 'node_modules', '.bin', 'attw');
    const { status, output } = attempt(
      attw,
      [tarballOf(pkg), '--profile', 'esm-only', '--format', 'ascii'],
      root,
    );
    expect(status, output).toBe(0);
    expect(output).toContain('node16 (from ESM): 🟢');
  });
});

describe('@oras/cli binary', () => {
  it('ships the entry its bin names and both bundles the entry runs', () => {
    const entries = listTarball(tarballOf('cli'));
    expect(manifestOf(tarballOf('cli')).bin).toEqual({ oras: './dist/bin.cjs' });
    for (const file of ['dist/bin.cjs', 'dist/oras.cjs', 'dist/bin.js']) expect(entries).toContain(file);
    expect(entries.some((e) => e.startsWith('dist/chunks/'))).toBe(true);
    expect(entries).not.toContain('dist/bundle-meta.json');
  });
});

describe('dependencies', () => {
  it('@oras/spec has no runtime dependencies', () => {
    expect(dependencyNames(manifestOf(tarballOf('spec')))).toEqual([]);
  });

  it('@oras/content has tar only as an optional peer; @oras/cli depends on it', () => {
    const content = manifestOf(tarballOf('content'));
    expect(Object.keys((content.dependencies ?? {}) as object)).not.toContain('tar');
    expect(content.peerDependencies).toMatchObject({ tar: expect.any(String) });
    expect(content.peerDependenciesMeta).toEqual({ tar: { optional: true } });
    expect(manifestOf(tarballOf('cli')).dependencies).toMatchObject({ tar: expect.any(String) });
  });
});
