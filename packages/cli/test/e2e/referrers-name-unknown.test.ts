/**
 * A forced `--distribution-spec v1.1-referrers-api` tells a registry without the API from a
 * repository that does not exist yet, as oras-go does: a plain 404 from the referrers endpoint
 * (docker-registry's `404 page not found`, even for a new repository) means no API, and the
 * command is refused; a 404 `NAME_UNKNOWN` (what a registry with the API answers for a new
 * repository) says nothing about the API, so the flag is trusted and the command goes on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, sandbox } from '../../src/test-support/oras-process.js';
import { withDistribution } from './fixture.js';

const FORCE_API = ['--distribution-spec', 'v1.1-referrers-api'];
const NO_API = 'does not serve the referrers API, which v1.1-referrers-api requires';

describe('on docker-registry (no referrers API)', () => {
  const e2e = withDistribution();

  it('refuses the forced API for a repository that does not exist yet too', async () => {
    const res = await e2e.box.run(['discover', '--plain-http', ...FORCE_API, `${e2e.host}/not-yet:v1`]);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n')[0]).toBe(`Error: the registry ${e2e.host} ${NO_API}`);
  });
});

describe('on a registry that answers NAME_UNKNOWN for a new repository', () => {
  let server: Server;
  let host: string;
  let box: Sandbox;

  beforeAll(async () => {
    box = await sandbox();
    // `fresh` does not exist (NAME_UNKNOWN everywhere); `legacy` has no referrers route (plain 404)
    server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/v2/') {
        res.writeHead(200).end();
        return;
      }
      if (url.startsWith('/v2/fresh/')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }],
          }),
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await box?.remove();
  });

  it('trusts the flag: the error is the missing repository, not a missing API', async () => {
    const res = await box.run(['discover', '--plain-http', ...FORCE_API, `${host}/fresh:v1`]);
    expect(res.code).toBe(1);
    expect(res.stderr).not.toContain(NO_API);
    // the subject's manifest is what is missing
    expect(res.stderr.split('\n')[0]).toMatch(/^Error response from registry: .*fresh:v1.*not found/);
  });

  it('still refuses a plain 404', async () => {
    const res = await box.run(['discover', '--plain-http', ...FORCE_API, `${host}/legacy:v1`]);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n')[0]).toBe(`Error: the registry ${host} ${NO_API}`);
  });
});
