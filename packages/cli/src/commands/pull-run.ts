/** The implementation of `oras pull`. */
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';

/** Runs `oras pull`. */
export async function runPull(_argv: Record<string, unknown>, _ctx: CliContext): Promise<void> {
  throw new CliError('pull: not implemented yet', { code: 'ORAS_ERR_UNSUPPORTED' });
}
