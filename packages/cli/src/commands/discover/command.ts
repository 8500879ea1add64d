/** `oras discover`: list the referrers of a manifest, recursively. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { formatFlags } from '../../options/format.js';
import { platformFlag } from '../../options/platform.js';
import { remoteFlags } from '../../options/remote.js';
import { distributionSpecFlags, targetFlags } from '../../options/target.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The formats of discover. */
export const DISCOVER_FORMATS = [
  { type: 'tree', describe: 'print referrers as a tree (default)' },
  { type: 'table', describe: 'print referrers as a table (deprecated)' },
  { type: 'json', describe: 'print in JSON format' },
  { type: 'go-template', describe: 'print output using the given Go template' },
] as const;

/** The definition of `oras discover`. */
export const command: CommandFactory = (ctx) => ({
  command: 'discover <name>',
  describe: summaryOf('discover'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' })
          .usage(
            'oras discover [flags] <name>{:<tag>|@<digest>}\n\n' +
              '[Preview] Discover referrers of a manifest in a registry or an OCI image layout, recursively.',
          ),
        {
          'artifact-type': { type: 'string', describe: 'artifact type' },
          depth: { type: 'number', describe: '[Experimental] the depth of referrers to show (0: no limit)' },
          output: { alias: 'o', type: 'string', hidden: true, describe: '(deprecated) use --format' },
        },
        platformFlag(),
        formatFlags(DISCOVER_FORMATS),
        targetFlags(),
        distributionSpecFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras discover localhost:5000/hello:v1', 'Show the referrers of an artifact as a tree'],
        [
          'oras discover --artifact-type sbom/example localhost:5000/hello:v1',
          'Only referrers of one artifact type',
        ],
        ['oras discover --depth 1 localhost:5000/hello:v1', 'Only direct referrers'],
        ['oras discover --format json localhost:5000/hello:v1', 'Print the referrer graph as JSON'],
        [
          'oras discover --format go-template="{{range .referrers}}{{.digest}}{{println}}{{end}}" localhost:5000/hello:v1',
          'Print with a template',
        ],
        ['oras discover --oci-layout layout-dir:v1', 'Discover in an OCI image layout'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runDiscover(argv, ctx),
});
