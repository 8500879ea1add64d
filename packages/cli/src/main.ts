/**
 * The entry of `oras`. `oras`, `oras --help`, `oras help` and `oras version` are answered here
 * without loading yargs or any library, so they start about as fast as Node itself; every other
 * command line goes to the yargs tree in `./cli.js`, loaded on demand.
 */
import { type CliContext, processContext } from './context.js';

/** Runs `oras` with the arguments after the program name; resolves to the exit code. */
export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  const [first, ...rest] = argv;
  if (
    first === undefined ||
    ((first === '--help' || first === '-h' || first === 'help') && rest.length === 0)
  ) {
    const { renderRootHelp } = await import('./root-help.js');
    ctx.stdout.write(renderRootHelp());
    return 0;
  }
  if ((first === 'version' || first === '--version') && rest.length === 0) {
    const { renderVersion } = await import('./version-info.js');
    ctx.stdout.write(renderVersion());
    return 0;
  }
  const { runCli } = await import('./cli.js');
  return runCli(first === 'help' ? [...rest, '--help'] : [...argv], ctx);
}
