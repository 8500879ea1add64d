/** `oras blob push`: push a blob from a file or stdin. */
import { commonFlags } from '../../../options/common.js';
import { descriptorFlags } from '../../../options/descriptor.js';
import { remoteFlags } from '../../../options/remote.js';
import { targetFlags } from '../../../options/target.js';
import type { CommandFactory } from '../../define.js';
import { withExamples, withFlags } from '../../define.js';

/** The definition of `oras blob push`. */
export const command: CommandFactory = (ctx) => ({
  command: 'push <name> <file>',
  describe: 'Push a blob to a registry or an OCI image layout',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>[@<digest>]' })
          .positional('file', { type: 'string', describe: 'the blob file, or - for stdin' })
          .usage(
            'oras blob push [flags] <name>[@digest] <file>\n\n' +
              'Push a blob to a registry or an OCI image layout. From stdin without --size and digest, the blob is ' +
              'streamed to the registry in chunks while it is hashed.',
          ),
        {
          size: { type: 'number', describe: 'the blob size, checked against the content' },
          'media-type': {
            type: 'string',
            default: 'application/vnd.oci.image.layer.v1.tar',
            describe: 'the media type of the descriptor printed with --descriptor',
          },
        },
        descriptorFlags('the blob'),
        targetFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras blob push localhost:5000/hello hi.txt', "Push the blob 'hi.txt'"],
        ['oras blob push localhost:5000/hello@sha256:9a20... hi.txt', 'Push a blob, checking its digest'],
        ['tar c dir | oras blob push localhost:5000/hello -', 'Push a blob of unknown size from stdin'],
        [
          'oras blob push --size 12 localhost:5000/hello@sha256:9a20... - < hi.txt',
          'Push from stdin with size and digest',
        ],
        ['oras blob push --descriptor --pretty localhost:5000/hello hi.txt', 'Push and print the descriptor'],
        ['oras blob push --oci-layout layout-dir hi.txt', 'Push into an OCI image layout folder'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runBlobPush(argv, ctx),
});
