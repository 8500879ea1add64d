/**
 * The OCI distribution-spec conformance ideas (pull, push, content discovery, content management),
 * checked against the in-process registry with plain HTTP requests, plus the strictness that makes
 * a client bug fail a test.
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { http, imageManifest, pushBlob, resolveLocation, sha256 } from '../test-support/http.js';
import { type TestRegistry, startTestRegistry } from './server.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };

let registry: TestRegistry;
beforeEach(async () => {
  registry = await startTestRegistry();
});
afterEach(() => registry.close());

const url = (path: string) => `${registry.url}${path}`;
const ep = () => ({ url: registry.url });

async function putManifest(repo: string, ref: string, body: string, type = MANIFEST) {
  return http(url(`/v2/${repo}/manifests/${ref}`), {
    method: 'PUT',
    headers: { 'content-type': type },
    body,
  });
}

/** Pushes config + one layer + manifest under `tag`; returns the manifest text and digest. */
async function pushImage(repo: string, tag: string, layerText = `layer ${Math.random()}`) {
  const config = '{"architecture":"amd64","os":"linux"}';
  const configDigest = await pushBlob(ep(), repo, config);
  const layerDigest = await pushBlob(ep(), repo, layerText);
  const manifest = imageManifest({ digest: configDigest, size: config.length }, [
    { digest: layerDigest, size: layerText.length },
  ]);
  const res = await putManifest(repo, tag, manifest);
  expect(res.status, res.text).toBe(201);
  return { manifest, digest: sha256(manifest), layerDigest, layerText };
}

/** Pushes an artifact manifest whose subject is `subject`. */
async function pushReferrer(repo: string, subject: { digest: string; size: number }, artifactType: string) {
  await pushBlob(ep(), repo, '{}');
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType,
    config: EMPTY,
    layers: [EMPTY],
    subject: { mediaType: MANIFEST, ...subject },
    annotations: { 'org.example.kind': artifactType },
  });
  const res = await putManifest(repo, sha256(body), body);
  return { res, body, digest: sha256(body) };
}

describe('pull', () => {
  it('answers the base endpoint with 200', async () => {
    const res = await http(url('/v2/'));
    expect(res.status).toBe(200);
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
  });

  it('serves a manifest by tag and by digest, with its media type and digest', async () => {
    const { manifest, digest } = await pushImage('a/b', 'v1');
    for (const ref of ['v1', digest]) {
      const res = await http(url(`/v2/a/b/manifests/${ref}`), { headers: { accept: MANIFEST } });
      expect(res.status).toBe(200);
      expect(res.text).toBe(manifest);
      expect(res.headers['content-type']).toBe(MANIFEST);
      expect(res.headers['docker-content-digest']).toBe(digest);
      const head = await http(url(`/v2/a/b/manifests/${ref}`), {
        method: 'HEAD',
        headers: { accept: MANIFEST },
      });
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(String(manifest.length));
      expect(head.body.byteLength).toBe(0);
    }
  });

  it('refuses a manifest the Accept header does not allow', async () => {
    await pushImage('a/b', 'v1');
    const res = await http(url('/v2/a/b/manifests/v1'), { headers: { accept: INDEX } });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it('serves blobs with their digest, and byte ranges with 206', async () => {
    const { layerDigest, layerText } = await pushImage('a/b', 'v1', 'abcdefghij');
    const res = await http(url(`/v2/a/b/blobs/${layerDigest}`));
    expect(res.status).toBe(200);
    expect(res.text).toBe(layerText);
    expect(res.headers['docker-content-digest']).toBe(layerDigest);
    expect(res.headers['accept-ranges']).toBe('bytes');
    const part = await http(url(`/v2/a/b/blobs/${layerDigest}`), { headers: { range: 'bytes=3-5' } });
    expect(part.status).toBe(206);
    expect(part.text).toBe('def');
    expect(part.headers['content-range']).toBe('bytes 3-5/10');
    const bad = await http(url(`/v2/a/b/blobs/${layerDigest}`), { headers: { range: 'bytes=10-' } });
    expect(bad.status).toBe(416);
  });

  it('answers HEAD on a blob with its digest and length and no body', async () => {
    const { layerDigest, layerText } = await pushImage('a/b', 'v1');
    const head = await http(url(`/v2/a/b/blobs/${layerDigest}`), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['docker-content-digest']).toBe(layerDigest);
    expect(head.headers['content-length']).toBe(String(layerText.length));
    expect(head.body.byteLength).toBe(0);
    expect((await http(url(`/v2/a/b/blobs/${sha256('none')}`), { method: 'HEAD' })).status).toBe(404);
  });

  it('answers 404 with the spec error codes for unknown content', async () => {
    await pushImage('a/b', 'v1');
    const cases: [string, string][] = [
      ['/v2/a/b/manifests/nope', 'MANIFEST_UNKNOWN'],
      [`/v2/a/b/manifests/${sha256('x')}`, 'MANIFEST_UNKNOWN'],
      [`/v2/a/b/blobs/${sha256('x')}`, 'BLOB_UNKNOWN'],
      ['/v2/no/such/tags/list', 'NAME_UNKNOWN'],
    ];
    for (const [path, code] of cases) {
      const res = await http(url(path));
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.text).errors[0].code, path).toBe(code);
    }
  });

  it('keeps blobs per repository: another repository does not serve them', async () => {
    const { layerDigest } = await pushImage('a/b', 'v1');
    await pushBlob(ep(), 'other', 'x');
    expect((await http(url(`/v2/other/blobs/${layerDigest}`))).status).toBe(404);
  });

  it('answers 400 for invalid names and digests', async () => {
    expect(JSON.parse((await http(url('/v2/UPPER/tags/list'))).text).errors[0].code).toBe('NAME_INVALID');
    expect((await http(url('/v2/a/b/manifests/%E0%A4%A'))).status).toBe(400);
    const res = await http(url('/v2/a/b/blobs/md5:abc'));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0].code).toBe('DIGEST_INVALID');
  });
});

describe('push', () => {
  it('accepts a monolithic upload: POST, then PUT with the digest', async () => {
    const digest = await pushBlob(ep(), 'a/b', 'hello');
    expect((await http(url(`/v2/a/b/blobs/${digest}`))).text).toBe('hello');
    const puts = registry.requests.filter((r) => r.method === 'PUT' && r.route === 'upload');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.query.get('digest')).toBe(digest);
  });

  it('accepts a single POST with the digest and the body', async () => {
    const digest = sha256('single');
    const res = await http(url(`/v2/a/b/blobs/uploads/?digest=${digest}`), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'single',
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v2/a/b/blobs/${digest}`);
    expect(res.headers['docker-content-digest']).toBe(digest);
  });

  it('accepts a chunked upload with Content-Range, reports its status, and completes it', async () => {
    const start = await http(url('/v2/a/b/blobs/uploads/'), { method: 'POST' });
    expect(start.status).toBe(202);
    expect(start.headers.range).toBe('0-0');
    let location = resolveLocation(registry.url, start.headers.location);
    const first = await http(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': '0-4' },
      body: 'hello',
    });
    expect(first.status).toBe(202);
    expect(first.headers.range).toBe('0-4');
    location = resolveLocation(registry.url, first.headers.location);
    const status = await http(location);
    expect(status.status).toBe(204);
    expect(status.headers.range).toBe('0-4');
    location = resolveLocation(registry.url, status.headers.location);
    const second = await http(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': '5-10' },
      body: ' world',
    });
    expect(second.status).toBe(202);
    const done = new URL(resolveLocation(registry.url, second.headers.location));
    done.searchParams.set('digest', sha256('hello world'));
    const put = await http(done, { method: 'PUT', headers: { 'content-length': 0 } });
    expect(put.status, put.text).toBe(201);
    expect((await http(url(`/v2/a/b/blobs/${sha256('hello world')}`))).text).toBe('hello world');
    expect(registry.openUploads()).toBe(0);
  });

  it('answers 416 with the current range to an out-of-order chunk', async () => {
    const start = await http(url('/v2/a/b/blobs/uploads/'), { method: 'POST' });
    const location = resolveLocation(registry.url, start.headers.location);
    const res = await http(location, { method: 'PATCH', headers: { 'content-range': '3-5' }, body: 'abc' });
    expect(res.status).toBe(416);
    expect(res.headers.range).toBe('0-0');
    expect(res.headers.location).toBeDefined();
  });

  it('refuses a Content-Range in the "bytes" form the spec does not use', async () => {
    const start = await http(url('/v2/a/b/blobs/uploads/'), { method: 'POST' });
    const location = resolveLocation(registry.url, start.headers.location);
    const res = await http(location, {
      method: 'PATCH',
      headers: { 'content-range': 'bytes 0-2/3' },
      body: 'abc',
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0].code).toBe('BLOB_UPLOAD_INVALID');
  });

  it('requires the Location of the last answer (stale _state is refused)', async () => {
    const start = await http(url('/v2/a/b/blobs/uploads/'), { method: 'POST' });
    const first = resolveLocation(registry.url, start.headers.location);
    const patch = await http(first, { method: 'PATCH', headers: { 'content-range': '0-2' }, body: 'abc' });
    expect(patch.status).toBe(202);
    const stale = new URL(first);
    stale.searchParams.set('digest', sha256('abc'));
    const res = await http(stale, { method: 'PUT' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0].code).toBe('BLOB_UPLOAD_INVALID');
  });

  it('refuses a blob whose content does not match the digest', async () => {
    const start = await http(url('/v2/a/b/blobs/uploads/'), { method: 'POST' });
    const location = new URL(resolveLocation(registry.url, start.headers.location));
    location.searchParams.set('digest', sha256('expected'));
    const res = await http(location, { method: 'PUT', body: 'actual' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0].code).toBe('DIGEST_INVALID');
    expect((await http(url(`/v2/a/b/blobs/${sha256('expected')}`))).status).toBe(404);
  });

  it('cancels an upload with DELETE', async () => {
    const start = await http(url('/v2/a/b/blobs/uploads/'), { method: 'POST' });
    const location = resolveLocation(registry.url, start.headers.location);
    expect((await http(location, { method: 'DELETE' })).status).toBe(204);
    const res = await http(location);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('mounts a blob from another repository with 201, and falls back to an upload with 202', async () => {
    const digest = await pushBlob(ep(), 'source', 'shared');
    const mounted = await http(url(`/v2/target/blobs/uploads/?mount=${digest}&from=source`), {
      method: 'POST',
    });
    expect(mounted.status).toBe(201);
    expect(mounted.headers['docker-content-digest']).toBe(digest);
    expect((await http(url(`/v2/target/blobs/${digest}`))).text).toBe('shared');
    const missing = await http(url(`/v2/target/blobs/uploads/?mount=${sha256('nope')}&from=source`), {
      method: 'POST',
    });
    expect(missing.status).toBe(202);
    expect(missing.headers.location).toMatch(/^\/v2\/target\/blobs\/uploads\//);
  });

  it('gives absolute upload locations when asked to, like distribution', async () => {
    registry.setQuirks({ uploadLocation: 'absolute' });
    const start = await http(url('/v2/a/b/blobs/uploads/'), { method: 'POST' });
    expect(start.headers.location).toMatch(new RegExp(`^${registry.url}/v2/a/b/blobs/uploads/`));
  });

  it('announces a minimum chunk length and lets only the last chunk be shorter', async () => {
    registry.setQuirks({ chunkMinLength: 4 });
    const start = await http(url('/v2/a/b/blobs/uploads/'), { method: 'POST' });
    expect(start.headers['oci-chunk-min-length']).toBe('4');
    const patch = async (location: string, range: string, body: string) =>
      http(resolveLocation(registry.url, location), {
        method: 'PATCH',
        headers: { 'content-range': range },
        body,
      });
    const full = await patch(start.headers.location as string, '0-3', 'abcd');
    expect(full.status).toBe(202);
    const short = await patch(full.headers.location as string, '4-5', 'ef');
    expect(short.status).toBe(202);
    const after = await patch(short.headers.location as string, '6-9', 'ghij');
    expect(after.status).toBe(416);
    // The short chunk was the last after all: closing the session succeeds.
    const done = new URL(resolveLocation(registry.url, after.headers.location));
    done.searchParams.set('digest', sha256('abcdef'));
    expect((await http(done, { method: 'PUT' })).status).toBe(201);
  });

  it('accepts a manifest by tag and by digest, and answers with its digest', async () => {
    const { manifest, digest } = await pushImage('a/b', 'v1');
    const byDigest = await putManifest('a/b', digest, manifest);
    expect(byDigest.status).toBe(201);
    expect(byDigest.headers['docker-content-digest']).toBe(digest);
    expect(byDigest.headers.location).toBe(`/v2/a/b/manifests/${digest}`);
  });

  it('accepts an index whose manifests are in the repository', async () => {
    const { digest, manifest } = await pushImage('a/b', 'v1');
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [
        {
          mediaType: MANIFEST,
          digest,
          size: manifest.length,
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    });
    expect((await putManifest('a/b', 'multi', index, INDEX)).status).toBe(201);
  });

  it('ignores Content-Type parameters and stores the bytes as pushed', async () => {
    const digest = await pushBlob(ep(), 'a/b', '{}');
    const body = `${imageManifest({ digest, size: 2 }, [])}\n`;
    const res = await putManifest('a/b', 'v1', body, `${MANIFEST}; charset=utf-8`);
    expect(res.status).toBe(201);
    const got = await http(url('/v2/a/b/manifests/v1'));
    expect(got.text).toBe(body);
    expect(got.headers['content-type']).toBe(MANIFEST);
  });

  it('accepts Docker schema 2 manifests and manifest lists', async () => {
    const config = await pushBlob(ep(), 'a/b', '{"os":"linux"}');
    const docker = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config, size: 14 },
      layers: [],
    });
    expect(
      (await putManifest('a/b', 'docker', docker, 'application/vnd.docker.distribution.manifest.v2+json'))
        .status,
    ).toBe(201);
    const list = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
      manifests: [
        {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest: sha256(docker),
          size: docker.length,
        },
      ],
    });
    expect(
      (await putManifest('a/b', 'list', list, 'application/vnd.docker.distribution.manifest.list.v2+json'))
        .status,
    ).toBe(201);
  });

  describe('validates manifests like a strict registry', () => {
    it('refuses a manifest whose blobs are missing', async () => {
      const body = imageManifest({ digest: sha256('c'), size: 1 }, []);
      const res = await putManifest('a/b', 'v1', body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).errors[0].code).toBe('MANIFEST_BLOB_UNKNOWN');
    });

    it('accepts missing blobs when the quirk switch allows it', async () => {
      registry.setQuirks({ verifyManifestReferences: false });
      const body = imageManifest({ digest: sha256('c'), size: 1 }, []);
      expect((await putManifest('a/b', 'v1', body)).status).toBe(201);
    });

    it('refuses an index whose manifests are missing', async () => {
      const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: INDEX,
        manifests: [{ mediaType: MANIFEST, digest: sha256('m'), size: 1 }],
      });
      const res = await putManifest('a/b', 'v1', index, INDEX);
      expect(JSON.parse(res.text).errors[0].code).toBe('MANIFEST_BLOB_UNKNOWN');
    });

    it('refuses a descriptor whose size is not the blob size', async () => {
      const digest = await pushBlob(ep(), 'a/b', 'four');
      const res = await putManifest('a/b', 'v1', imageManifest({ digest, size: 5 }, []));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).errors[0].code).toBe('MANIFEST_INVALID');
    });

    it('refuses a body that does not match the digest it is pushed as', async () => {
      const { manifest } = await pushImage('a/b', 'v1');
      const res = await putManifest('a/b', sha256('other'), manifest);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).errors[0].code).toBe('DIGEST_INVALID');
    });

    it('refuses bad JSON, a wrong schemaVersion, a Content-Type that differs from mediaType, and bad tags', async () => {
      const digest = await pushBlob(ep(), 'a/b', '{}');
      const good = imageManifest({ digest, size: 2 }, []);
      const cases: [string, string, string, string][] = [
        ['v1', '{not json', MANIFEST, 'MANIFEST_INVALID'],
        ['v1', good.replace('"schemaVersion":2', '"schemaVersion":1'), MANIFEST, 'MANIFEST_INVALID'],
        ['v1', good, INDEX, 'MANIFEST_INVALID'],
        ['v1', good, 'application/json', 'MANIFEST_INVALID'],
        ['-bad', good, MANIFEST, 'TAG_INVALID'],
      ];
      for (const [tag, body, type, code] of cases) {
        const res = await putManifest('a/b', tag, body, type);
        expect(res.status, `${type} ${body}`).toBe(400);
        expect(JSON.parse(res.text).errors[0].code).toBe(code);
      }
    });

    it('refuses a manifest over the size limit with 413', async () => {
      registry.setQuirks({ maxManifestBytes: 100, verifyManifestReferences: false });
      const body = imageManifest({ digest: sha256('c'), size: 1 }, [], {
        annotations: { big: 'x'.repeat(200) },
      });
      expect((await putManifest('a/b', 'v1', body)).status).toBe(413);
    });
  });
});

describe('content discovery', () => {
  it('lists tags in lexical order, paginated with n, last and Link', async () => {
    const { manifest } = await pushImage('a/b', 'v1');
    for (const tag of ['c', 'a', 'b', 'd']) await putManifest('a/b', tag, manifest);
    const all = await http(url('/v2/a/b/tags/list'));
    expect(JSON.parse(all.text)).toEqual({ name: 'a/b', tags: ['a', 'b', 'c', 'd', 'v1'] });
    expect(all.headers.link).toBeUndefined();
    const first = await http(url('/v2/a/b/tags/list?n=2'));
    expect(JSON.parse(first.text).tags).toEqual(['a', 'b']);
    expect(first.headers.link).toBe('</v2/a/b/tags/list?n=2&last=b>; rel="next"');
    const next = await http(url('/v2/a/b/tags/list?n=2&last=b'));
    expect(JSON.parse(next.text).tags).toEqual(['c', 'd']);
    const last = await http(url('/v2/a/b/tags/list?n=2&last=d'));
    expect(JSON.parse(last.text).tags).toEqual(['v1']);
    expect(last.headers.link).toBeUndefined();
    expect(JSON.parse((await http(url('/v2/a/b/tags/list?n=0'))).text).tags).toEqual([]);
    const bad = await http(url('/v2/a/b/tags/list?n=two'));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).errors[0].code).toBe('PAGINATION_NUMBER_INVALID');
  });

  it('caps pages at pageSize even without n', async () => {
    registry.setQuirks({ pageSize: 1 });
    const { manifest } = await pushImage('a/b', 'v1');
    await putManifest('a/b', 'v2', manifest);
    const res = await http(url('/v2/a/b/tags/list'));
    expect(JSON.parse(res.text).tags).toEqual(['v1']);
    expect(res.headers.link).toBe('</v2/a/b/tags/list?n=1&last=v1>; rel="next"');
  });

  it('lists repositories in the catalog with Link pagination', async () => {
    for (const repo of ['zeta', 'alpha', 'mid/dle']) await pushBlob(ep(), repo, repo);
    const first = await http(url('/v2/_catalog?n=2'));
    expect(JSON.parse(first.text).repositories).toEqual(['alpha', 'mid/dle']);
    expect(first.headers.link).toBe('</v2/_catalog?n=2&last=mid%2Fdle>; rel="next"');
    const next = await http(url('/v2/_catalog?n=2&last=mid%2Fdle'));
    expect(JSON.parse(next.text).repositories).toEqual(['zeta']);
  });

  it('lists referrers of a subject, answers pushes with OCI-Subject, and filters by artifactType', async () => {
    const { digest, manifest } = await pushImage('a/b', 'v1');
    const subject = { digest, size: manifest.length };
    const sig = await pushReferrer('a/b', subject, 'application/vnd.example.signature');
    expect(sig.res.status).toBe(201);
    expect(sig.res.headers['oci-subject']).toBe(digest);
    const sbom = await pushReferrer('a/b', subject, 'application/vnd.example.sbom');

    const all = await http(url(`/v2/a/b/referrers/${digest}`));
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toBe(INDEX);
    const index = JSON.parse(all.text);
    expect(index).toMatchObject({ schemaVersion: 2, mediaType: INDEX });
    expect(index.manifests).toEqual([
      {
        mediaType: MANIFEST,
        digest: sig.digest,
        size: sig.body.length,
        artifactType: 'application/vnd.example.signature',
        annotations: { 'org.example.kind': 'application/vnd.example.signature' },
      },
      {
        mediaType: MANIFEST,
        digest: sbom.digest,
        size: sbom.body.length,
        artifactType: 'application/vnd.example.sbom',
        annotations: { 'org.example.kind': 'application/vnd.example.sbom' },
      },
    ]);
    expect(all.headers['oci-filters-applied']).toBeUndefined();

    const filtered = await http(url(`/v2/a/b/referrers/${digest}?artifactType=application/vnd.example.sbom`));
    expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
    expect(JSON.parse(filtered.text).manifests.map((d: { digest: string }) => d.digest)).toEqual([
      sbom.digest,
    ]);
  });

  it('reports the config media type as artifactType when a manifest has none', async () => {
    const { digest, manifest } = await pushImage('a/b', 'v1');
    const configDigest = await pushBlob(ep(), 'a/b', '{"x":1}');
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.example.config', digest: configDigest, size: 7 },
      layers: [],
      subject: { mediaType: MANIFEST, digest, size: manifest.length },
    });
    expect((await putManifest('a/b', sha256(body), body)).status).toBe(201);
    const res = await http(url(`/v2/a/b/referrers/${digest}`));
    expect(JSON.parse(res.text).manifests[0].artifactType).toBe('application/vnd.example.config');
  });

  it('lists an index referrer without artifactType, and with it when set', async () => {
    const { digest, manifest } = await pushImage('a/b', 'v1');
    const subject = { mediaType: MANIFEST, digest, size: manifest.length };
    const plain = JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [],
      subject,
      annotations: { k: 'v' },
    });
    const typed = JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      artifactType: 'application/vnd.example.set',
      manifests: [],
      subject,
    });
    for (const body of [plain, typed]) {
      const res = await putManifest('a/b', sha256(body), body, INDEX);
      expect(res.status).toBe(201);
      expect(res.headers['oci-subject']).toBe(digest);
    }
    const list = JSON.parse((await http(url(`/v2/a/b/referrers/${digest}`))).text).manifests;
    expect(list).toEqual([
      { mediaType: INDEX, digest: sha256(plain), size: plain.length, annotations: { k: 'v' } },
      {
        mediaType: INDEX,
        digest: sha256(typed),
        size: typed.length,
        artifactType: 'application/vnd.example.set',
      },
    ]);
  });

  it('accepts a referrer whose subject does not exist yet', async () => {
    const pushed = await pushReferrer(
      'a/b',
      { digest: sha256('later'), size: 5 },
      'application/vnd.example.early',
    );
    expect(pushed.res.status).toBe(201);
    const list = JSON.parse((await http(url(`/v2/a/b/referrers/${sha256('later')}`))).text).manifests;
    expect(list.map((d: { digest: string }) => d.digest)).toEqual([pushed.digest]);
  });

  it('answers an empty index for a subject without referrers, even one that does not exist', async () => {
    await pushImage('a/b', 'v1');
    const res = await http(url(`/v2/a/b/referrers/${sha256('nothing')}`));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).manifests).toEqual([]);
    // A registry with the API never answers 404, not even for an unknown repository.
    const unknown = await http(url(`/v2/no/such/referrers/${sha256('nothing')}`));
    expect(unknown.status).toBe(200);
    expect(JSON.parse(unknown.text).manifests).toEqual([]);
    expect((await http(url('/v2/a/b/referrers/sha256:short'))).status).toBe(400);
  });

  it('pages referrers with Link when pageSize is set', async () => {
    registry.setQuirks({ pageSize: 1 });
    const { digest, manifest } = await pushImage('a/b', 'v1');
    const first = await pushReferrer('a/b', { digest, size: manifest.length }, 'application/vnd.example.a');
    const second = await pushReferrer('a/b', { digest, size: manifest.length }, 'application/vnd.example.b');
    const page1 = await http(url(`/v2/a/b/referrers/${digest}`));
    expect(JSON.parse(page1.text).manifests.map((d: { digest: string }) => d.digest)).toEqual([first.digest]);
    const next = /^<([^>]+)>; rel="next"$/.exec(page1.headers.link as string)![1]!;
    const page2 = await http(url(next));
    expect(JSON.parse(page2.text).manifests.map((d: { digest: string }) => d.digest)).toEqual([
      second.digest,
    ]);
    expect(page2.headers.link).toBeUndefined();
  });

  it('switches the referrers API off: 404 and no OCI-Subject, so clients use the tag schema', async () => {
    registry.setQuirks({ referrersApi: false });
    const { digest, manifest } = await pushImage('a/b', 'v1');
    const pushed = await pushReferrer(
      'a/b',
      { digest, size: manifest.length },
      'application/vnd.example.signature',
    );
    expect(pushed.res.status).toBe(201);
    expect(pushed.res.headers['oci-subject']).toBeUndefined();
    const res = await http(url(`/v2/a/b/referrers/${digest}`));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('leaves filtering to the client when referrersFilter is off', async () => {
    registry.setQuirks({ referrersFilter: false });
    const { digest, manifest } = await pushImage('a/b', 'v1');
    await pushReferrer('a/b', { digest, size: manifest.length }, 'application/vnd.example.a');
    const res = await http(url(`/v2/a/b/referrers/${digest}?artifactType=application/vnd.example.b`));
    expect(res.headers['oci-filters-applied']).toBeUndefined();
    expect(JSON.parse(res.text).manifests).toHaveLength(1);
  });
});

describe('content management', () => {
  it('deletes a manifest by digest, with its tags and its referrers entry', async () => {
    const { digest, manifest } = await pushImage('a/b', 'v1');
    const ref = await pushReferrer('a/b', { digest, size: manifest.length }, 'application/vnd.example.a');
    expect((await http(url(`/v2/a/b/manifests/${ref.digest}`), { method: 'DELETE' })).status).toBe(202);
    expect(JSON.parse((await http(url(`/v2/a/b/referrers/${digest}`))).text).manifests).toEqual([]);
    expect((await http(url(`/v2/a/b/manifests/${digest}`), { method: 'DELETE' })).status).toBe(202);
    expect((await http(url('/v2/a/b/manifests/v1'))).status).toBe(404);
    expect(JSON.parse((await http(url('/v2/a/b/tags/list'))).text).tags).toEqual([]);
    expect((await http(url(`/v2/a/b/manifests/${digest}`), { method: 'DELETE' })).status).toBe(404);
  });

  it('deletes a tag and keeps the manifest', async () => {
    const { digest } = await pushImage('a/b', 'v1');
    expect((await http(url('/v2/a/b/manifests/v1'), { method: 'DELETE' })).status).toBe(202);
    expect((await http(url('/v2/a/b/manifests/v1'))).status).toBe(404);
    expect((await http(url(`/v2/a/b/manifests/${digest}`))).status).toBe(200);
  });

  it('deletes a blob', async () => {
    const digest = await pushBlob(ep(), 'a/b', 'bye');
    expect((await http(url(`/v2/a/b/blobs/${digest}`), { method: 'DELETE' })).status).toBe(202);
    expect((await http(url(`/v2/a/b/blobs/${digest}`))).status).toBe(404);
  });

  it('answers 405 UNSUPPORTED to deletes when they are switched off', async () => {
    registry.setQuirks({ deletes: false });
    const { digest } = await pushImage('a/b', 'v1');
    const res = await http(url(`/v2/a/b/manifests/${digest}`), { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(JSON.parse(res.text).errors[0].code).toBe('UNSUPPORTED');
  });
});

describe('request log', () => {
  it('records each request with its method, path, route, headers and status', async () => {
    await http(url('/v2/a/b/tags/list'), { headers: { 'user-agent': 'oras-test/1' } });
    const [entry] = registry.requests;
    expect(entry).toMatchObject({
      origin: 'registry',
      method: 'GET',
      path: '/v2/a/b/tags/list',
      route: 'tags',
      repository: 'a/b',
      status: 404,
    });
    expect(entry!.headers['user-agent']).toBe('oras-test/1');
    registry.clearRequests();
    expect(registry.requests).toHaveLength(0);
  });
});
