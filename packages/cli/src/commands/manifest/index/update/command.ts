/** `oras manifest index update`: add, merge and remove entries of an image index. */

import type { CommandFactory } from '../../../define.js';
import { withExamples, withFlags } from '../../../define.js';
import { indexFlags } from '../flags.js';

/** The definition of `oras manifest index update`. */
export const command: CommandFactory = (ctx) => ({
  command: 'update <name>',
  describe: '[Experimental] Update an image index',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' })
          .usage(
            'oras manifest index update [flags] <name>{:<tag>|@<digest>} {--add/--merge/--remove} [...]\n\n' +
              '[Experimental] Update an image index and push it. A tag that named the old index names the new one.',
          ),
        {
          add: { type: 'string', array: true, describe: 'manifests (tags or digests) to add to the index' },
          merge: {
            type: 'string',
            array: true,
            describe: 'indexes whose manifests are merged into the index',
          },
          remove: { type: 'string', array: true, describe: 'digests of manifests to remove from the index' },
          tag: { type: 'string', array: true, describe: 'extra tags for the updated index' },
        },
        ...indexFlags('artifact type of the index (empty to remove it)'),
      ),
      [
        ['oras manifest index update localhost:5000/hello:v1 --add linux-s390x', 'Add a manifest'],
        [
          'oras manifest index update localhost:5000/hello:v1 --remove sha256:99e4...',
          'Remove a manifest by digest',
        ],
        [
          'oras manifest index update localhost:5000/hello:v1 --merge v2-index',
          'Merge the manifests of another index',
        ],
        [
          'oras manifest index update localhost:5000/hello:v1 --add arm64 --tag v1.1 --tag latest',
          'Update and tag the result',
        ],
        [
          'oras manifest index update --oci-layout layout-dir:v1 --add linux-amd64',
          'Update an index in an OCI image layout',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runIndexUpdate(argv, ctx),
});
