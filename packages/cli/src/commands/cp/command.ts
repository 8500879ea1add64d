/** `oras cp` (`copy`): copy artifacts from one target to another. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { concurrencyFlag } from '../../options/concurrency.js';
import { formatFlags } from '../../options/format.js';
import { platformFlag } from '../../options/platform.js';
import { remoteFlags } from '../../options/remote.js';
import { distributionSpecFlags, targetFlags } from '../../options/target.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras cp`. */
export const command: CommandFactory = (ctx) => ({
  command: 'cp <from> <to>',
  aliases: ['copy'],
  describe: summaryOf('cp'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('from', { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' })
          .positional('to', { type: 'string', describe: '<registry>/<repo>[:<tag>[,<tag>...]]' })
          .usage(
            'oras cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]\n\n' +
              'Copy artifacts from one target to another (registries or OCI image layouts).',
          ),
        {
          recursive: {
            alias: 'r',
            type: 'boolean',
            describe: '[Preview] recursively copy the artifact and its referrer artifacts',
          },
        },
        platformFlag(),
        concurrencyFlag(3),
        formatFlags(),
        targetFlags('from-'),
        distributionSpecFlags('from-'),
        remoteFlags('from-'),
        targetFlags('to-'),
        distributionSpecFlags('to-'),
        remoteFlags('to-'),
        {
          resolve: {
            type: 'string',
            array: true,
            describe:
              '[Preview] base DNS rules for both ends, formatted in `host:port:address[:address_port]`',
          },
        },
        commonFlags(),
      ),
      [
        [
          'oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1',
          'Copy an artifact between registries',
        ],
        [
          'oras cp -r localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1',
          'Copy it with its referrers',
        ],
        [
          'oras cp localhost:5000/net-monitor:v1 localhost:6000/copy:v1,v2,latest',
          'Copy and tag it several times',
        ],
        [
          'oras cp --to-oci-layout localhost:5000/net-monitor:v1 layout-dir:v1',
          'Copy into an OCI image layout',
        ],
        [
          'oras cp --from-oci-layout layout-dir:v1 localhost:5000/net-monitor:v1',
          'Copy from an OCI image layout',
        ],
        [
          'oras cp --platform linux/arm64 localhost:5000/hello:v1 localhost:6000/hello:arm64',
          'Copy one platform of an index',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runCopy(argv, ctx),
});
