/**
 * Writes an OCI image layout folder as a tar archive (what `oras backup --output x.tar` makes and
 * `OciLayoutStore.openReadOnly(file.tar)` reads): `oci-layout`, `index.json` and `blobs/`, paths
 * relative to the layout's root, portable headers (no owner names), streamed from disk.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadTar } from '../internal/tar.js';
import { INDEX_FILE, OCI_LAYOUT_FILE } from './layout.js';

/**
 * Archives the layout at `root` into `file` (through a temporary file beside it, renamed into place
 * when complete) and resolves to the archive's size in bytes.
 */
export async function writeLayoutTar(root: string, file: string): Promise<number> {
  const { create } = await loadTar('writing an OCI layout as a tar file');
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await create({ file: temp, cwd: root, portable: true }, [OCI_LAYOUT_FILE, INDEX_FILE, 'blobs']);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return (await stat(file)).size;
}
