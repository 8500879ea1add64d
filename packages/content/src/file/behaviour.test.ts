import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreBehaviour } from '../test-support/store-behaviour.js';
import { FileStore } from './index.js';

const folders = new Map<FileStore, string>();

// Untitled content (what the suite pushes) lives in the fallback store; titled content is covered
// by store.test.ts and malicious.test.ts.
describeStoreBehaviour(
  'FileStore',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oras-file-behaviour-'));
    const store = new FileStore(dir, { tempDir: dir });
    folders.set(store, dir);
    return store;
  },
  {
    duplicatePush: 'accept',
    cleanup: async (store) => {
      await store.close();
      await rm(folders.get(store) as string, { recursive: true, force: true });
      folders.delete(store);
    },
  },
);
