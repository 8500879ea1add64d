/** `oras repo tags` (`show-tags`): list the tags of a repository or an OCI image layout. */
import { commonFlags } from '../../../options/common.js';
import { formatFlags } from '../../../options/format.js';
import { remoteFlags } from '../../../options/remote.js';
import { targetFlags } from '../../../options/target.js';
import type { CommandFactory } from '../../define.js';
import { withExamples, withFlags } from '../../define.js';

/** The definition of `oras repo tags`. */
export const command: CommandFactory = (ctx) => ({
  command: 'tags <name>',
  aliases: ['show-tags'],
  describe: 'Show tags of the target repository',
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>[:<tag>|@<digest>]' })
          .usage(
            'oras repo tags [flags] <name>[:<tag>|@<digest>]\n\n' +
              'Show tags of the target repository (all pages). With a tag or digest, only the tags that point at the same manifest.',
          ),
        {
          last: { type: 'string', describe: 'start after the tag specified by `last`' },
          'exclude-digest-tags': {
            type: 'boolean',
            describe: "[Preview] exclude all digest-like tags such as 'sha256-aaaa...'",
          },
        },
        formatFlags(),
        targetFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        ['oras repo tags localhost:5000/hello', 'Show the tags of a repository'],
        ['oras repo tags --exclude-digest-tags localhost:5000/hello', 'Hide referrer tags like sha256-...'],
        ['oras repo tags --last last_tag localhost:5000/hello', 'Show the tags after last_tag'],
        [
          'oras repo tags localhost:5000/hello:latest',
          '[Experimental] Show the tags pointing where latest points',
        ],
        ['oras repo tags --format json localhost:5000/hello', 'Print the tags as JSON'],
        ['oras repo tags --oci-layout layout-dir', 'Show the tags of an OCI image layout folder'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runRepoTags(argv, ctx),
});
