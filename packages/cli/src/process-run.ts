/**
 * One run of `oras` as a process: what both entries (`./bin.ts`, the ES module bundle, and
 * `./bin-commonjs.ts` through `./run-commonjs.ts`, the CommonJS bundle) do once the V8 settings
 * are in place.
 */
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';
import { processContext } from './context.js';
import { main } from './main.js';
import { runInterruptible } from './signals.js';

/** Runs `oras` with `argv` (the arguments after the program name) and sets the exit code. */
export async function runProcess(argv: readonly string[]): Promise<void> {
  // `oras ... | head`: a closed pipe ends the run quietly, as it ends a Go program.
  exitQuietlyOnBrokenPipe([process.stdout, process.stderr]);
  // Ctrl-C and SIGTERM: stop, cancel uploads, remove temporary files, one line, exit 130/143.
  const code = await runInterruptible(processContext(), (ctx) => main(argv, ctx));
  // a broken pipe during the run has set its own code (141), and the run then ends without error
  process.exitCode ??= code;
}
