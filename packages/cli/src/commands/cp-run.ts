/** The implementation of `oras cp`. */
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';

/** Runs `oras cp`. */
export async function runCopy(_argv: Record<string, unknown>, _ctx: CliContext): Promise<void> {
  throw new CliError('cp: not implemented yet', { code: 'ORAS_ERR_UNSUPPORTED' });
}
