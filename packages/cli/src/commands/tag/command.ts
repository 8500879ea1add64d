/** `oras tag`: tag a manifest in a registry or an OCI image layout. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { concurrencyFlag } from '../../options/concurrency.js';
import { remoteFlags } from '../../options/remote.js';
import { targetFlags } from '../../options/target.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras tag`. */
export const command: CommandFactory = (ctx) => ({
  command: 'tag <name> <tags..>',
  describe: summaryOf('tag'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' })
          .positional('tags', { type: 'string', array: true, describe: 'new tags' })
          .usage(
            'oras tag [flags] <name>{:<tag>|@<digest>} <new_tag> [...]\n\nTag a manifest in a registry or an OCI image layout.',
          ),
        concurrencyFlag(5),
        targetFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras tag localhost:5000/hello:v1 v1.0.1', 'Tag an artifact'],
        ['oras tag localhost:5000/hello@sha256:... v1 latest', 'Tag a digest with several tags'],
        ['oras tag --oci-layout layout-dir:v1 v2', 'Tag in an OCI image layout'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runTag(argv, ctx),
});
