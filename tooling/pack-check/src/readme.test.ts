/**
 * Every TypeScript example of every packed README compiles in a fresh, strict consumer project
 * (NodeNext, strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, the default DOM lib,
 * our declarations checked too) against the tarballs installed with npm. Each package's own
 * `readme.test.ts` runs its examples; this checks what a user copying them gets from the compiler.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { attempt, install, packages, readFromTarball, root, typeScriptBlocks } from './tarballs.js';

const tarballs = inject('tarballs');
const dir = join(inject('work'), 'readme-consumer');

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  },
  include: ['*.ts'],
};

describe('README examples, compiled by a strict consumer against the tarballs', () => {
  const examples = packages.flatMap((pkg) => {
    const file = tarballs[`@oras/${pkg}`];
    if (file === undefined) throw new Error(`no tarball for @oras/${pkg}`);
    return typeScriptBlocks(readFromTarball(file, 'README.md')).map((code, i) => ({
      pkg,
      name: `${pkg}-${i}.ts`,
      code,
    }));
  });

  it('every library README has a TypeScript example', () => {
    expect(new Set(examples.map((e) => e.pkg))).toEqual(new Set(['spec', 'auth', 'content', 'registry']));
  });

  it('compiles every example without an error', () => {
    install(dir, [...Object.values(tarballs), '@types/node@^20.19.0']);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    for (const example of examples) writeFileSync(join(dir, example.name), example.code);
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    const { status, output } = attempt(tsc, ['-p', 'tsconfig.json'], dir);
    expect(output).toBe('');
    expect(status).toBe(0);
  });
});
