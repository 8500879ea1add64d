/**
 * `--format go-template` end to end against Debian's docker-registry over plain HTTP: the built
 * CLI run as a child process, with templates that use Go's builtins and sprig's functions over
 * what `push`, `manifest fetch`, `pull` and `attach` print, and Go's error text for a bad template.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, sandbox, sha256 } from '../../src/test-support/oras-process.js';

let registry: Distribution;
let box: Sandbox;
let host: string;
let digest: string;

const HELLO = 'hello world\n';

beforeAll(async () => {
  registry = await startDistribution({ mode: 'plain' });
  host = registry.host;
  box = await sandbox('oras-cli-e2e-template-');
  await writeFile(join(box.dir, 'hi.txt'), HELLO);
  await writeFile(join(box.dir, 'notes.md'), '# notes\n');
  const pushed = await box.ok([
    'push',
    '--plain-http',
    `${host}/tpl:v1,v2`,
    'hi.txt:text/plain',
    'notes.md',
    '-a',
    'org.opencontainers.image.created=2024-01-01T00:00:00Z',
    '--format',
    'go-template={{ .digest }}',
  ]);
  digest = pushed.stdout;
});

afterAll(async () => {
  await registry?.stop();
  await box?.remove();
});

describe('--format go-template', () => {
  it('prints push results through sprig functions', async () => {
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const res = await box.ok([
      'push',
      '--plain-http',
      `${host}/tpl:v3`,
      'hi.txt:text/plain',
      '--format',
      'go-template={{ .digest }} {{ .digest | trimPrefix "sha256:" | trunc 12 }} {{ .referenceAsTags | join "," }} {{ .mediaType | splitList "." | last | upper }}',
    ]);
    const [full = '', short, ...rest] = res.stdout.split(' ');
    expect(full).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(short).toBe(full.slice(7, 19));
    expect(rest).toEqual([`${host}/tpl:v3`, 'V1+JSON']);
  });

  it('prints the fetched manifest with range, index, default and printf', async () => {
    const res = await box.ok([
      'manifest',
      'fetch',
      '--plain-http',
      `${host}/tpl:v1`,
      '--format',
      'go-template',
      '--template',
      '{{ range $i, $l := .content.layers }}{{ $i }} {{ index $l.annotations "org.opencontainers.image.title" | default "-" }} {{ printf "%d" $l.size }} {{ $l.mediaType }}\n{{ end }}{{ .content.annotations | toJson }}',
    ]);
    expect(res.stdout).toBe(
      [
        `0 hi.txt ${HELLO.length} text/plain`,
        '1 notes.md 8 application/vnd.oci.image.layer.v1.tar',
        '{"org.opencontainers.image.created":"2024-01-01T00:00:00Z"}',
      ].join('\n'),
    );
  });

  it('agrees with resolve on the digest, and with sha256 on the layer digest', async () => {
    const resolved = (await box.ok(['resolve', '--plain-http', `${host}/tpl:v2`])).stdout.trim();
    const fetched = await box.ok([
      'manifest',
      'fetch',
      '--plain-http',
      `${host}/tpl:v2`,
      '--format',
      'go-template={{ .digest }} {{ (first .content.layers).digest }} {{ len .content.layers }}',
    ]);
    expect(resolved).toBe(digest);
    expect(fetched.stdout).toBe(`${digest} ${sha256(HELLO)} 2`);
  });

  it('prints pulled files with with/else and base', async () => {
    const res = await box.ok([
      'pull',
      '--plain-http',
      `${host}/tpl:v1`,
      '-o',
      'out',
      '--format',
      'go-template={{ range .files }}{{ .path | base }} {{ with .annotations }}{{ index . "org.opencontainers.image.title" }}{{ else }}none{{ end }};{{ end }}',
    ]);
    expect(res.stdout.split(';').filter(Boolean).sort()).toEqual(['hi.txt hi.txt', 'notes.md notes.md']);
  });

  it("fails with Go's message for a template that does not parse or run, and exits 1", async () => {
    const bad = await box.run([
      'manifest',
      'fetch',
      '--plain-http',
      `${host}/tpl:v1`,
      '--format',
      'go-template={{ .digest | nosuch }}',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('template: format output:1: function "nosuch" not defined');
    expect(bad.stderr).not.toMatch(/\n {4}at /);
    const failing = await box.run([
      'manifest',
      'fetch',
      '--plain-http',
      `${host}/tpl:v1`,
      '--format',
      'go-template={{ fail "no thanks" }}',
    ]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain(
      'template: format output:1:3: executing "format output" at <fail "no thanks">: error calling fail: no thanks',
    );
  });
});
