/**
 * `backup` and `restore` parse `<registry>/<repository>[:<tag>[,<tag>...]]` themselves and, as
 * oras 1.3 does (`parseArtifactReferences`), print the problem bare: one `Error:` line, without
 * the `Please make sure the provided reference ...` hint the other commands give. Nothing here
 * reaches a registry.
 */
import { describe, expect, it } from 'vitest';
import { oras } from './fixture.js';

/** Every problem, with the line oras prints for it. */
const CASES: readonly (readonly [string, string])[] = [
  ['/oras', 'invalid reference "/oras": invalid reference: invalid registry ""'],
  ['localhost:5000', 'invalid reference "localhost:5000": invalid reference: missing registry or repository'],
  [
    'localhost:5000/Hello',
    'invalid reference "localhost:5000/Hello": invalid reference: invalid repository "Hello"',
  ],
  [
    'localhost:5000/hello:-v1',
    'invalid reference "localhost:5000/hello:-v1": invalid reference: invalid tag "-v1"',
  ],
  [
    'localhost:5000/hello:v1,-v2',
    'invalid tag "-v2" in reference "localhost:5000/hello:v1,-v2": invalid reference: invalid tag "-v2"',
  ],
  ['localhost:5000/hello:v1,', 'empty tag in reference "localhost:5000/hello:v1,"'],
  [
    `localhost:5000/hello@sha256:${'a'.repeat(64)}`,
    `digest references are not supported: "localhost:5000/hello@sha256:${'a'.repeat(64)}"`,
  ],
  ['', 'artifact reference cannot be empty'],
];

describe('backup and restore of a malformed reference', () => {
  it('print the problem alone, with no reference hint, and exit 1', async () => {
    for (const [ref, line] of CASES) {
      for (const args of [
        ['backup', '--output', 'out', ref],
        ['restore', '--input', 'in', ref],
      ]) {
        const res = await oras(args);
        expect({ args, code: res.code, stderr: res.stderr, stdout: res.stdout }).toEqual({
          args,
          code: 1,
          stderr: `Error: ${line}\n`,
          stdout: '',
        });
      }
    }
  });
});
