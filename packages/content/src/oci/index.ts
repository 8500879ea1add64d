/**
 * `@oras/content/oci`: the OCI image layout as a store, read and write (`OciLayoutStore.open`),
 * and read-only from a directory or a tar archive (`OciLayoutStore.openReadOnly`).
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 * @packageDocumentation
 */
export { INDEX_FILE, OCI_LAYOUT_FILE, ReadOnlyOciLayout, blobPath } from './layout.js';
export { DEFAULT_LOCK_STALE_MS, DEFAULT_LOCK_TIMEOUT_MS, acquireLock, withLock } from './lock.js';
export type { Lock, LockOptions } from './lock.js';
export { INGEST_DIR, OciLayoutStore, cleanupOciLayoutsSync } from './store.js';
export { writeLayoutTar } from './tar-writer.js';
export type { GcOptions, GcResult, OciLayoutStoreOptions } from './store.js';
