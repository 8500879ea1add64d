/**
 * The flags `oras manifest index create` and `oras manifest index update` share: the artifact type
 * and annotations of the index, and where it goes (`-o`) instead of the registry.
 */
import { isValidMediaType } from '@oras/spec';
import { CliError } from '../../../errors.js';
import { flagSet, type OptionGroup } from '../../../options/flag-set.js';

/** The parsed index flags. */
export interface IndexOptions {
  /** `--artifact-type`, if given (empty to remove it, for update). */
  readonly artifactType: string | undefined;
  /** `-a key=value` annotations, if any were given. */
  readonly annotations: Record<string, string> | undefined;
  /** `-o/--output`: write the index to a file (or `-` for stdout) instead of pushing it. */
  readonly output: string | undefined;
  /** `--pretty`: indent the index written with `--output`. */
  readonly pretty: boolean;
}

/** Parses `-a key=value` annotations. */
export function parseAnnotations(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const a of values) {
    const i = a.indexOf('=');
    if (i <= 0) {
      throw new CliError(`annotation value doesn't match the required format: ${a}`, {
        hint: 'Please use the correct format in the flag: --annotation "key=value"',
      });
    }
    const key = a.slice(0, i);
    if (key in out) throw new CliError(`duplicate annotation key: ${key}`);
    out[key] = a.slice(i + 1);
  }
  return out;
}

/**
 * `--artifact-type` (described by `artifactType`), `-a/--annotation`, `-o/--output` (writing the
 * `index` that `create` created or `update` updated) and `--pretty`, which `create` and `update`
 * take after their own flags.
 */
export function indexOptions(
  artifactType: string,
  index: 'created' | 'updated' = 'created',
): OptionGroup<IndexOptions> {
  const FLAGS = flagSet({
    'artifact-type': { type: 'string', describe: artifactType },
    annotation: {
      alias: 'a',
      type: 'string',
      array: true,
      describe: 'manifest annotations',
    },
    output: {
      alias: 'o',
      type: 'string',
      describe: `file \`path\` to write the ${index} index to, use - for stdout`,
    },
    pretty: { type: 'boolean', describe: 'prettify JSON objects printed to stdout' },
  });
  return {
    flags: () => FLAGS.flags(),
    parse(argv) {
      const flags = FLAGS.read(argv);
      const type = flags['artifact-type'];
      if (type !== undefined && type !== '' && !isValidMediaType(type))
        throw new CliError(`invalid media type "${type}"`);
      return {
        artifactType: flags['artifact-type'],
        annotations: parseAnnotations(flags.annotation),
        output: flags.output,
        pretty: flags.pretty === true,
      };
    },
  };
}
