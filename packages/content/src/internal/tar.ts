/**
 * Loads `tar`, an optional peer dependency of `@oras/content`, on first use. @internal
 *
 * Why optional: only directories in the file store (packed and unpacked as tar+gzip layers) and
 * OCI layouts written as tar files need it, and `@oras/registry` depends on this package, so a
 * hard dependency would install tar and its five packages for every registry-only user, who
 * never loads them. The `oras` CLI depends on tar itself.
 */
import { UnsupportedError } from '@oras/spec';

/** The `tar` package's module. */
export type TarModule = typeof import('tar');

let loading: Promise<TarModule> | undefined;

/**
 * The `tar` module, imported once. Rejects with an `UnsupportedError` whose one-line message
 * says to `npm i tar` when it is not installed; `what` names the operation that needs it.
 */
export async function loadTar(what: string): Promise<TarModule> {
  loading ??= import('tar');
  try {
    return await loading;
  } catch (err) {
    loading = undefined; // installed later in a long-lived process: try again next time
    throw tarLoadError(what, err);
  }
}

/** The error to throw when importing tar failed: one that says what to do when it is not installed. */
export function tarLoadError(what: string, err: unknown): unknown {
  if (!isTarMissing(err)) return err;
  return new UnsupportedError(
    `${what} needs the tar package, an optional peer dependency of @oras/content that is not installed: npm i tar`,
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
