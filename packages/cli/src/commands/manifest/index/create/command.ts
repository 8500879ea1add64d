/** `oras manifest index create` (`pack`): make an image index of manifests in one repository. */

import type { CommandFactory } from '../../../define.js';
import { withExamples, withFlags } from '../../../define.js';
import { indexFlags } from '../flags.js';

/** The definition of `oras manifest index create`. */
export const command: CommandFactory = (ctx) => ({
  command: 'create <name> [sources..]',
  aliases: ['pack'],
  describe: '[Experimental] Create and push an index from provided manifests',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>[:<tag>[,<tag>...]]' })
          .positional('sources', {
            type: 'string',
            array: true,
            describe: 'tags or digests of manifests in the same repository',
          })
          .usage(
            'oras manifest index create [flags] <name>[:<tag>[,<tag>][...]] [{<tag>|<digest>}...]\n\n' +
              '[Experimental] Create and push an index from provided manifests. All manifests should be in the same repository. ' +
              "The platform of each entry is read from the manifest's config.",
          ),
        ...indexFlags('artifact type of the index'),
      ),
      [
        [
          'oras manifest index create localhost:5000/hello linux-amd64 linux-arm64',
          'Create an index and push it without a tag',
        ],
        [
          'oras manifest index create localhost:5000/hello:v1 linux-amd64 linux-arm64',
          "Create an index tagged 'v1'",
        ],
        [
          'oras manifest index create localhost:5000/hello:v1,latest linux-amd64 sha256:99e4...',
          'Use tags and digests, push with two tags',
        ],
        [
          'oras manifest index create --artifact-type application/vnd.me.bundle localhost:5000/hello:v1 a b',
          'Set the artifact type',
        ],
        [
          'oras manifest index create -a "org.opencontainers.image.title=hi" localhost:5000/hello:v1 a b',
          'Add an annotation',
        ],
        [
          'oras manifest index create -o index.json localhost:5000/hello linux-amd64',
          'Write the index to a file, push nothing',
        ],
        [
          'oras manifest index create --oci-layout layout-dir:v1 linux-amd64 linux-arm64',
          'Create an index in an OCI image layout',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runIndexCreate(argv, ctx),
});
