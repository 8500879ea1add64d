/**
 * `--distribution-spec v1.1-referrers-api` insists on the referrers API: on docker-registry (which
 * has none) `attach` fails before pushing anything, instead of leaving a referrer that no tag-schema
 * index lists and nothing can discover; on a registry with the API it works as before.
 */
import { describe, expect, it } from 'vitest';
import { withDistribution, withTestRegistry } from './fixture.js';

const FILES = { 'hi.txt': 'hello\n', 'sig.json': '{}\n' };
const FORCE_API = ['--distribution-spec', 'v1.1-referrers-api'];

describe('a forced referrers API on a registry without it', () => {
  const e2e = withDistribution({ files: FILES });

  it('fails attach, discover and cp before pushing anything', async () => {
    const subject = `${e2e.host}/no-api:v1`;
    await e2e.box.ok(['push', '--plain-http', subject, 'hi.txt']);

    const attach = await e2e.box.run([
      'attach',
      '--plain-http',
      ...FORCE_API,
      '--artifact-type',
      'sig/x',
      subject,
      'sig.json',
    ]);
    expect(attach.code).toBe(1);
    expect(attach.stderr).toBe(
      `Error: the registry ${e2e.host} does not serve the referrers API, which v1.1-referrers-api requires\n` +
        'Use the distribution spec v1.1-referrers-tag (the referrers tag schema), or leave the flag out to let oras find out.\n',
    );
    expect(attach.stdout).toBe('');

    const discover = await e2e.box.run(['discover', '--plain-http', ...FORCE_API, subject]);
    expect(discover.code).toBe(1);
    expect(discover.stderr).toContain('does not serve the referrers API');

    const cp = await e2e.box.run([
      'cp',
      '-r',
      '--from-plain-http',
      '--to-plain-http',
      '--to-distribution-spec',
      'v1.1-referrers-api',
      subject,
      `${e2e.host}/no-api-copy:v1`,
    ]);
    expect(cp.code).toBe(1);
    expect(cp.stderr).toContain('does not serve the referrers API');

    // nothing was attached: no referrer, no tag-schema index
    const tags = await e2e.box.ok(['repo', 'tags', '--plain-http', `${e2e.host}/no-api`]);
    expect(tags.stdout).toBe('v1\n');
    const found = await e2e.box.ok(['discover', '--plain-http', '--format', 'json', subject]);
    expect(JSON.parse(found.stdout).referrers).toEqual([]);

    // the tag schema, forced or detected, still works
    await e2e.box.ok([
      'attach',
      '--plain-http',
      '--distribution-spec',
      'v1.1-referrers-tag',
      '--artifact-type',
      'sig/x',
      subject,
      'sig.json',
    ]);
    const listed = await e2e.box.ok(['discover', '--plain-http', '--format', 'json', subject]);
    expect(JSON.parse(listed.stdout).referrers).toHaveLength(1);
  });
});

describe('a forced referrers API on a registry with it', () => {
  const e2e = withTestRegistry({ files: FILES });

  it('attaches and discovers through the API', async () => {
    const subject = `${e2e.host}/api:v1`;
    await e2e.box.ok(['push', '--plain-http', subject, 'hi.txt']);
    const attach = await e2e.box.ok([
      'attach',
      '--plain-http',
      ...FORCE_API,
      '--artifact-type',
      'sig/x',
      '--format',
      'go-template={{.digest}}',
      subject,
      'sig.json',
    ]);
    const found = await e2e.box.ok(['discover', '--plain-http', ...FORCE_API, '--format', 'json', subject]);
    expect(JSON.parse(found.stdout).referrers.map((r: { digest: string }) => r.digest)).toEqual([
      attach.stdout.trim(),
    ]);
  });
});
