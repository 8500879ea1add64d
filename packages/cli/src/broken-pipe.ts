/**
 * What `oras` does when the reader of its output goes away (`oras repo tags ... | head -1`): a
 * Go program writing to a closed pipe dies of `SIGPIPE`, silently, and a shell reports 141. Node
 * ignores `SIGPIPE` and reports `EPIPE` as an `'error'` event instead, which nobody handles: the
 * process would crash with a stack trace. So a broken pipe on stdout or stderr ends the run
 * quietly, with the same exit code, after removing the temporary files of its stores.
 */

/** The exit code after a broken pipe: 128 + 13 (`SIGPIPE`), as a shell reports Go's death. */
export const EXIT_BROKEN_PIPE = 141;

/** An output of the process: it reports write failures as `'error'` events. */
export interface ProcessOutput {
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  write: NodeJS.WritableStream['write'];
}

/** Options of {@link exitQuietlyOnBrokenPipe}. */
export interface BrokenPipeOptions {
  /** Ends the process (default `process.exit`). */
  readonly exit?: (code: number) => void;
  /** Removes temporary files before the exit (default: every file store's and OCI layout's). */
  readonly cleanup?: () => Promise<void>;
  /** Where a write failure other than a broken pipe is reported (default stderr, if it works). */
  readonly report?: (line: string) => void;
}

/** Removes the temporary files of every file store and OCI layout of the process. */
async function cleanupStores(): Promise<void> {
  const [file, oci] = await Promise.all([import('@oras/content/file'), import('@oras/content/oci')]);
  for (const cleanup of [file.cleanupFileStoresSync, oci.cleanupOciLayoutsSync]) {
    try {
      cleanup();
    } catch {
      // nothing may stop the exit
    }
  }
}

/**
 * Makes a failed write to one of `streams` end the process: quietly with
 * {@link EXIT_BROKEN_PIPE} for `EPIPE`, with one line and exit code 1 for anything else. From the
 * first failure on, nothing more is written to any of them (the run, failing on the broken pipe,
 * would print an error), and `process.exitCode` holds the code in case the run ends first.
 */
export function exitQuietlyOnBrokenPipe(
  streams: readonly ProcessOutput[],
  options: BrokenPipeOptions = {},
): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const cleanup = options.cleanup ?? cleanupStores;
  let ending = false;
  const end = (code: number) => {
    if (ending) return;
    ending = true;
    process.exitCode = code;
    for (const stream of streams) mute(stream);
    cleanup().then(
      () => exit(code),
      () => exit(code),
    );
  };
  for (const stream of streams) {
    stream.on('error', (err) => {
      if (err.code === 'EPIPE') {
        end(EXIT_BROKEN_PIPE);
        return;
      }
      if (!ending) {
        try {
          (options.report ?? ((line) => process.stderr.write(line)))(`Error: write: ${err.message}\n`);
        } catch {
          // stderr is gone too
        }
      }
      end(1);
    });
  }
}

/** Makes every later write to `stream` a no-op that succeeds. */
function mute(stream: ProcessOutput): void {
  (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
}
