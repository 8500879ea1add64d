/**
 * The entry of `oras` (`dist/bin.cjs`, a CommonJS file). Help and version go to the ES module
 * bundle (`dist/bin.js`), which answers them without loading the commands. Every other command
 * line sets the V8 flags of a transfer, then runs the CommonJS bundle of the CLI
 * (`dist/oras.cjs`) compiled with a V8 code cache (`./compile-cache.ts`): the flags come first
 * because V8 rejects a cache made under other flags.
 */
import { join } from 'node:path';

/** Set by `scripts/bundle.mjs`: the sha256 of `dist/oras.cjs`. */
declare const __ORAS_BUNDLE_HASH__: string;

const argv = process.argv.slice(2);
const [first] = argv;
if (
  first === undefined ||
  first === 'version' ||
  first === '--version' ||
  first === 'help' ||
  argv.includes('--help') ||
  argv.includes('-h')
) {
  import('./bin.js');
} else {
  // (in the bundle, these imports are evaluated in place: nothing is loaded from disk)
  Promise.all([import('./v8-tuning.js'), import('./compile-cache.js')])
    .then(([{ tuneV8ForTransfers, V8_FLAGS }, { loadCommonJs, commandKey }]) => {
      tuneV8ForTransfers();
      const exports = loadCommonJs({
        file: join(__dirname, 'oras.cjs'),
        hash: __ORAS_BUNDLE_HASH__,
        v8Flags: V8_FLAGS,
        require,
        command: commandKey(argv),
      });
      return (exports.run as () => Promise<void>)();
    })
    .catch((error: unknown) => {
      // only a broken installation gets here (the run reports its own errors): one line, no stack
      process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
