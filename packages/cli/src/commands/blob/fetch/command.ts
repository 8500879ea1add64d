/** `oras blob fetch` (`get`): save a blob to a file or stdout, or print its descriptor. */
import { commonFlags } from '../../../options/common.js';
import { descriptorFlags } from '../../../options/descriptor.js';
import { remoteFlags } from '../../../options/remote.js';
import { targetFlags } from '../../../options/target.js';
import type { CommandFactory } from '../../define.js';
import { withExamples, withFlags } from '../../define.js';

/** The definition of `oras blob fetch`. */
export const command: CommandFactory = (ctx) => ({
  command: 'fetch <name>',
  aliases: ['get'],
  describe: 'Fetch a blob from a registry or an OCI image layout',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>@<digest>' })
          .usage(
            'oras blob fetch [flags] {--output <file> | --descriptor} <name>@<digest>\n\n' +
              'Fetch a blob from a registry or an OCI image layout. The content is checked against its size and digest as it streams.',
          ),
        { output: { alias: 'o', type: 'string', describe: 'output file `path`, use - for stdout' } },
        descriptorFlags('the blob'),
        targetFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras blob fetch -o blob.tar localhost:5000/hello@sha256:9a20...', 'Save a blob to a file'],
        ['oras blob fetch -o - localhost:5000/hello@sha256:9a20... | tar x', 'Write a blob to stdout'],
        [
          'oras blob fetch --descriptor localhost:5000/hello@sha256:9a20...',
          'Print the descriptor of a blob',
        ],
        [
          'oras blob fetch -o blob.tar --descriptor localhost:5000/hello@sha256:9a20...',
          'Save a blob and print its descriptor',
        ],
        [
          'oras blob fetch --oci-layout -o blob.tar layout-dir@sha256:9a20...',
          'Fetch from an OCI image layout folder',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runBlobFetch(argv, ctx),
});
