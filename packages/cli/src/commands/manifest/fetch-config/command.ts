/** `oras manifest fetch-config` (`get-config`): print or save the config of a manifest. */
import type { Platform } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { CliError } from '../../../errors.js';
import { type CommonOptions, common } from '../../../options/common.js';
import { descriptorOptions } from '../../../options/descriptor.js';
import { flagSet, type ParsedArgs } from '../../../options/flag-set.js';
import { platformOptions } from '../../../options/platform.js';
import { type TargetOptions, targetOptions } from '../../../options/target.js';
import { type CommandFactory, withExamples, withFlags, withPositionals } from '../../define.js';

const ARGS = flagSet({ name: { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' } });

const FLAGS = flagSet({
  output: {
    alias: 'o',
    type: 'string',
    describe: 'file `path` to write the fetched config to, use - for stdout',
  },
});

const descriptor = descriptorOptions();
const platform = platformOptions();
const target = targetOptions({ form: '<registry>/<repo>{:<tag>|@<digest>}', requireReference: true });

/** The parsed arguments and flags of `oras manifest fetch-config`. */
export interface ManifestFetchConfigOptions {
  /** The common flags. */
  readonly common: CommonOptions;
  /** `-o/--output`: a file, or `-` for stdout. */
  readonly output: string | undefined;
  /** `--descriptor`: print the config's descriptor. */
  readonly descriptorOnly: boolean;
  /** `--pretty` as given. */
  readonly pretty: boolean;
  /** The manifest, by tag or digest. */
  readonly target: TargetOptions<string>;
  /** `--platform`. */
  readonly platform: Platform | undefined;
}

/** Parses the command line of `oras manifest fetch-config`. */
export function parseManifestFetchConfig(argv: ParsedArgs, ctx: CliContext): ManifestFetchConfigOptions {
  const parsedCommon = common.parse(argv, ctx);
  const { output } = FLAGS.read(argv);
  const described = descriptor.parse(argv, ctx);
  if (output === '-' && described.descriptor)
    throw new CliError('`--descriptor` cannot be used with `--output -` at the same time');
  return {
    common: parsedCommon,
    output,
    descriptorOnly: described.descriptor,
    pretty: described.pretty,
    target: target.parse(argv, ctx, ARGS.read(argv).name ?? ''),
    platform: platform.parse(argv, ctx),
  };
}

/** The definition of `oras manifest fetch-config`. */
export const command: CommandFactory = (ctx) => ({
  command: 'fetch-config <name>',
  aliases: ['get-config'],
  describe: 'Fetch the config of a manifest from a registry or an OCI image layout',
  builder: (y) =>
    withExamples(
      withFlags(
        withPositionals(y, ARGS).usage(
          'oras manifest fetch-config [flags] <name>{:<tag>|@<digest>}\n\nFetch the config of a manifest from a registry or an OCI image layout',
        ),
        FLAGS.flags(),
        descriptor.flags(),
        platform.flags(),
        target.flags(),
        common.flags(),
      ),
      [
        ['oras manifest fetch-config localhost:5000/hello:v1', 'Fetch the config of a manifest'],
        ['oras manifest fetch-config -o config.json localhost:5000/hello:v1', 'Save the config to a file'],
        [
          'oras manifest fetch-config --descriptor localhost:5000/hello:v1',
          'Print the descriptor of the config',
        ],
        [
          'oras manifest fetch-config --platform linux/arm64 localhost:5000/hello:v1',
          'The config of one platform',
        ],
        ['oras manifest fetch-config --oci-layout layout-dir:v1', 'Fetch from an OCI image layout folder'],
      ],
    ),
  handler: async (argv) => {
    const options = parseManifestFetchConfig(argv, ctx);
    await (await import('./run.js')).runManifestFetchConfig(options, ctx);
  },
});
