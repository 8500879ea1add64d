/** `oras discover`: list the referrers of a manifest, recursively. */
import type { Platform } from '@oras/spec';
import { summaryOf } from '../../command-table.js';
import type { CliContext } from '../../context.js';
import { CliError } from '../../errors.js';
import { type CommonOptions, common } from '../../options/common.js';
import { flagSet, type ParsedArgs } from '../../options/flag-set.js';
import { type FormatOptions, formatOptions } from '../../options/format.js';
import { platformOptions } from '../../options/platform.js';
import { type TargetOptions, targetOptions } from '../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../define.js';

/** The formats of discover. */
export const DISCOVER_FORMATS = [
  { type: 'tree', describe: 'Get referrers recursively and print in tree format' },
  { type: 'table', describe: 'Get direct referrers and output in table format' },
  { type: 'json', describe: 'Get referrers recursively and output in JSON format' },
  { type: 'go-template', describe: 'Print referrers using the given Go template' },
] as const;

const ARGS = flagSet({ name: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' } });

const FLAGS = flagSet({
  'artifact-type': { type: 'string', describe: 'artifact type' },
  depth: {
    type: 'number',
    describe: '[Experimental] level of referrers to show (at least 1; all levels when not given)',
  },
  output: {
    alias: 'o',
    type: 'string',
    describe:
      '[Deprecated] format in which to display referrers (table, json, or tree). tree format will show all referrers',
    defaultDescription: '"tree"',
  },
  // discover's own -v (not the deprecated global one): on unless `--verbose=false`
  verbose: {
    alias: 'v',
    type: 'boolean',
    describe: 'display full metadata of referrers',
    defaultDescription: 'true',
  },
});

/** The formats the deprecated `-o/--output` takes. */
const OUTPUT_FORMATS: readonly string[] = ['tree', 'table', 'json'];

const platform = platformOptions();
const format = formatOptions(DISCOVER_FORMATS, 'tree');
const target = targetOptions({
  form: '<registry>/<repo>{:<tag>|@<digest>}',
  requireReference: true,
  distributionSpec: true,
});

/** The common flags but their hidden, deprecated `-v/--verbose`, which discover's own replaces. */
function commonFlags() {
  const { verbose: _replaced, ...flags } = common.flags();
  return flags;
}

/** The parsed arguments and flags of `oras discover`. */
export interface DiscoverOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `--format` (or the deprecated `-o`), `--template`. */
  readonly format: FormatOptions;
  /** How many levels of referrers to show (0: all; 1 for the table format). */
  readonly depth: number;
  /** The subject. */
  readonly target: TargetOptions<string>;
  /** `--platform` of the subject. */
  readonly platform: Platform | undefined;
  /** `--artifact-type`: only referrers of this type. */
  readonly artifactType: string | undefined;
  /** `-v/--verbose`: show the annotations of referrers in the tree (on unless `--verbose=false`). */
  readonly verbose: boolean;
}

/** Parses the command line of `oras discover`, warning about the deprecated `-o` and `table` format. */
export function parseDiscover(argv: ParsedArgs, ctx: CliContext): DiscoverOptions {
  // `--verbose` is discover's own flag here, not the deprecated global one common warns about.
  const parsedCommon = common.parse({ ...argv, verbose: undefined }, ctx);
  const flags = FLAGS.read(argv);
  if (flags.output !== undefined && format.given(argv).format !== undefined)
    throw new CliError('--format, --output cannot be used at the same time');
  const parsedFormat = format.parse(argv, ctx, flags.output);
  if (flags.output !== undefined) {
    // as oras 1.3 (its own notice, not pflag's): checked after the format, and only the three
    // formats `-o` ever had; oras prints its template field here, empty for these, we the format
    if (!OUTPUT_FORMATS.includes(parsedFormat.type))
      throw new CliError('output type can only be tree, table or json');
    ctx.stderr.write(`[DEPRECATED] --output is deprecated, try \`--format ${parsedFormat.type}\` instead\n`);
  }
  if (parsedFormat.type === 'table') {
    ctx.stderr.write('Format "table" is deprecated and will be removed in a future release.\n');
  }
  // no --depth: every level (0 inside); oras refuses 0 and below
  const depth = flags.depth === undefined ? 0 : flags.depth;
  if (flags.depth !== undefined && !(Number.isInteger(depth) && depth >= 1))
    throw new CliError('depth value should be at least 1');
  return {
    common: parsedCommon,
    format: parsedFormat,
    depth: parsedFormat.type === 'table' ? 1 : depth,
    target: target.parse(argv, ctx, ARGS.read(argv).name ?? ''),
    platform: platform.parse(argv, ctx),
    artifactType: flags['artifact-type'],
    verbose: flags.verbose !== false,
  };
}

/** The definition of `oras discover`. */
export const command: CommandFactory = (ctx) => ({
  command: 'discover <name>',
  describe: summaryOf('discover'),
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras discover [flags] <name>{:<tag>|@<digest>}\n\n' +
            '[Preview] Discover referrers of a manifest in a registry or an OCI image layout\n\n** This command is in preview and under development. **',
        ),
        platform.flags(),
        format.flags(),
        target.flags(),
        commonFlags(),
        FLAGS.flags(),
      ),
      [
        ['oras discover localhost:5000/hello:v1', 'Show the referrers of an artifact as a tree'],
        [
          'oras discover --artifact-type sbom/example localhost:5000/hello:v1',
          'Only referrers of one artifact type',
        ],
        ['oras discover --depth 1 localhost:5000/hello:v1', 'Only direct referrers'],
        ['oras discover --verbose=false localhost:5000/hello:v1', 'A tree without annotations'],
        ['oras discover --format json localhost:5000/hello:v1', 'Print the referrer graph as JSON'],
        [
          'oras discover --format go-template="{{range .referrers}}{{.digest}}{{println}}{{end}}" localhost:5000/hello:v1',
          'Print with a template',
        ],
        ['oras discover --oci-layout layout-dir:v1', 'Discover in an OCI image layout'],
      ],
    ),
  handler: async (argv) => {
    const options = parseDiscover(argv, ctx);
    await (await import('./run.js')).runDiscover(options, ctx);
  },
});
