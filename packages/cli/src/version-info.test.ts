import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliVersion, readPackageVersion } from './version-info.js';

describe('readPackageVersion', () => {
  let root: string;
  const at = (...parts: string[]) => pathToFileURL(`${join(root, ...parts)}/`);
  const write = (file: string, json: object) => {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), JSON.stringify(json));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'oras-version-'));
    write('node_modules/@oras/cli/package.json', { name: '@oras/cli', version: '1.2.3' });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads the version of the package the code was compiled into (dist/)', () => {
    expect(readPackageVersion(at('node_modules/@oras/cli/dist'))).toBe('1.2.3');
  });

  it('finds it from a bundle deeper in the package, past package.json files of other names', () => {
    write('node_modules/@oras/cli/dist/bundle/package.json', { type: 'module' });
    write('node_modules/@oras/cli/dist/package.json', { name: 'other', version: '9.9.9' });
    expect(readPackageVersion(at('node_modules/@oras/cli/dist/bundle'))).toBe('1.2.3');
  });

  it('follows a new version written into package.json, as `changeset version` does', () => {
    write('node_modules/@oras/cli/package.json', { name: '@oras/cli', version: '0.2.0' });
    expect(readPackageVersion(at('node_modules/@oras/cli/dist'))).toBe('0.2.0');
  });

  it('says unknown outside the package', () => {
    mkdirSync(join(root, 'elsewhere'));
    expect(readPackageVersion(at('elsewhere'))).toBe('unknown');
  });
});

describe('cliVersion', () => {
  it("is this checkout's package.json version", async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(cliVersion()).toBe(pkg.version);
  });
});
