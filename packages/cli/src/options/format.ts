/**
 * `--format` and `--template`: text (the default), json, or a Go template, plus `tree`/`table`
 * for discover. `--format go-template=TPL` and `--format go-template --template TPL` are the same.
 */
import type { Options } from 'yargs';
import { CliError } from '../errors.js';

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
  { type: 'text', describe: 'print in text format' },
  { type: 'json', describe: 'print in JSON format' },
  { type: 'go-template', describe: 'print output using the given Go template' },
];

/** The yargs definitions of `--format` and `--template`. */
export function formatFlags(choices: readonly FormatChoice[] = DEFAULT_FORMATS): Record<string, Options> {
  const group = 'Format Flags:';
  const list = choices.map((c) => `'${c.type}': ${c.describe}`).join('; ');
  return {
    format: {
      type: 'string',
      describe: `[Experimental] format output using a custom template: ${list}`,
      group,
    },
    template: { type: 'string', describe: '[Experimental] template string used to format output', group },
  };
}

/** Reads the format flags; `fallback` is the format when none is given. */
export function parseFormat(
  argv: Record<string, unknown>,
  choices: readonly FormatChoice[] = DEFAULT_FORMATS,
  fallback: FormatType = 'text',
): FormatOptions {
  let raw = typeof argv.format === 'string' ? argv.format : undefined;
  let template = typeof argv.template === 'string' ? argv.template : undefined;
  if (raw?.startsWith('go-template=')) {
    if (template !== undefined)
      throw new CliError('--template cannot be used with --format go-template=<template>');
    template = raw.slice('go-template='.length);
    raw = 'go-template';
  }
  const type = (raw ?? (template !== undefined ? 'go-template' : fallback)) as FormatType;
  if (!choices.some((c) => c.type === type)) {
    throw new CliError(`invalid format type: "${raw}"`, {
      hint: `supported types: ${choices.map((c) => c.type).join(', ')}`,
    });
  }
  if (type === 'go-template' && !template) {
    throw new CliError('"--template" must be provided when "--format go-template" is used', {
      hint: 'use "--format go-template=<template>" or "--format go-template --template <template>"',
    });
  }
  if (type !== 'go-template' && template !== undefined) {
    throw new CliError(`--template must be used with --format go-template, not --format ${type}`);
  }
  return template === undefined ? { type } : { type, template };
}
