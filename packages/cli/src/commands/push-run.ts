/** The implementation of `oras push`. */
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';

/** Runs `oras push`. */
export async function runPush(_argv: Record<string, unknown>, _ctx: CliContext): Promise<void> {
  throw new CliError('push: not implemented yet', { code: 'ORAS_ERR_UNSUPPORTED' });
}
