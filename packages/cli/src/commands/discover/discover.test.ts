/**
 * `oras discover` as a user runs it, against docker-registry (the tag-schema fallback) and an OCI
 * layout: annotations in the tree as YAML values, hidden with `--verbose=false`; the JSON of a
 * layout subject named by tag keeps the `org.opencontainers.image.ref.name` oras shows.
 */
import { describe, expect, it } from 'vitest';
import { withDistribution } from '../../../test/e2e/fixture.js';

const e2e = withDistribution({ files: { 'hi.txt': 'hello\n', 'sig.json': '{}\n' } });

/** Pushes hello:v1 and a signature with a timestamp and a YAML-looking annotation. */
async function subjectWithSignature(repo: string): Promise<string> {
  await e2e.box.ok(['push', '--plain-http', `${repo}:v1`, 'hi.txt']);
  const sig = await e2e.box.ok([
    'attach',
    '--plain-http',
    '--artifact-type',
    'signature/example',
    '-a',
    'org.opencontainers.image.created=2026-01-01T00:00:00Z',
    '-a',
    'signed=yes',
    '--format',
    'go-template={{.digest}}',
    `${repo}:v1`,
    'sig.json',
  ]);
  return sig.stdout.trim();
}

describe('oras discover', () => {
  it('shows annotations as YAML values in the tree, and hides them with --verbose=false', async () => {
    const repo = `${e2e.host}/discover-tree`;
    const sig = await subjectWithSignature(repo);

    const tree = await e2e.box.ok(['discover', '--plain-http', `${repo}:v1`]);
    expect(tree.stderr).toBe('');
    expect(tree.stdout).toContain(`└── signature/example\n    └── ${sig}\n        └── [annotations]\n`);
    expect(tree.stdout).toContain(`org.opencontainers.image.created: "2026-01-01T00:00:00Z"\n`);
    expect(tree.stdout).toContain('signed: "yes"\n');

    const quiet = await e2e.box.ok(['discover', '--plain-http', '--verbose=false', `${repo}:v1`]);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toContain(`└── signature/example\n    └── ${sig}\n`);
    expect(quiet.stdout).not.toContain('[annotations]');

    // discover's -v is its own flag (oras: "display full metadata of referrers"), not deprecated
    const verbose = await e2e.box.ok(['discover', '--plain-http', '-v', `${repo}:v1`]);
    expect(verbose.stderr).toBe('');
    expect(verbose.stdout).toContain('[annotations]');
  });

  it('keeps the ref.name annotation of an OCI layout subject named by tag in JSON', async () => {
    await e2e.box.ok(['push', '--oci-layout', 'layout:v1', 'hi.txt']);
    await e2e.box.ok(['attach', '--oci-layout', '--artifact-type', 'sig/x', 'layout:v1', 'sig.json']);

    const byTag = JSON.parse(
      (await e2e.box.ok(['discover', '--oci-layout', '--format', 'json', 'layout:v1'])).stdout,
    );
    expect(byTag.annotations['org.opencontainers.image.ref.name']).toBe('v1');
    expect(byTag.referrers).toHaveLength(1);
    expect(byTag.referrers[0].artifactType).toBe('sig/x');

    const byDigest = JSON.parse(
      (await e2e.box.ok(['discover', '--oci-layout', '--format', 'json', `layout@${byTag.digest}`])).stdout,
    );
    expect(byDigest.annotations?.['org.opencontainers.image.ref.name']).toBeUndefined();
    expect(byDigest.referrers).toHaveLength(1);
  });
});
