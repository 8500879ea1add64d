import { ErrorCode, UnsupportedError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { checkTarVersion, loadTar, tarLoadError } from './tar.js';

/** What Node's `import('tar')` rejects with when the package is not installed. */
function notInstalled(specifier: string): Error {
  return Object.assign(
    new Error(
      `Cannot find package '${specifier}' imported from /app/node_modules/@oras/content/dist/internal/tar.js`,
    ),
    { code: 'ERR_MODULE_NOT_FOUND' },
  );
}

describe('tar, an optional peer dependency', () => {
  it('loads when installed', async () => {
    const tar = await loadTar('packing a directory');
    expect(typeof tar.Header).toBe('function');
    expect(typeof tar.create).toBe('function');
  });

  it('is missing: a one-line UnsupportedError says what needs it and to npm i tar', () => {
    const cause = notInstalled('tar');
    const err = tarLoadError('packing a directory', cause);
    expect(UnsupportedError.is(err)).toBe(true);
    expect(err).toMatchObject({
      code: ErrorCode.Unsupported,
      message:
        'packing a directory needs the tar package, an optional peer dependency of @oras/content that is not installed: npm i tar@7',
      cause,
    });
    expect((err as Error).message).not.toContain('\n');
  });

  it('passes other failures on as they are (a package tar itself misses, a broken install)', () => {
    const ofDependency = notInstalled('minizlib');
    expect(tarLoadError('packing a directory', ofDependency)).toBe(ofDependency);
    const other = new SyntaxError('Unexpected token');
    expect(tarLoadError('packing a directory', other)).toBe(other);
  });

  it('is another major version than 7: a one-line UnsupportedError names the installed version', () => {
    expect(() => checkTarVersion('7.5.23')).not.toThrow();
    let thrown: unknown;
    try {
      checkTarVersion('6.2.1');
    } catch (err) {
      thrown = err;
    }
    expect(tarLoadError('unpacking a directory layer', thrown)).toMatchObject({
      code: ErrorCode.Unsupported,
      message:
        'unpacking a directory layer needs tar 7, an optional peer dependency of @oras/content, but tar 6.2.1 is installed: npm i tar@7',
    });
  });
});
