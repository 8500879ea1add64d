/**
 * `--format go-template` with parenthesised pipelines followed by fields, as people write them
 * (`{{(index .content.layers 1).digest}}`), through the CLI on an OCI image layout; and a
 * template that fails midway: Go's template writes as it runs, so oras has printed what came
 * before the failure when it reports the error, and so do we.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, sandbox, sha256 } from '../../src/test-support/oras-process.js';

let box: Sandbox;

beforeAll(async () => {
  box = await sandbox('oras-cli-e2e-tpl-pipes-');
  await writeFile(join(box.dir, 'a.txt'), 'a\n');
  await writeFile(join(box.dir, 'b.txt'), 'b\n');
  await box.ok(['push', '--oci-layout', 'lay:v1', 'a.txt', 'b.txt']);
});

afterAll(async () => {
  await box?.remove();
});

describe('parenthesised pipelines', () => {
  it('take fields after the closing parenthesis', async () => {
    const second = await box.ok([
      'manifest',
      'fetch',
      '--oci-layout',
      'lay:v1',
      '--format',
      'go-template={{(index .content.layers 1).digest}}',
    ]);
    expect(second.stdout).toBe(sha256('b\n'));
    const piped = await box.ok([
      'manifest',
      'fetch',
      '--oci-layout',
      'lay:v1',
      '--format',
      'go-template',
      '--template',
      '{{ (index .content.layers 0).annotations | toJson }} {{ index (index .content.layers 0).annotations "org.opencontainers.image.title" | printf "%q" }} {{ ((index .content.layers 1).annotations).missing }}',
    ]);
    expect(piped.stdout).toBe('{"org.opencontainers.image.title":"a.txt"} "a.txt" <no value>');
  });

  it('print what came before a failure, then the error', async () => {
    const res = await box.run([
      'manifest',
      'fetch',
      '--oci-layout',
      'lay:v1',
      '--format',
      'go-template=A{{.mediaType}}B{{index .content 3}}C',
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('Aapplication/vnd.oci.image.manifest.v1+jsonB');
    expect(res.stderr).toBe(
      'Error: template: format output:1:18: executing "format output" at <index .content 3>: error calling index: value has type int; should be string\n',
    );
  });
});
