/**
 * Packs every package once for all of this package's test files; the tarballs are removed at the
 * end of the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packAll } from './tarballs.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A scratch folder for the run, holding the tarballs. */
    work: string;
    /** Each package's tarball, by package name. */
    tarballs: Record<string, string>;
  }
}

export default function setup(project: TestProject): () => void {
  const work = mkdtempSync(join(tmpdir(), 'oras-pack-'));
  project.provide('work', work);
  project.provide('tarballs', Object.fromEntries(packAll(work)));
  return () => rmSync(work, { recursive: true, force: true });
}
