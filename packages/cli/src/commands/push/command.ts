/** `oras push`: push files to a registry or an OCI image layout. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { concurrencyFlag } from '../../options/concurrency.js';
import { formatFlags } from '../../options/format.js';
import { remoteFlags } from '../../options/remote.js';
import { targetFlags } from '../../options/target.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras push`. */
export const command: CommandFactory = (ctx) => ({
  command: 'push <name> [files..]',
  describe: summaryOf('push'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', {
            type: 'string',
            describe: '<registry>/<repo>[:<tag>[,<tag>...]] or a layout path',
          })
          .positional('files', { type: 'string', array: true, describe: '<file>[:<mediaType>] ...' })
          .usage(
            'oras push [flags] <name>[:<tag>[,<tag>][...]] <file>[:<type>] [...]\n\n' +
              'Push files to a registry or an OCI image layout. A directory is pushed as one tar+gzip layer.',
          ),
        {
          'artifact-type': { type: 'string', describe: 'artifact type' },
          config: {
            alias: 'manifest-config',
            type: 'string',
            describe: '`path` of image config file, optionally followed by `:<mediaType>`',
          },
          annotation: {
            alias: 'a',
            type: 'string',
            array: true,
            describe: 'manifest annotations (`key=value`)',
          },
          'annotation-file': {
            alias: 'manifest-annotations',
            type: 'string',
            describe: 'path of the annotation file (`$manifest`, `$config` and per-file keys)',
          },
          'export-manifest': {
            alias: 'manifest-export',
            type: 'string',
            describe: '`path` of the pushed manifest',
          },
          'image-spec': {
            type: 'string',
            choices: ['v1.0', 'v1.1'],
            describe: '[Preview] specify manifest type',
          },
          'artifact-platform': {
            type: 'string',
            describe: '[Experimental] set the platform of the artifact: `os[/arch][/variant][:os_version]`',
          },
          'disable-path-validation': { type: 'boolean', describe: 'skip path validation' },
        },
        concurrencyFlag(5),
        formatFlags(),
        targetFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        [
          'oras push localhost:5000/hello:v1 hi.txt',
          'Push a file to a repository with the default media type',
        ],
        ['oras push localhost:5000/hello:v1 hi.txt:application/vnd.me.hi', 'Push a file with a media type'],
        ['oras push localhost:5000/hello:v1,v2,latest hi.txt', 'Push a file and tag it v1, v2 and latest'],
        ['oras push localhost:5000/hello:v1 ./docs', 'Push a directory as a tar+gzip layer'],
        [
          'oras push --artifact-type application/vnd.me.config localhost:5000/hello:v1 hi.txt',
          'Set the artifact type',
        ],
        [
          'oras push --config config.json:application/vnd.me.config localhost:5000/hello:v1 hi.txt',
          'Push with a config',
        ],
        ['oras push -a "key=value" localhost:5000/hello:v1 hi.txt', 'Add a manifest annotation'],
        ['oras push --oci-layout layout-dir:v1 hi.txt', 'Push into an OCI image layout'],
        ['oras push --format json localhost:5000/hello:v1 hi.txt', 'Print the result as JSON'],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runPush(argv, ctx),
});
