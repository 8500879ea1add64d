/**
 * `--format` and `--template`: text (the default), json, or a Go template, plus `tree`/`table`
 * for discover. `--format go-template=TPL` and `--format go-template --template TPL` are the same.
 */
import { CliError } from '../errors.js';
import { flagSet, type OptionGroup, type ParsedArgs } from './flag-set.js';

/** An output format. */
export type FormatType = 'text' | 'json' | 'go-template' | 'tree' | 'table';

/** The parsed format flags. */
export interface FormatOptions {
  /** The format. */
  readonly type: FormatType;
  /** The template source, for `go-template`. */
  readonly template?: string;
}

/** A described format choice. */
export interface FormatChoice {
  /** The value of `--format`. */
  readonly type: FormatType;
  /** What it prints. */
  readonly describe: string;
}

/** The formats most commands offer. */
export const DEFAULT_FORMATS: readonly FormatChoice[] = [
  { type: 'text', describe: 'Print in text format' },
  { type: 'json', describe: 'Print in JSON format' },
  { type: 'go-template', describe: 'Print output using the given Go template' },
];

/**
 * The description of `--format` as oras words it: one line per choice, the default last
 * (`'json':         Print in JSON format`), under `[Experimental] format output using a custom template:`.
 */
export function describeFormats(choices: readonly FormatChoice[], fallback: FormatType): string {
  const ordered = [
    ...choices.filter((c) => c.type !== fallback),
    ...choices.filter((c) => c.type === fallback),
  ];
  const lines = ordered.map((c) => `${`'${c.type}':`.padEnd(16)}${c.describe}`);
  return ['[Experimental] format output using a custom template:', ...lines].join('\n');
}

/** The flag names, for the messages that name them. */
export const FORMAT_FLAGS = { format: 'format', template: 'template' } as const;

/** The raw `--format` and `--template`, as given. */
export interface GivenFormat {
  /** `--format`, if given. */
  readonly format: string | undefined;
  /** `--template`, if given. */
  readonly template: string | undefined;
}

/** The format flags of a command. */
export interface FormatGroup extends OptionGroup<FormatOptions> {
  /** `--format` and `--template` as given, unchecked, for commands that refuse them with other flags. */
  given(argv: ParsedArgs): GivenFormat;
  /**
   * Reads the format flags; `formatWhenAbsent` stands in for an absent `--format` (the deprecated
   * `discover -o`). Throws {@link CliError} for a format the command does not offer.
   */
  parse(argv: ParsedArgs, ctx?: unknown, formatWhenAbsent?: string): FormatOptions;
}

/**
 * `--format` and `--template` offering `choices`; `fallback` is the format when neither is given
 * (it need not be one of the choices: `manifest fetch` prints raw JSON unless asked for a format).
 */
export function formatOptions(
  choices: readonly FormatChoice[] = DEFAULT_FORMATS,
  fallback: FormatType = 'text',
): FormatGroup {
  const group = 'Format Flags:';
  const offered = choices.some((c) => c.type === fallback);
  const FLAGS = flagSet({
    [FORMAT_FLAGS.format]: {
      type: 'string',
      describe: describeFormats(choices, fallback),
      // shown as oras shows its default, read as absent (a command may stand in another value)
      ...(offered ? { defaultDescription: JSON.stringify(fallback) } : {}),
      group,
    },
    [FORMAT_FLAGS.template]: {
      type: 'string',
      describe: '[Experimental] template string used to format output',
      group,
    },
  });
  const given = (argv: ParsedArgs): GivenFormat => FLAGS.read(argv);
  return {
    flags: () => FLAGS.flags(),
    given,
    parse(argv, _ctx, formatWhenAbsent) {
      const flags = given(argv);
      return checkFormat(flags.format ?? formatWhenAbsent, flags.template, choices, fallback);
    },
  };
}

/**
 * The format `--format <raw>` and `--template <template>` name, checked against `choices` in
 * oras's order and words: `--template` needs `--format go-template`; `go-template` needs a
 * template (`--format go-template=TPL` or `--template TPL`); any other value must be a choice.
 */
function checkFormat(
  given: string | undefined,
  givenTemplate: string | undefined,
  choices: readonly FormatChoice[],
  fallback: FormatType,
): FormatOptions {
  let type: string = given ?? fallback;
  let template = givenTemplate;
  if (template !== undefined && template !== '') {
    if (type !== 'go-template') throw new CliError('--template must be used with --format go-template');
  } else if (given?.startsWith('go-template=')) {
    type = 'go-template';
    template = given.slice('go-template='.length);
  }
  if (given === undefined && (template === undefined || template === '')) return { type: fallback };
  if (type === 'go-template' && !template) {
    throw new CliError('"go-template" format specified but no template given', {
      hint: 'use `--format go-template=TEMPLATE` to specify the template',
    });
  }
  if (!choices.some((c) => c.type === type)) {
    // oras lists the other types first and the default last
    const names = choices.map((c) => c.type);
    const ordered = [...names.filter((n) => n !== fallback), ...names.filter((n) => n === fallback)];
    throw new CliError(`invalid format type: "${type}"`, { hint: `supported types: ${ordered.join(', ')}` });
  }
  return type === 'go-template' ? { type, template: template ?? '' } : { type: type as FormatType };
}
