/**
 * Picks the status reporter for a run: the live display on a terminal, JSON events, plain lines on
 * stdout (only with text output: JSON and template output keep stdout for the result), or none.
 */
import type { CliContext } from '../context.js';
import type { ProgressMode } from '../options/common.js';
import type { FormatType } from '../options/format.js';
import { TtyProgressReporter } from './progress.js';
import {
  DiscardStatusReporter,
  JsonStatusReporter,
  type Prompts,
  type StatusReporter,
  TextStatusReporter,
} from './status.js';

/**
 * The reporter for a progress mode and output format. `verbose` false (`--verbose=false`) leaves
 * out the plain lines of unnamed content, as oras does.
 */
export function createReporter(
  mode: ProgressMode,
  format: FormatType,
  ctx: CliContext,
  prompts: Prompts,
  verbose = true,
): StatusReporter {
  switch (mode) {
    case 'tty':
      return new TtyProgressReporter(ctx.stderr, prompts);
    case 'json':
      return new JsonStatusReporter(ctx.stderr, prompts);
    case 'none':
      return new DiscardStatusReporter();
    default:
      return format === 'text'
        ? new TextStatusReporter(ctx.stdout, prompts, { verbose })
        : new DiscardStatusReporter();
  }
}
