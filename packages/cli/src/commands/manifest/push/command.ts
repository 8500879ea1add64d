/** `oras manifest push`: push a manifest from a file or stdin, with tags. */
import { commonFlags } from '../../../options/common.js';
import { concurrencyFlag } from '../../../options/concurrency.js';
import { descriptorFlags } from '../../../options/descriptor.js';
import { remoteFlags } from '../../../options/remote.js';
import { distributionSpecFlags, targetFlags } from '../../../options/target.js';
import type { CommandFactory } from '../../define.js';
import { withExamples, withFlags } from '../../define.js';

/** The definition of `oras manifest push`. */
export const command: CommandFactory = (ctx) => ({
  command: 'push <name> <file>',
  describe: 'Push a manifest to a registry or an OCI image layout',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>[:<tag>[,<tag>...]|@<digest>]' })
          .positional('file', { type: 'string', describe: 'the manifest file, or - for stdin' })
          .usage(
            'oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>\n\nPush a manifest to a registry or an OCI image layout.',
          ),
        {
          'media-type': {
            type: 'string',
            describe: 'media type of manifest (default: the "mediaType" of the JSON)',
          },
        },
        descriptorFlags('the manifest'),
        concurrencyFlag(5),
        targetFlags(),
        distributionSpecFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras manifest push localhost:5000/hello:v1 manifest.json', 'Push a manifest and tag it v1'],
        ['oras manifest push localhost:5000/hello:v1 - < manifest.json', 'Push a manifest read from stdin'],
        [
          'oras manifest push --descriptor localhost:5000/hello:v1 manifest.json',
          'Push and print the descriptor',
        ],
        [
          'oras manifest push --media-type application/vnd.docker.distribution.manifest.v2+json localhost:5000/hello:v1 manifest.json',
          'Push a manifest with a given media type',
        ],
        [
          'oras manifest push localhost:5000/hello:tag1,tag2,tag3 manifest.json',
          'Push a manifest with three tags',
        ],
        [
          'oras manifest push --oci-layout layout-dir:v1 manifest.json',
          'Push into an OCI image layout folder',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runManifestPush(argv, ctx),
});
