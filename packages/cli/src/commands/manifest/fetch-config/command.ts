/** `oras manifest fetch-config` (`get-config`): print or save the config of a manifest. */
import { commonFlags } from '../../../options/common.js';
import { descriptorFlags } from '../../../options/descriptor.js';
import { platformFlag } from '../../../options/platform.js';
import { remoteFlags } from '../../../options/remote.js';
import { targetFlags } from '../../../options/target.js';
import type { CommandFactory } from '../../define.js';
import { withExamples, withFlags } from '../../define.js';

/** The definition of `oras manifest fetch-config`. */
export const command: CommandFactory = (ctx) => ({
  command: 'fetch-config <name>',
  aliases: ['get-config'],
  describe: 'Fetch the config of a manifest from a remote registry',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' })
          .usage(
            'oras manifest fetch-config [flags] <name>{:<tag>|@<digest>}\n\nFetch the config of a manifest from a registry or an OCI image layout.',
          ),
        {
          output: {
            alias: 'o',
            type: 'string',
            describe: 'file `path` to write the fetched config to, use - for stdout',
          },
        },
        descriptorFlags('the config'),
        platformFlag(),
        targetFlags(),
        remoteFlags(),
        commonFlags(),
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
  handler: async (argv) => (await import('./run.js')).runManifestFetchConfig(argv, ctx),
});
