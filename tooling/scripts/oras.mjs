#!/usr/bin/env node
// `pnpm oras <args>`: the checkout's built `oras`, run in the folder pnpm was called from.
// pnpm runs a root script in the workspace root, and says where it was called from in INIT_CWD;
// file arguments (`oras push ... hi.txt`) are relative to that folder, as they are for `oras`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const bin = resolve(import.meta.dirname, '../../packages/cli/dist/bin.js');
if (!existsSync(bin)) {
  process.stderr.write(
    'oras is not built yet: run `pnpm build` (or `pnpm --filter @oras/cli... build`) first\n',
  );
  process.exit(1);
}
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import(pathToFileURL(bin).href);
