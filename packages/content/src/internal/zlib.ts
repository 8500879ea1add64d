/**
 * `node:zlib`, loaded when first needed. Only folders (packed on push, unpacked on pull) are
 * gzipped: a pull or copy of plain files never needs it, and a CLI run that loads it after
 * setting its V8 flags compiles it from source (~1.5 ms of every such run on a 2-core machine).
 */
import { createRequire } from 'node:module';
import type * as Zlib from 'node:zlib';

let zlib: typeof Zlib | undefined;

/** The `node:zlib` module, required on the first call. */
export function loadZlib(): typeof Zlib {
  zlib ??= createRequire(import.meta.url)('node:zlib') as typeof Zlib;
  return zlib;
}
