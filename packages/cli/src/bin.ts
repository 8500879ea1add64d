#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { main } from './main.js';

// undici parses HTTP with llhttp compiled to WebAssembly. V8 first compiles it with its baseline
// compiler (Liftoff), then again, optimised, in the background: that second compile adds ~35 MiB
// to the peak memory of every run (measured with /usr/bin/time: a single request peaks at 90 MiB,
// 55 MiB without it) and buys nothing measurable here, where the network and sha256 are the
// bounds (a 1 GiB pull takes the same time). The flag only affects WebAssembly compiled after
// this line, and this process runs no other WebAssembly.
setFlagsFromString('--liftoff-only');

process.exitCode = await main(process.argv.slice(2));
