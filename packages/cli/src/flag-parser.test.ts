import { describe, expect, it } from 'vitest';
import { checkArguments, commandArguments, parseLine } from './cli.js';
import { renderError } from './errors.js';
import { joinDashValues } from './flag-parser.js';
import { captureContext } from './test-support/capture.js';

const REF = 'localhost:5000/hello:v1';

/**
 * Command lines as typed after `oras`, through the checks of `parseLine` and the flag reading:
 * the forms pflag accepts (`--flag=value`, `-abc` groups, repeated flags, `--`, values glued to
 * a short flag, `-` for stdout) and the ones it refuses (unknown flag, missing value, `--no-x`).
 */
const LINES: readonly (readonly string[])[] = [
  // resolve: booleans, values, groups, repeats
  ['resolve', REF],
  ['resolve', '--plain-http', REF],
  ['resolve', REF, '-l'],
  ['resolve', '-ld', REF],
  ['resolve', '-dl', REF, '--plain-http'],
  ['resolve', '--full-reference=false', REF],
  ['resolve', '--full-reference=true', REF],
  ['resolve', '--full-reference=yes', REF],
  ['resolve', '-l=false', REF],
  ['resolve', '--plain-http', '--plain-http', REF],
  ['resolve', '-d', '-d', REF],
  ['resolve', '--plain-http', '--plain-http=false', REF],
  ['resolve', '-d', '--debug=false', '-d', REF],
  ['resolve', '--platform', 'linux/amd64', REF],
  ['resolve', '--platform=linux/arm64/v8', REF],
  ['resolve', '--platform', 'linux/amd64', '--platform', 'linux/arm64', REF],
  ['resolve', '--platform=', REF],
  ['resolve', '--progress', 'json', REF],
  ['resolve', '--progress=none', REF],
  ['resolve', '--progress', 'bogus', REF],
  ['resolve', '--no-tty', REF],
  ['resolve', '--no-tty=false', REF],
  ['resolve', '--no-verbose', REF],
  ['resolve', '-v', REF],
  ['resolve', '--verbose=false', REF],
  ['resolve', '-u', 'user', '-p', 'secret', REF],
  ['resolve', '--username=user', '--password', 'p=w', REF],
  ['resolve', '-p', '-secret', REF],
  ['resolve', '--password', '-secret', REF],
  ['resolve', '-usomeone', REF],
  ['resolve', '-u=someone', REF],
  ['resolve', '-H', 'X-A: 1', '-H', 'X-B: 2', REF],
  ['resolve', '--header=X-A: 1', REF],
  ['resolve', '-c', 'a.json', '--registry-config', 'b.json', REF],
  ['resolve', '--resolve', 'localhost:5000:127.0.0.1:5001', REF],
  ['resolve', '--insecure', '--ca-file', '/tmp/ca.pem', REF],
  ['resolve', '--oci-layout', 'layout:v1'],
  ['resolve', '--oci-layout-path', 'dir', 'v1'],
  ['resolve', '--', REF],
  ['resolve', '-d', '--', REF],
  ['resolve', '--plain-htp', REF],
  ['resolve', '-x', REF],
  ['resolve', '-lx', REF],
  ['resolve', REF, '--platform'],
  ['resolve', '--fullReference', REF],
  ['resolve', '--full-reference', 'true', REF],
  ['resolve', '--debug', '--distribution-spec', 'v1.1-referrers-api', REF],
  ['resolve', "--platform='linux/amd64'", REF],
  ['resolve', '--platform="linux/amd64"', REF],
  ['resolve', '--platform', "'linux/amd64'", REF],
  ['resolve', '-H', '"X-A: 1"', REF],
  ['digest', '-l', REF],
  // numbers
  ['cp', '--concurrency', '5', REF, 'localhost:5000/b:v1'],
  ['cp', '--concurrency=1.5', REF, 'localhost:5000/b:v1'],
  ['cp', '--concurrency', 'abc', REF, 'localhost:5000/b:v1'],
  ['cp', '--concurrency', '-1', REF, 'localhost:5000/b:v1'],
  ['cp', '--concurrency=0x10', REF, 'localhost:5000/b:v1'],
  ['cp', '--concurrency=', REF, 'localhost:5000/b:v1'],
  ['cp', '-r', '--from-plain-http', '--to-username', 'u', REF, 'localhost:5000/b:v1'],
  ['cp', '--resolve', 'a:1:b', '--from-resolve', 'c:2:d', REF, 'localhost:5000/b:v1'],
  ['cp', '--from-oci-layout', 'dir:v1', 'localhost:5000/b:v1', '--platform', 'linux/amd64'],
  ['copy', REF, 'localhost:5000/b:v1', '--concurrency', '2', '--concurrency', '3'],
  ['cp', '--concurrency', '1', '--concurrency=2', '--concurrency', '3', REF, 'localhost:5000/b:v1'],
  ['blob', 'push', '--size', '12', REF, 'file.txt'],
  ['blob', 'push', '--size=-1', REF, 'file.txt'],
  ['blob', 'push', '--media-type', 'text/plain', REF, '-'],
  ['blob', 'fetch', '-o', '-', `${REF}@sha256:${'a'.repeat(64)}`],
  ['blob', 'fetch', '--output', '-', `${REF}@sha256:${'a'.repeat(64)}`],
  ['blob', 'delete', '-f', `${REF}@sha256:${'a'.repeat(64)}`],
  // pull and push: outputs, repeatable values, variadic files
  ['pull', REF],
  ['pull', '-o', 'out', REF],
  ['pull', '-oout', REF],
  ['pull', '--output=', REF],
  ['pull', '--output', 'out', '--output', 'two', REF],
  ['pull', '-a', '--include-subject', '--keep-old-files', REF],
  ['pull', '--format', 'json', REF],
  ['pull', '--format', 'go-template', '--template', '{{.}}', REF],
  ['pull', '--format=go-template={{.}}', REF],
  ['pull', '--template', '-{{.}}', REF],
  ['pull', '--media-type', 'a', '--media-type', 'b', REF],
  ['push', REF],
  ['push', REF, 'a.txt', 'b.txt:text/plain'],
  ['push', '--annotation', 'a=b', '--annotation', 'c=d', REF, 'a.txt'],
  ['push', '-a', 'a=b', REF, 'a.txt'],
  ['push', REF, 'a.txt', '--annotation='],
  ['push', "--annotation='a=b'", REF, 'a.txt'],
  ['push', '--annotation=a=b', '--annotation', 'c', '-a', 'd', REF, 'a.txt'],
  ['push', '--artifact-type', 'application/x', '--config', 'c.json', REF, 'a.txt'],
  ['push', '--manifest-config', 'c.json', REF, 'a.txt'],
  ['push', '--image-spec', 'v1.0', '--disable-path-validation', REF, 'a.txt'],
  ['push', '--export-manifest', 'm.json', '--annotation-file', 'ann.json', REF, 'a.txt'],
  ['push', REF, 'a.txt', '--', '-b.txt'],
  ['push', '--oci-layout', 'dir:v1', 'a.txt'],
  ['attach', '--artifact-type', 'doc/example', REF, 'a.txt'],
  ['attach', REF, 'a.txt'],
  ['attach', '--artifact-type=', REF, 'a.txt'],
  // tags, repositories, discover, manifests, login
  ['tag', REF, 'v2', 'v3'],
  ['tag', '--concurrency', '2', REF, 'v2'],
  ['repo', 'ls', 'localhost:5000', '--last', 'a'],
  ['repo', 'tags', '--exclude-digest-tags', 'localhost:5000/hello'],
  ['repository', 'tags', 'localhost:5000/hello'],
  ['discover', REF],
  ['discover', '-o', 'tree', REF],
  ['discover', '--format', 'json', '--depth', '2', REF],
  ['discover', '--artifact-type', 'a/b', '-v=false', REF],
  ['discover', '--verbose=false', REF],
  ['manifest', 'fetch', '--descriptor', REF],
  ['manifest', 'fetch', '--output', '-', '--pretty', REF],
  ['manifest', 'fetch', '--media-type', 'a', '--media-type', 'b', REF],
  ['manifest', 'fetch-config', '--platform', 'linux/amd64', REF],
  ['manifest', 'push', '--media-type', 'application/x', REF, 'm.json'],
  ['manifest', 'delete', '--force', REF],
  ['manifest', 'index', 'create', REF, 'a', 'b', '--annotation', 'k=v'],
  ['manifest', 'index', 'update', REF, '--add', 'a', '--add', 'b', '--remove', 'c'],
  ['login', '-u', 'user', '--password-stdin', 'localhost:5000'],
  ['login', '--identity-token', 'tok', 'localhost:5000'],
  ['logout', 'localhost:5000'],
  ['backup', '--output', 'dir', REF],
  ['backup', REF],
  ['restore', '--input', 'dir', REF],
  ['restore', '--input', '-', REF],
  ['version', '--debug'],
  ['completion', 'bash', '--no-descriptions'],
];

/** Lines a user types every day: the fast reader must answer them without yargs. */
const OWN: readonly (readonly string[])[] = LINES.filter((line) =>
  [
    ['resolve', REF],
    ['resolve', '--plain-http', REF],
    ['resolve', '-ld', REF],
    ['pull', '-o', 'out', REF],
    ['push', '--annotation', 'a=b', '--annotation', 'c=d', REF, 'a.txt'],
    ['cp', '--concurrency', '5', REF, 'localhost:5000/b:v1'],
    ['blob', 'fetch', '-o', '-', `${REF}@sha256:${'a'.repeat(64)}`],
    ['manifest', 'fetch', '--output', '-', '--pretty', REF],
    ['login', '-u', 'user', '--password-stdin', 'localhost:5000'],
  ].some((own) => own.join('\0') === line.join('\0')),
);

/** The arguments a command's handler would get for `argv`, or the error the line gives. */
async function outcome(argv: readonly string[], parser: 'oras' | 'yargs') {
  const ctx = captureContext();
  try {
    const line = await parseLine(argv, ctx);
    if (!line.node) throw new Error('no command');
    checkArguments(line);
    return await commandArguments(line.node, line, argv, ctx, parser);
  } catch (error) {
    return { error: renderError(error, false, {}) };
  }
}

describe('the run path reads flags without yargs', () => {
  it.each(LINES.map((line) => [line.join(' '), line]))(
    'gives the handler what yargs gives, or the same error: oras %s',
    async (_, line) => {
      const ours = await outcome(line, 'oras');
      const theirs = await outcome(line, 'yargs');
      const { by: _by, ...result } = ours as { by?: string };
      const { by: _theirs, ...expected } = theirs as { by?: string };
      expect(result).toEqual(expected);
    },
  );

  it.each(OWN.map((line) => [line.join(' '), line]))('reads oras %s itself', async (_, line) => {
    expect(await outcome(line, 'oras')).toMatchObject({ by: 'oras' });
  });

  it('keeps the everyday lines in the table', () => {
    expect(OWN).toHaveLength(9);
  });

  it('passes a lone `-` after --output and --input on as the value', () => {
    expect(joinDashValues(['--output', '-', '-o', '-', '--input', '-', '--template', '-'])).toEqual([
      '--output=-',
      '-o',
      '-',
      '--input=-',
      '--template',
      '-',
    ]);
  });
});
