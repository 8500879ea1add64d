/**
 * The entry of the CommonJS bundle `dist/oras.cjs`, which `./bin-commonjs.ts` compiles with a V8
 * code cache after it has set the V8 flags of a transfer.
 */
import { runProcess } from './process-run.js';

/** Runs the command line of this process. */
export function run(): Promise<void> {
  return runProcess(process.argv.slice(2));
}
