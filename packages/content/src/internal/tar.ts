/**
 * Loads `tar`, an optional peer dependency of `@oras/content`, on first use. @internal
 *
 * Why optional: only directories in the file store (packed and unpacked as tar+gzip layers) and
 * OCI layouts written as tar files need it, and `@oras/registry` depends on this package, so a
 * hard dependency would install tar and its five packages for every registry-only user, who
 * never loads them. The `oras` CLI depends on tar itself.
 *
 * Why the peer range is `*` and the major version is checked here: npm refuses to install a
 * package whose optional peer range excludes a tar the project already has (ERESOLVE), and tar 6
 * is common; but tar 6 writes other header bytes than tar 7, so packing with it would change the
 * digests of reproducible directory layers. So any tar installs, and only tar 7 is used.
 */
import { createRequire } from 'node:module';
import { UnsupportedError } from '@oras/spec';

/** The `tar` package's module. */
export type TarModule = typeof import('tar');

/** The major version of tar this package is written and tested against. */
export const TAR_MAJOR = 7;

let loading: Promise<TarModule> | undefined;

/**
 * The `tar` module, imported once. Rejects with an `UnsupportedError` whose one-line message
 * says what to install when tar is missing or not tar 7; `what` names the operation that needs it.
 */
export async function loadTar(what: string): Promise<TarModule> {
  loading ??= import('tar').then((tar) => {
    checkTarVersion(installedTarVersion());
    return tar;
  });
  try {
    return await loading;
  } catch (err) {
    loading = undefined; // installed later in a long-lived process: try again next time
    throw tarLoadError(what, err);
  }
}

/** The version of the tar package that `import('tar')` resolves to from here. */
function installedTarVersion(): unknown {
  return (createRequire(import.meta.url)('tar/package.json') as { version?: unknown }).version;
}

/** Throws a `TarVersionError` unless `version` is tar 7. */
export function checkTarVersion(version: unknown): void {
  const major = typeof version === 'string' ? Number.parseInt(version, 10) : Number.NaN;
  if (major !== TAR_MAJOR) throw new TarVersionError(String(version));
}

/** The installed tar is not the major version this package uses. */
class TarVersionError extends Error {
  constructor(readonly found: string) {
    super(`tar ${found} is installed`);
  }
}

/** The error to throw when loading tar failed: one that says what to do when it is missing or too old. */
export function tarLoadError(what: string, err: unknown): unknown {
  if (err instanceof TarVersionError) {
    return new UnsupportedError(
      `${what} needs tar ${TAR_MAJOR}, an optional peer dependency of @oras/content, but tar ${err.found} is installed: npm i tar@${TAR_MAJOR}`,
    );
  }
  if (!isTarMissing(err)) return err;
  return new UnsupportedError(
    `${what} needs the tar package, an optional peer dependency of @oras/content that is not installed: npm i tar@${TAR_MAJOR}`,
    { cause: err },
  );
}

function isTarMissing(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    /['"]tar['"]/.test(message)
  );
}
