/** `oras attach`: attach files to an existing artifact. */
import { summaryOf } from '../../command-table.js';
import { commonFlags } from '../../options/common.js';
import { concurrencyFlag } from '../../options/concurrency.js';
import { formatFlags } from '../../options/format.js';
import { platformFlag } from '../../options/platform.js';
import { remoteFlags } from '../../options/remote.js';
import { distributionSpecFlags, targetFlags } from '../../options/target.js';
import type { CommandFactory } from '../define.js';
import { withExamples, withFlags } from '../define.js';

/** The definition of `oras attach`. */
export const command: CommandFactory = (ctx) => ({
  command: 'attach <name> [files..]',
  describe: summaryOf('attach'),
  builder: (y) =>
    withExamples(
      withFlags(
        y
          .positional('name', { type: 'string', describe: '<registry>/<repo>{:<tag>|@<digest>}' })
          .positional('files', { type: 'string', array: true, describe: '<file>[:<mediaType>] ...' })
          .usage(
            'oras attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} {<file>[:<type>] | --annotation <key>=<value>} [...]\n\n' +
              '[Preview] Attach files to an existing artifact: a manifest whose subject is the artifact.',
          ),
        {
          'artifact-type': { type: 'string', demandOption: true, describe: 'artifact type' },
          annotation: {
            alias: 'a',
            type: 'string',
            array: true,
            describe: 'manifest annotations (`key=value`)',
          },
          'annotation-file': { type: 'string', describe: 'path of the annotation file' },
          'export-manifest': { type: 'string', describe: '`path` of the pushed manifest' },
          config: {
            type: 'string',
            describe: '`path` of image config file, optionally followed by `:<mediaType>`',
          },
          'disable-path-validation': { type: 'boolean', describe: 'skip path validation' },
        },
        platformFlag('request platform of the subject in the form of `os[/arch][/variant][:os_version]`'),
        concurrencyFlag(5),
        formatFlags(),
        targetFlags(),
        distributionSpecFlags(),
        remoteFlags(),
        commonFlags(),
      ),
      [
        [
          'oras attach --artifact-type doc/example localhost:5000/hello:v1 hi.txt',
          'Attach a file to an artifact',
        ],
        [
          'oras attach --artifact-type doc/example -a "k=v" localhost:5000/hello:v1',
          'Attach annotations only',
        ],
        [
          'oras attach --artifact-type sbom/example --platform linux/amd64 localhost:5000/hello:v1 sbom.json',
          'Attach to one platform of an index',
        ],
        [
          'oras attach --oci-layout --artifact-type doc/example layout-dir:v1 hi.txt',
          'Attach in an OCI image layout',
        ],
      ],
    ),
  handler: async (argv) => (await import('./run.js')).runAttach(argv, ctx),
});
