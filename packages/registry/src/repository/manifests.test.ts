/** Manifests: resolve, fetch, push, tag, delete, and the registry's error answers. */
import { createHash } from 'node:crypto';
import { isVerified } from '@oras/content';
import {
  ConnectionError,
  type Descriptor,
  MismatchedDigestError,
  NotFoundError,
  SizeExceedsLimitError,
} from '@oras/spec';
import { METADATA_RESTARTS } from '../deadline.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { ResponseError } from '../errors.js';
import {
  configDesc,
  descOf,
  enc,
  INDEX,
  isA,
  MANIFEST,
  manifestBytes,
  readAll,
  useRepositoryFixture,
} from '../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('manifests', () => {
  beforeEach(() => setup());

  it('pushes by tag and resolves it with HEAD', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().pushReference(desc, bytes, 'v1');
    fx.registry.requests.length = 0;
    expect(await repo().resolve('v1')).toEqual(desc);
    expect(fx.registry.requests.map((q) => q.method)).toEqual(['HEAD']);
    expect(fx.registry.requests[0]?.headers.accept).toContain(INDEX);
  });

  it('names a missing tag after ":" and a missing digest after "@"', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const tagError = await repo()
      .resolve('nope')
      .catch((e: unknown) => e);
    expect(tagError).toBeInstanceOf(NotFoundError);
    expect((tagError as Error).message).toMatch(/\/[^/]+:nope: not found$/);
    const digestError = await repo()
      .resolve(missing)
      .catch((e: unknown) => e);
    expect(digestError).toBeInstanceOf(NotFoundError);
    expect((digestError as Error).message).toMatch(new RegExp(`[^:]@${missing}: not found$`));
  });

  it('falls back to GET and hashing when Docker-Content-Digest is missing', async () => {
    await setup({ omitDigestHeader: true });
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().pushReference(desc, bytes, 'v1');
    expect(await repo().resolve('v1')).toEqual(desc);
    expect(fx.registry.requests.at(-1)?.method).toBe('GET');
  });

  it('keeps fetched manifests byte-exact', async () => {
    const bytes = enc.encode(
      `{ "schemaVersion":2,  "mediaType":"${MANIFEST}","config":${JSON.stringify(configDesc)},"layers":[] }`,
    );
    const desc = descOf(MANIFEST, bytes);
    await repo().push(desc, bytes);
    expect(Buffer.compare(await readAll(await repo().fetch(desc)), Buffer.from(bytes))).toBe(0);
    const fetched = await repo().fetchReference(desc.digest);
    expect(fetched.descriptor).toEqual(desc);
    // the bytes as read (verified), and the stream of the same bytes, made when asked for
    expect(Buffer.compare(fetched.bytes ?? new Uint8Array(), Buffer.from(bytes))).toBe(0);
    expect(isVerified(fetched.bytes, desc)).toBe(true);
    expect(fetched.stream).toBe(fetched.stream);
    expect(Buffer.compare(await readAll(fetched.stream), Buffer.from(bytes))).toBe(0);
  });

  it('checks the Content-Type of a fetched manifest', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().push(desc, bytes);
    await expect(repo().fetch({ ...desc, mediaType: INDEX })).rejects.toThrow(/media type/);
  });

  it('refuses manifests over maxMetadataBytes', async () => {
    const bytes = manifestBytes({ annotations: { big: 'x'.repeat(5000) } });
    const desc = descOf(MANIFEST, bytes);
    await expect(repo({ maxMetadataBytes: 1024 }).push(desc, bytes)).rejects.toSatisfy(
      isA(SizeExceedsLimitError),
    );
    await repo().push(desc, bytes);
    await expect(repo({ maxMetadataBytes: 1024 }).fetch(desc)).rejects.toSatisfy(isA(SizeExceedsLimitError));
  });

  it('tags an existing manifest and deletes it', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().push(desc, bytes);
    await repo().tag(desc, 'latest');
    expect((await repo().resolve('latest')).digest).toBe(desc.digest);
    await repo().delete(desc);
    await expect(repo().resolve('latest')).rejects.toSatisfy(isA(NotFoundError));
    await expect(repo().resolve(desc.digest)).rejects.toSatisfy(isA(NotFoundError));
  });

  it('deletes through the manifest store on the manifests endpoint, whatever the media type', async () => {
    const bytes = enc.encode(JSON.stringify({ schemaVersion: 2, custom: true }));
    const desc = descOf('application/vnd.example.custom.v1+json', bytes);
    await repo().manifests().push(desc, bytes);
    await repo().manifests().delete(desc);
    expect(await repo().manifests().exists(desc)).toBe(false);
    fx.registry.fault = (req, res) => {
      if (req.method !== 'DELETE') return false;
      res.writeHead(202).end();
      return true;
    };
    await repo().blobs().delete(descOf(MANIFEST, bytes));
    const deletes = fx.registry.requests.filter((q) => q.method === 'DELETE').map((q) => q.url);
    expect(deletes).toEqual([`/v2/test/repo/manifests/${desc.digest}`, `/v2/test/repo/blobs/${desc.digest}`]);
  });

  it('checks a manifest fetched by tag against the Docker-Content-Digest the registry answers', async () => {
    const bytes = manifestBytes();
    const desc = descOf(MANIFEST, bytes);
    await repo().pushReference(desc, bytes, 'v1');
    expect((await repo().fetchReference('v1')).descriptor).toEqual(desc);
    const sha512 = `sha512:${createHash('sha512').update(bytes).digest('hex')}`;
    /** Answers GET of the tag with the manifest and `digest` in the header (none when undefined). */
    const answerWith = (digest: string | undefined) => {
      fx.registry.fault = (req, res) => {
        if (req.method !== 'GET' || !req.url?.endsWith('/manifests/v1')) return false;
        res.writeHead(200, {
          'content-type': MANIFEST,
          'content-length': String(bytes.byteLength),
          ...(digest === undefined ? {} : { 'docker-content-digest': digest }),
        });
        res.end(bytes);
        return true;
      };
    };
    // the registry names the content with another algorithm: that digest is the content's name
    answerWith(sha512);
    expect((await repo().fetchReference('v1')).descriptor).toEqual({ ...desc, digest: sha512 });
    // no header: the content's sha256
    answerWith(undefined);
    expect((await repo().fetchReference('v1')).descriptor).toEqual(desc);
    // a header that is no digest this client knows is not a name
    answerWith('md5:0123');
    expect((await repo().fetchReference('v1')).descriptor).toEqual(desc);
    // a header that names other content
    const other = `sha256:${'1'.repeat(64)}`;
    answerWith(other);
    const err = await repo()
      .fetchReference('v1')
      .catch((e: unknown) => e);
    expect(MismatchedDigestError.is(err)).toBe(true);
    expect((err as Error).message).toMatch(
      new RegExp(`/test/repo:v1: registry answered digest ${other}, content has digest ${desc.digest}$`),
    );
  });

  describe('a manifest whose connection breaks mid-body', () => {
    /**
     * Answers manifest GETs: the first `cuts` answers stop after 100 bytes; the rest are whole,
     * as 200 (a registry that ignores Range, as distribution does for manifests) or as 206.
     */
    function cutting(bytes: Buffer, cuts: number, range: 'ignores Range' | 'honours Range'): string[] {
      const ranges: string[] = [];
      fx.registry.fault = (req, res) => {
        if (req.method !== 'GET' || !req.url?.includes('/manifests/')) return false;
        ranges.push(req.headers.range ?? '');
        const headers = { 'content-type': MANIFEST, 'content-length': String(bytes.length) };
        if (ranges.length <= cuts) {
          res.writeHead(200, headers);
          res.write(bytes.subarray(0, 100));
          setTimeout(() => res.destroy(), 20);
          return true;
        }
        const start = Number(/^bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
        if (range === 'ignores Range' || start === 0) {
          res.writeHead(200, headers);
          res.end(bytes);
        } else {
          res.writeHead(206, {
            'content-type': MANIFEST,
            'content-length': String(bytes.length - start),
            'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
          });
          res.end(bytes.subarray(start));
        }
        return true;
      };
      return ranges;
    }

    async function pushed(pad: string): Promise<{ bytes: Buffer; desc: Descriptor }> {
      const bytes = Buffer.from(manifestBytes({ annotations: { pad: pad.repeat(300) } }));
      const desc = descOf(MANIFEST, bytes);
      await repo().pushReference(desc, bytes, 'v1');
      return { bytes, desc };
    }

    it('is resumed with Range where the registry honours it, byte-exact', async () => {
      const { bytes, desc } = await pushed('y');
      const ranges = cutting(bytes, 1, 'honours Range');
      const fetched = await repo().fetchReference('v1');
      expect(ranges).toEqual(['', `bytes=100-${bytes.length - 1}`]);
      expect(fetched.descriptor).toEqual(desc);
      expect(Buffer.from(fetched.bytes ?? []).equals(bytes)).toBe(true);
    });

    it('is asked for again from the start where the registry ignores Range', async () => {
      const { bytes, desc } = await pushed('x');
      const ranges = cutting(bytes, 1, 'ignores Range');
      const fetched = await repo().fetchReference('v1');
      // the resume gets the whole body again, which cannot be spliced: the GET starts over
      expect(ranges).toEqual(['', `bytes=100-${bytes.length - 1}`, '']);
      expect(fetched.descriptor).toEqual(desc);
      expect(Buffer.from(fetched.bytes ?? []).equals(bytes)).toBe(true);
    });

    it('fails naming the manifest and why it cannot resume, after starting over twice', async () => {
      const { bytes } = await pushed('z');
      const ranges = cutting(bytes, 1000, 'ignores Range');
      const err = await repo()
        .fetchReference('v1')
        .catch((e: unknown) => e);
      expect(ranges).toEqual(
        Array(1 + METADATA_RESTARTS)
          .fill(['', `bytes=100-${bytes.length - 1}`])
          .flat(),
      );
      expect(ConnectionError.is(err)).toBe(true);
      expect((err as Error).message).toBe(
        'v1: manifest: the connection broke mid-response and the registry cannot resume it (it ignored the Range header, status 200)',
      );
    });
  });

  it('turns other statuses into a ResponseError with the distribution codes', async () => {
    fx.registry.fault = (_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
        }),
      );
      return true;
    };
    const err = await repo()
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(ResponseError.is(err)).toBe(true);
    const re = err as ResponseError;
    expect(re.statusCode).toBe(403);
    expect(re.method).toBe('HEAD');
    const get = (await repo()
      .fetchReference('v1')
      .catch((e: unknown) => e)) as ResponseError;
    expect(get.hasCode('DENIED')).toBe(true);
    expect(get.message).toContain('denied: requested access to the resource is denied');
  });
});
