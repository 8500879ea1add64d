/** `oras manifest fetch` (`get`): print or save a manifest, its descriptor, or both as JSON. */
import { commonFlags } from '../../../options/common.js';
import { descriptorFlags } from '../../../options/descriptor.js';
import { formatFlags } from '../../../options/format.js';
import { platformFlag } from '../../../options/platform.js';
import { remoteFlags } from '../../../options/remote.js';
import { targetFlags } from '../../../options/target.js';
import type { CommandFactory } from '../../define.js';
import { withExamples, withFlags } from '../../define.js';

/** The formats of `manifest fetch`. */
export const MANIFEST_FETCH_FORMATS = [
  { type: 'json', describe: 'print in prettified JSON format' },
  { type: 'go-template', describe: 'print using the given Go template' },
] as const;

/** The definition of `oras manifest fetch`. */
export const command: CommandFactory = (ctx) => ({
  command: 'fetch <name>',
  aliases: ['get'],
  describe: 'Fetch manifest of the target artifact',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' })
          .usage(
            'oras manifest fetch [flags] <name>{:<tag>|@<digest>}\n\nFetch manifest of the target artifact.',
          ),
        {
          'media-type': {
            type: 'string',
            array: true,
            describe: 'accepted media types (comma-separated or repeated)',
          },
          output: {
            alias: 'o',
            type: 'string',
            describe: 'file `path` to write the fetched manifest to, use - for stdout',
          },
        },
        descriptorFlags('the manifest'),
        platformFlag(),
        formatFlags(MANIFEST_FETCH_FORMATS),
        targetFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras manifest fetch localhost:5000/hello:v1', 'Fetch the raw manifest'],
        ['oras manifest fetch --descriptor localhost:5000/hello:v1', 'Fetch the descriptor of a manifest'],
        [
          "oras manifest fetch --media-type 'application/vnd.oci.image.manifest.v1+json' localhost:5000/hello:v1",
          'Fetch a manifest of a given media type',
        ],
        [
          'oras manifest fetch --platform linux/arm/v5 localhost:5000/hello:v1',
          'Fetch the manifest of one platform',
        ],
        ['oras manifest fetch --pretty localhost:5000/hello:v1', 'Fetch a manifest as prettified JSON'],
        ['oras manifest fetch -o manifest.json localhost:5000/hello:v1', 'Save a manifest to a file'],
        [
          'oras manifest fetch --format json localhost:5000/hello:v1',
          'Print the descriptor and content as JSON',
        ],
        ['oras manifest fetch --oci-layout layout-dir:v1', 'Fetch from an OCI image layout folder'],
        ['oras manifest fetch --oci-layout layout.tar:v1', 'Fetch from an OCI layout archive'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runManifestFetch(argv, ctx),
});
