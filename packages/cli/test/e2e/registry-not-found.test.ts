/**
 * A reference that names nothing, against docker-registry, in oras 1.3's words: the registry
 * prefix (`Error response from registry:`), then the words each command's code wraps around
 * oras-go's `<ref>: not found`: `resolve` says `failed to resolve digest:`, `manifest fetch`
 * `failed to fetch the content of "<ref>":` (`failed to find` with `--descriptor`), `pull` and
 * `cp` say `failed to resolve <tag>:` as `oras.Copy` does, and `tag`, `attach`, `discover` and
 * `manifest fetch-config` add nothing. From an OCI layout the prefix is plain `Error:`, and so it
 * is for `manifest delete` and `blob delete`, whose `the specified ... does not exist` oras makes
 * anew instead of wrapping the registry's answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { withDistribution } from './fixture.js';

const e2e = withDistribution({ files: { 'a.txt': 'a\n' } });

/** The sandbox's run, as `{ code, stderr, stdout }`. */
async function fails(args: readonly string[]) {
  const res = await e2e.box.run(args);
  return { code: res.code, stderr: res.stderr, stdout: res.stdout };
}

const REGISTRY = 'Error response from registry:';

describe('a tag the registry does not have', () => {
  let repo = '';
  let missing = '';
  beforeAll(async () => {
    repo = `${e2e.host}/not-found`;
    missing = `${repo}:nope`;
    await e2e.box.ok(['push', '--plain-http', `${repo}:v1`, 'a.txt']);
  });

  const failure = (stderr: string) => ({ code: 1, stderr: `${stderr}\n`, stdout: '' });

  it('resolve: failed to resolve digest', async () => {
    expect(await fails(['resolve', '--plain-http', missing])).toEqual(
      failure(`${REGISTRY} failed to resolve digest: ${missing}: not found`),
    );
  });

  it('manifest fetch: failed to fetch the content of, or failed to find with --descriptor', async () => {
    expect(await fails(['manifest', 'fetch', '--plain-http', missing])).toEqual(
      failure(`${REGISTRY} failed to fetch the content of "${missing}": ${missing}: not found`),
    );
    expect(await fails(['manifest', 'fetch', '--plain-http', '--descriptor', missing])).toEqual(
      failure(`${REGISTRY} failed to find "${missing}": ${missing}: not found`),
    );
  });

  it('pull: failed to resolve <tag>, as oras.Copy says', async () => {
    expect(await fails(['pull', '--plain-http', missing])).toEqual(
      failure(`${REGISTRY} failed to resolve nope: ${missing}: not found`),
    );
    expect(await fails(['pull', '--plain-http', '--platform', 'linux/amd64', missing])).toEqual(
      failure(`${REGISTRY} failed to resolve nope: ${missing}: not found`),
    );
  });

  it('cp: failed to resolve <tag> with the registry prefix, on every path of the copy', async () => {
    const want = failure(`${REGISTRY} failed to resolve nope: ${missing}: not found`);
    expect(await fails(['cp', '--from-plain-http', '--to-plain-http', missing, `${repo}-copy:v1`])).toEqual(
      want,
    );
    expect(await fails(['cp', '--from-plain-http', '--to-plain-http', missing, `${repo}-copy`])).toEqual(
      want,
    );
    expect(
      await fails(['cp', '--from-plain-http', '--to-plain-http', '-r', missing, `${repo}-copy:v1`]),
    ).toEqual(want);
  });

  it('tag, attach, discover and manifest fetch-config: oras-go words alone', async () => {
    const want = failure(`${REGISTRY} ${missing}: not found`);
    expect(await fails(['tag', '--plain-http', missing, 'v2'])).toEqual(want);
    expect(await fails(['attach', '--plain-http', '--artifact-type', 'test/x', missing, 'a.txt'])).toEqual(
      want,
    );
    expect(await fails(['discover', '--plain-http', missing])).toEqual(want);
    expect(await fails(['manifest', 'fetch-config', '--plain-http', missing])).toEqual(want);
  });
});

describe('deleting what the registry does not have', () => {
  it('manifest delete and blob delete: the plain prefix, as oras makes these errors anew', async () => {
    const repo = `${e2e.host}/not-found-delete`;
    const blob = `${repo}@sha256:${'a'.repeat(64)}`;
    expect(await fails(['manifest', 'delete', '--plain-http', `${repo}:nope`])).toEqual({
      code: 1,
      stderr: `Error: ${repo}:nope: the specified manifest does not exist\n`,
      stdout: '',
    });
    expect(await fails(['blob', 'delete', '--plain-http', blob])).toEqual({
      code: 1,
      stderr: `Error: ${blob}: the specified blob does not exist\n`,
      stdout: '',
    });
  });
});

describe('a tag an OCI layout does not have', () => {
  beforeAll(async () => {
    await e2e.box.ok(['push', '--oci-layout', 'layout:v1', 'a.txt']);
  });

  it('pull and cp: failed to resolve <tag>, with the plain prefix', async () => {
    const want = { code: 1, stderr: 'Error: failed to resolve nope: nope: not found\n', stdout: '' };
    expect(await fails(['pull', '--oci-layout', 'layout:nope'])).toEqual(want);
    expect(
      await fails([
        'cp',
        '--to-plain-http',
        '--from-oci-layout',
        'layout:nope',
        `${e2e.host}/from-layout:v1`,
      ]),
    ).toEqual(want);
  });
});
