/** Child processes for the release check: async (verdaccio serves from our event loop's children), with the error a human needs. */
import { execFile } from 'node:child_process';

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** What a finished command printed. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command` and resolves with its output; rejects with the command line, the exit status
 * and the end of both outputs when it fails.
 */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const status = error.killed ? `killed (${error.signal ?? 'timeout'})` : `exit ${String(error.code)}`;
        reject(
          new Error(
            `${command} ${args.join(' ')} (in ${options.cwd}): ${status}\n` +
              `--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`,
          ),
        );
      },
    );
  });
}
