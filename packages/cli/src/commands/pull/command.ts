/** `oras pull`: pull files from a registry or an OCI image layout. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { concurrencyFlag } from '../../options/concurrency.js';
import { formatFlags } from '../../options/format.js';
import { platformFlag } from '../../options/platform.js';
import { remoteFlags } from '../../options/remote.js';
import { targetFlags } from '../../options/target.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras pull`. */
export const command: CommandFactory = (ctx) => ({
  command: 'pull <name>',
  describe: summaryOf('pull'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', {
            type: 'string',
            describe: '<registry>/<repo>{:<tag>|@<digest>} or a layout path',
          })
          .usage(
            'oras pull [flags] <name>{:<tag>|@<digest>}\n\n' +
              'Pull files from a registry or an OCI image layout. Only layers with a title are written.',
          ),
        {
          output: { alias: 'o', type: 'string', default: '.', describe: 'output directory' },
          'keep-old-files': {
            alias: 'k',
            type: 'boolean',
            describe: 'do not replace existing files when pulling',
          },
          'allow-path-traversal': {
            alias: 'T',
            type: 'boolean',
            describe: 'allow storing files out of the output directory',
          },
          'max-unpack-size': {
            type: 'string',
            describe:
              'the most bytes a directory layer may unpack to: a number of bytes or a size such as 10GiB (default 16GiB; all layers of a pull together: 64GiB, or this size when larger)',
          },
          'include-subject': {
            type: 'boolean',
            describe: '[Preview] recursively pull the subject of artifacts',
          },
          config: { type: 'string', describe: 'output manifest config file: `path[:mediaType]`' },
          'allow-all': { alias: 'a', type: 'boolean', hidden: true, describe: '(legacy) pull all layers' },
          'media-type': {
            alias: 't',
            type: 'string',
            array: true,
            hidden: true,
            describe: '(legacy) pull only layers of these media types',
          },
        },
        platformFlag(),
        concurrencyFlag(3),
        formatFlags(),
        targetFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras pull localhost:5000/hello:v1', 'Pull the files of an artifact into the current directory'],
        ['oras pull localhost:5000/hello:v1 -o out', 'Pull into a directory'],
        ['oras pull localhost:5000/hello@sha256:...', 'Pull by digest'],
        [
          'oras pull --platform linux/arm64 localhost:5000/hello:v1',
          'Pull the files of one platform of an index',
        ],
        ['oras pull --oci-layout layout-dir:v1', 'Pull from an OCI image layout'],
        ['oras pull --format json localhost:5000/hello:v1', 'Print the pulled files as JSON'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runPull(argv, ctx),
});
