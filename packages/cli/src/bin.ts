#!/usr/bin/env node
/**
 * The ES module entry of `oras` (`dist/bin.js`): help and version come here from the CommonJS
 * entry (`./bin-commonjs.ts`), and it runs every command line on its own too.
 */
import { answersWithoutCommands } from './main.js';
import { runProcess } from './process-run.js';

const argv = process.argv.slice(2);
// Help and version need neither the network stack nor its V8 settings (see ./v8-tuning.ts).
if (!answersWithoutCommands(argv)) (await import('./v8-tuning.js')).tuneV8ForTransfers();
await runProcess(argv);
