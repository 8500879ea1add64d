/** The implementation of `oras attach`. */
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';

/** Runs `oras attach`. */
export async function runAttach(_argv: Record<string, unknown>, _ctx: CliContext): Promise<void> {
  throw new CliError('attach: not implemented yet', { code: 'ORAS_ERR_UNSUPPORTED' });
}
