/**
 * The V8 settings of a run that executes a command: fixed before the command's code loads, and
 * after the Node built-in modules that code needs.
 *
 * Why the built-ins first: Node compiles its built-in modules from a code cache that V8 accepts
 * only while its flags are the ones the cache was made with. Any `setFlagsFromString` changes
 * them, and every built-in loaded afterwards is compiled from source: about three times the
 * time (http, tls, crypto, net ... went from ~50 ms to ~140 ms of a run on this machine).
 * Loaded first, they come from the cache; the few they load later on their own pay the price.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

/**
 * The built-in modules that every network command loads (what only some load, such as zlib or
 * web streams, is left to them).
 */
const BUILTINS = [
  'node:assert',
  'node:buffer',
  'node:child_process',
  'node:crypto',
  'node:diagnostics_channel',
  'node:dns/promises',
  'node:events',
  'node:fs',
  'node:fs/promises',
  'node:http',
  'node:net',
  'node:os',
  'node:path',
  'node:stream',
  'node:stream/promises',
  'node:string_decoder',
  'node:tls',
  'node:url',
  'node:util',
] as const;

/** The V8 flags of a transfer (why each: see {@link tuneV8ForTransfers}). */
export const V8_FLAGS = ['--liftoff-only', '--semi-space-growth-factor=1'] as const;

/** Loads the built-ins a command needs, then sets the V8 flags of a transfer ({@link V8_FLAGS}). */
export function tuneV8ForTransfers(): void {
  const require = createRequire(import.meta.url);
  for (const id of BUILTINS) require(id);
  // undici parses HTTP with llhttp compiled to WebAssembly. V8 first compiles it with its baseline
  // compiler (Liftoff), then again, optimised, in the background: that second compile adds ~35 MiB
  // to the peak memory of every run (measured with /usr/bin/time: a single request peaks at 90 MiB,
  // 55 MiB without it) and buys nothing measurable here, where the network and sha256 are the
  // bounds (a 1 GiB pull takes the same time). The flag only affects WebAssembly compiled after
  // this line, and no WebAssembly is compiled before the first request.
  setFlagsFromString(V8_FLAGS[0]);
  // Transfers allocate a few short-lived objects per received 64 KiB chunk (promises, stream
  // records). V8 answers that by doubling its young generation up to 32 MiB, and the chunks it
  // keeps alive meanwhile add as much again: `oras cp` of 1 GiB between two registries peaked at
  // 114-123 MiB. Keeping the young generation at its starting size makes it collected more often
  // and more cheaply: 79-82 MiB, in the same time (measured with /usr/bin/time, 3 runs each).
  setFlagsFromString(V8_FLAGS[1]);
}
