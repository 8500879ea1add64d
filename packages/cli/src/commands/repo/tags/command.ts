/** `oras repo tags` (`show-tags`): list the tags of a repository or an OCI image layout. */
import type { CliContext } from '../../../context.js';
import { type CommonOptions, common } from '../../../options/common.js';
import { flagSet, type ParsedArgs } from '../../../options/flag-set.js';
import { type FormatOptions, formatOptions } from '../../../options/format.js';
import { type TargetOptions, targetOptions } from '../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../define.js';

const ARGS = flagSet({ name: { type: 'string', describe: '<registry>/<repo>[:<tag>|@<digest>]' } });

const FLAGS = flagSet({
  last: { type: 'string', describe: 'start after the tag specified by `last`' },
  'exclude-digest-tags': {
    type: 'boolean',
    describe: "[Preview] exclude all digest-like tags such as 'sha256-aaaa...'",
  },
});

const format = formatOptions();
const target = targetOptions({ form: '<registry>/<repo>[:<tag>|@<digest>]' });

/** The parsed arguments and flags of `oras repo tags`. */
export interface RepoTagsOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `--format`, `--template`. */
  readonly format: FormatOptions;
  /** The repository or layout; with a tag or digest, only the tags of that manifest are listed. */
  readonly target: TargetOptions;
  /** `--last`: start after this tag. */
  readonly last: string | undefined;
  /** `--exclude-digest-tags`. */
  readonly excludeDigestTags: boolean;
}

/** Parses the command line of `oras repo tags`. */
export function parseRepoTags(argv: ParsedArgs, ctx: CliContext): RepoTagsOptions {
  const flags = FLAGS.read(argv);
  return {
    common: common.parse(argv, ctx),
    format: format.parse(argv),
    target: target.parse(argv, ctx, ARGS.read(argv).name ?? ''),
    last: flags.last,
    excludeDigestTags: flags['exclude-digest-tags'] === true,
  };
}

/** The definition of `oras repo tags`. */
export const command: CommandFactory = (ctx) => ({
  command: 'tags <name>',
  aliases: ['show-tags'],
  describe: 'Show tags of the target repository',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras repo tags [flags] <name>\n\n' + 'Show tags of the target repository',
        ),
        FLAGS.flags(),
        format.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras repo tags localhost:5000/hello', 'Show the tags of a repository'],
        ['oras repo tags --exclude-digest-tags localhost:5000/hello', 'Hide referrer tags like sha256-...'],
        ['oras repo tags --last last_tag localhost:5000/hello', 'Show the tags after last_tag'],
        [
          'oras repo tags localhost:5000/hello:latest',
          '[Experimental] Show the tags pointing where latest points',
        ],
        ['oras repo tags --format json localhost:5000/hello', 'Print the tags as JSON'],
        [
          "oras repo tags --format go-template='{{range .tags}}{{println .}}{{end}}' localhost:5000/hello",
          'Print the tags through a Go template',
        ],
        ['oras repo tags --oci-layout layout-dir', 'Show the tags of an OCI image layout folder'],
      ],
    ),
  handler: async (argv) => {
    const options = parseRepoTags(argv, ctx);
    await (await import('./run.js')).runRepoTags(options, ctx);
  },
});
