#!/usr/bin/env node
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';
import { processContext } from './context.js';
import { answersWithoutCommands, main } from './main.js';
import { runInterruptible } from './signals.js';

const argv = process.argv.slice(2);
// `oras ... | head`: a closed pipe ends the run quietly, as it ends a Go program.
exitQuietlyOnBrokenPipe([process.stdout, process.stderr]);
// Help and version need neither the network stack nor its V8 settings (see ./v8-tuning.ts).
if (!answersWithoutCommands(argv)) (await import('./v8-tuning.js')).tuneV8ForTransfers();
// Ctrl-C and SIGTERM: stop, cancel uploads, remove temporary files, one line, exit 130/143.
const code = await runInterruptible(processContext(), (ctx) => main(argv, ctx));
// a broken pipe during the run has set its own code (141), and the run then ends without error
process.exitCode ??= code;
