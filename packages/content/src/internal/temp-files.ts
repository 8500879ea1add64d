/**
 * The temporary files of a store, in one place, so that they can all be removed at once: by
 * `close()`, and synchronously by `cleanupSync()` from a signal or exit handler, where no promise
 * gets to settle. @internal
 */
import { renameSync, rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';

/**
 * The temporary files a store created and has not removed yet. A backup (a user's file kept aside
 * while a layer replaces it) is put back under its name rather than removed.
 */
/** @internal */
export class TempFiles {
  /** Each temporary path, with the path it goes back to when it is a backup. */
  readonly #paths = new Map<string, string | undefined>();

  /** Records a temporary file; with `restoreTo`, a backup of the file at that path. */
  add(path: string, restoreTo?: string): void {
    this.#paths.set(path, restoreTo);
  }

  /** Forgets a temporary file that was renamed into place or removed. */
  delete(path: string): void {
    this.#paths.delete(path);
  }

  /** The number of temporary files recorded. */
  get size(): number {
    return this.#paths.size;
  }

  /** Removes every temporary file (puts backups back); returns the failures. */
  async removeAll(): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const [path, restoreTo] of [...this.#paths]) {
      try {
        if (restoreTo === undefined) await rm(path, { force: true });
        else await rename(path, restoreTo);
        this.#paths.delete(path);
      } catch (err) {
        failures.push(err);
      }
    }
    return failures;
  }

  /** {@link removeAll}, synchronously, for signal and exit handlers; never throws. */
  removeAllSync(): void {
    for (const [path, restoreTo] of [...this.#paths]) {
      try {
        if (restoreTo === undefined) rmSync(path, { force: true });
        else renameSync(path, restoreTo);
      } catch {
        // best effort: the process is going away
      }
      this.#paths.delete(path);
    }
  }
}
