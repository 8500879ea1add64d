/** The flags `oras manifest index create` and `oras manifest index update` share (definitions only). */
import type { Options } from 'yargs';
import { commonFlags } from '../../../options/common.js';
import { remoteFlags } from '../../../options/remote.js';
import { targetFlags } from '../../../options/target.js';

/**
 * The flag groups `oras manifest index create` and `oras manifest index update` share, after their
 * own: `--artifact-type` (described by `artifactType`), `-a/--annotation`, `-o/--output`,
 * `--pretty`, then the target, remote and common groups.
 */
export function indexFlags(artifactType: string): Record<string, Options>[] {
  return [
    {
      'artifact-type': { type: 'string', describe: artifactType },
      annotation: {
        alias: 'a',
        type: 'string',
        array: true,
        describe: 'index annotations (`key=value`)',
      },
      output: {
        alias: 'o',
        type: 'string',
        describe: 'write the index to a file (or - for stdout) instead of pushing it',
      },
      pretty: { type: 'boolean', describe: 'prettify the index written with --output' },
    },
    targetFlags(),
    remoteFlags(),
    commonFlags(),
  ];
}
