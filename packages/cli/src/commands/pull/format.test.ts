/**
 * `oras pull --format json` and `--format go-template` as a user runs them against the
 * distribution registry: the files written, each with its path and descriptor, as oras's pull
 * model lists them (`reference`, then `files` of `path`, `reference`, `mediaType`, `digest`,
 * `size`, `annotations`); a text pull prints none of it.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDistribution } from '../../../test/e2e/fixture.js';

const e2e = withDistribution({ files: { 'a.txt': 'a\n', 'b.md': 'bb\n' } });

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('oras pull --format', () => {
  it('lists each file written with its path and descriptor, in JSON and through a template', async () => {
    const repo = `${e2e.host}/formats`;
    await e2e.box.ok(['push', '--plain-http', `${repo}:v1`, 'a.txt', 'b.md:text/markdown']);

    const json = await e2e.box.ok(['pull', '--plain-http', '--format', 'json', '-o', 'j', `${repo}:v1`]);
    const model = JSON.parse(json.stdout) as { reference: string; files: Record<string, unknown>[] };
    expect(model.reference).toMatch(new RegExp(`^${repo.replaceAll('.', '\\.')}@sha256:[0-9a-f]{64}$`));
    const file = (name: string, mediaType: string, text: string) => ({
      path: join(e2e.box.dir, 'j', name),
      reference: `${repo}@${digestOf(text)}`,
      mediaType,
      digest: digestOf(text),
      size: Buffer.byteLength(text),
      annotations: { 'org.opencontainers.image.title': name },
    });
    expect(model.files).toEqual([
      file('a.txt', 'application/vnd.oci.image.layer.v1.tar', 'a\n'),
      file('b.md', 'text/markdown', 'bb\n'),
    ]);

    const template = await e2e.box.ok([
      'pull',
      '--plain-http',
      '--format',
      'go-template={{range .files}}{{.mediaType}} {{.size}}{{"\\n"}}{{end}}',
      '-o',
      't',
      `${repo}:v1`,
    ]);
    expect(template.stdout).toBe('application/vnd.oci.image.layer.v1.tar 2\ntext/markdown 3\n');

    const text = await e2e.box.ok(['pull', '--plain-http', '-o', 'x', `${repo}:v1`]);
    expect(text.stdout).toMatch(/\nPulled \[registry\] .+\nDigest: sha256:[0-9a-f]{64}\n$/);
    expect(text.stdout).not.toContain('"files"');
  });
});
