/**
 * The entry of `oras`. `oras`, `oras --help`, `oras help` and `oras version` are answered here
 * without loading yargs or any library, so they start about as fast as Node itself; every other
 * command line goes to the command tree in `./cli.js`, loaded on demand.
 */
import { type CliContext, processContext } from './context.js';

/** Whether a command line asks for the top-level help: `oras`, `oras --help`, `-h` or `help`. */
function isRootHelp(argv: readonly string[]): boolean {
  const [first, ...rest] = argv;
  return (
    first === undefined || ((first === '--help' || first === '-h' || first === 'help') && rest.length === 0)
  );
}

/** Whether a command line asks for the version: `oras version` or `oras --version`. */
function isVersion(argv: readonly string[]): boolean {
  const [first, ...rest] = argv;
  return (first === 'version' || first === '--version') && rest.length === 0;
}

/** Whether {@link main} answers a command line itself, without yargs and the commands. @internal */
export function answersWithoutCommands(argv: readonly string[]): boolean {
  return isRootHelp(argv) || isVersion(argv);
}

/** Runs `oras` with the arguments after the program name; resolves to the exit code. */
export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  if (isRootHelp(argv)) {
    const { renderRootHelp } = await import('./root-help.js');
    ctx.stdout.write(renderRootHelp());
    return 0;
  }
  if (isVersion(argv)) {
    const { renderVersion } = await import('./version-info.js');
    ctx.stdout.write(renderVersion());
    return 0;
  }
  const { runCli } = await import('./cli.js');
  const [first, ...rest] = argv;
  return runCli(first === 'help' ? [...rest, '--help'] : [...argv], ctx);
}
