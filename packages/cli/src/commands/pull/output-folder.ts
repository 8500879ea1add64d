/**
 * The output folder of a pull that failed: the folders the pull created for it (`-o new/deeper`)
 * are removed again when they are empty, so a refused pull leaves the file system as it found it.
 * A folder that existed before, or that holds anything, is never touched.
 */
import { rmdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Notes which folders of the absolute path `output` (it included) do not exist yet, and returns a
 * function that removes those of them that are empty, deepest first.
 */
export async function createdFolders(output: string): Promise<() => Promise<void>> {
  const missing: string[] = [];
  for (let dir = output; ; dir = dirname(dir)) {
    const exists = await stat(dir).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
    );
    if (exists || dirname(dir) === dir) break;
    missing.push(dir);
  }
  return async () => {
    for (const dir of missing) {
      try {
        // only an empty folder goes: anything in it stops the walk up
        await rmdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return;
      }
    }
  };
}
