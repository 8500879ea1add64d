#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { processContext } from './context.js';
import { main } from './main.js';
import { runInterruptible } from './signals.js';

// undici parses HTTP with llhttp compiled to WebAssembly. V8 first compiles it with its baseline
// compiler (Liftoff), then again, optimised, in the background: that second compile adds ~35 MiB
// to the peak memory of every run (measured with /usr/bin/time: a single request peaks at 90 MiB,
// 55 MiB without it) and buys nothing measurable here, where the network and sha256 are the
// bounds (a 1 GiB pull takes the same time). The flag only affects WebAssembly compiled after
// this line, and this process runs no other WebAssembly.
setFlagsFromString('--liftoff-only');
// Transfers allocate a few short-lived objects per received 64 KiB chunk (promises, stream
// records). V8 answers that by doubling its young generation up to 32 MiB, and the chunks it
// keeps alive meanwhile add as much again: `oras cp` of 1 GiB between two registries peaked at
// 114-123 MiB. Keeping the young generation at its starting size makes it collected more often
// and more cheaply: 79-82 MiB, in the same time (measured with /usr/bin/time, 3 runs each).
setFlagsFromString('--semi-space-growth-factor=1');

// Ctrl-C and SIGTERM: stop, cancel uploads, remove temporary files, one line, exit 130/143.
process.exitCode = await runInterruptible(processContext(), (ctx) => main(process.argv.slice(2), ctx));
