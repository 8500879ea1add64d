/**
 * The flags every command has: `-d/--debug`, `--no-tty`, `--progress` and the deprecated
 * `-v/--verbose` (hidden from help, as pflag hides a deprecated flag), and how they decide between
 * a live progress display and plain status lines.
 */
import type { CliContext } from '../context.js';
import { flagSet, type OptionGroup } from './flag-set.js';

/** How transfer status is shown. */
export type ProgressMode = 'tty' | 'plain' | 'json' | 'none';

/** The `--progress` values. */
export const PROGRESS_CHOICES = ['auto', 'tty', 'plain', 'json', 'none'] as const;

/** The parsed common flags. */
export interface CommonOptions {
  /** `-d/--debug`: debug logs and redacted HTTP traces on stderr, stack traces on failure. */
  readonly debug: boolean;
  /** `--no-tty` as given (`undefined` when absent). */
  readonly noTty: boolean | undefined;
  /** `--progress` as given. */
  readonly progress: (typeof PROGRESS_CHOICES)[number];
  /**
   * The deprecated `-v/--verbose`: `false` (`--verbose=false`) hides the status lines of unnamed
   * content, as in oras, where it defaults to `true`.
   */
  readonly verbose?: boolean | undefined;
}

const group = 'Global Flags:';

const FLAGS = flagSet({
  debug: { alias: 'd', type: 'boolean', describe: 'output debug logs (implies --no-tty)', group },
  // oras 1.3's option.Terminal words (its older option.Common said "do not show progress output")
  'no-tty': { type: 'boolean', describe: '[Preview] disable progress bars', group },
  progress: {
    type: 'string',
    choices: PROGRESS_CHOICES,
    default: 'auto',
    describe: 'how to show transfer progress: auto (a live display on a terminal), json (one event per line)',
    group,
  },
  // deprecated in oras 1.3 (pflag's MarkDeprecated), so hidden from help as there, still accepted
  verbose: {
    alias: 'v',
    type: 'boolean',
    describe: '[Deprecated] print status output for unnamed blobs',
    defaultDescription: 'true',
    hidden: true,
    group,
  },
});

/** The common flags; parsing warns on stderr about deprecated ones. */
export const common: OptionGroup<CommonOptions> = {
  flags: () => FLAGS.flags(),
  parse(argv, ctx) {
    const flags = FLAGS.read(argv);
    if (flags.verbose !== undefined) {
      ctx.stderr.write('Flag --verbose has been deprecated, and will be removed in a future release.\n');
    }
    return {
      debug: flags.debug === true,
      noTty: flags['no-tty'],
      progress: flags.progress,
      verbose: flags.verbose !== false,
    };
  },
};

/**
 * Picks how transfer status is shown, as oras does: a live display on stderr only when stderr is a
 * terminal, never with `--debug` or `--no-tty`, and not when results go to stdout (`-o -`) unless
 * `--no-tty=false` was given. `--progress` overrides the choice.
 */
export function progressMode(opts: CommonOptions, ctx: CliContext, toStdout = false): ProgressMode {
  switch (opts.progress) {
    case 'json':
    case 'plain':
    case 'none':
    case 'tty':
      return opts.progress;
    default:
      break;
  }
  if (opts.noTty === true || opts.debug) return 'plain';
  if (toStdout && opts.noTty !== false) return 'plain';
  return ctx.stderr.isTTY === true ? 'tty' : 'plain';
}
