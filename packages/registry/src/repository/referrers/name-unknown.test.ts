/**
 * A 404 from the referrers endpoint: a plain 404 (or one with another error code) means the
 * registry has no referrers API; a 404 `NAME_UNKNOWN` is a registry with the API telling that the
 * repository does not exist, which leaves the capability unknown and fails the request, as in
 * oras-go.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlainClient } from '../../http.js';
import { createTransport } from '../../transport.js';
import { RemoteRepository } from '../remote-repository.js';

const SUBJECT = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 2,
};

let server: Server;
let host: string;
const dispatcher = createTransport({ retry: { baseDelayMs: 1, maxDelayMs: 5 } });

beforeAll(async () => {
  // `fresh` is a repository that does not exist on a registry with the API; `plain` is on one
  // without it (a web page 404); `coded` answers 404 with another distribution error code
  server = createServer((req, res) => {
    const m = /^\/v2\/([^/]+)\/(referrers|manifests)\//.exec(req.url ?? '');
    const repo = m?.[1];
    if (repo === 'fresh') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }],
        }),
      );
    } else if (repo === 'coded') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'no route' }] }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await dispatcher.close();
});

function repo(name: string): RemoteRepository {
  return new RemoteRepository({
    reference: `${host}/${name}`,
    client: new PlainClient({ dispatcher }),
    plainHttp: true,
  });
}

async function list(r: RemoteRepository): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const page of r.referrers(SUBJECT)) out.push(...page);
  return out;
}

describe('a 404 from the referrers API', () => {
  it('means no referrers API when it is a plain page or another error code', async () => {
    for (const name of ['plain', 'coded']) {
      const r = repo(name);
      // the tag-schema index is not there either: no referrers
      await expect(list(r)).resolves.toEqual([]);
      expect(r.referrersCapability).toBe(false);
    }
  });

  it('fails with NAME_UNKNOWN and leaves the capability unknown for a repository that does not exist', async () => {
    const r = repo('fresh');
    await expect(list(r)).rejects.toMatchObject({
      statusCode: 404,
      errors: [expect.objectContaining({ code: 'NAME_UNKNOWN' })],
    });
    expect(r.referrersCapability).toBeUndefined();
  });
});
