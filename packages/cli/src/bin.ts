#!/usr/bin/env node
import { answersWithoutCommands, main } from './main.js';

const argv = process.argv.slice(2);
// Help and version need neither the network stack nor its V8 settings (see ./v8-tuning.ts).
if (!answersWithoutCommands(argv)) (await import('./v8-tuning.js')).tuneV8ForTransfers();
process.exitCode = await main(argv);
